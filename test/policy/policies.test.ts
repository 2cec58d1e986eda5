// The policy pack on the real objects of both stacks (passes) and on mutated copies (each violation names the
// resource).
import { unknownCheckingProxy } from "@pulumi/policy";
import { expect } from "chai";
import { policies } from "../../policy/policies";
import { runStack } from "../../scripts/mock-runtime";
import { PolicyInput, policyInputs, violations } from "../support/policy-harness";
import { stackFile } from "../support/stack-fixtures";

const MANDATORY = policies.filter((p) => (p.enforcementLevel ?? "mandatory") === "mandatory").map((p) => p.name);
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject";

const inputsOf: Record<string, PolicyInput[]> = {};
/** A fresh copy of a stack's resources with one resource changed. */
function mutated(
  stack: string,
  type: string,
  name: string,
  change: (props: Record<string, any>) => void,
): PolicyInput[] {
  const copy = inputsOf[stack].map((r) => ({ ...r, props: structuredClone(r.props) }));
  const target = copy.find((r) => r.type === type && r.name === name);
  if (!target) throw new Error(`no ${type} ${name} in ${stack}`);
  change(target.props);
  return copy;
}
const messages = async (resources: PolicyInput[], policy: string) =>
  (await violations(resources, [policy])).map((v) => v.message);
const container = (props: Record<string, any>) => props.spec.template.spec.containers[0];

describe("policy pack", () => {
  before(async () => {
    process.env.FRESHPLAN_PLAN_DATE = "2026-11-23T00:00:00Z";
    for (const stack of ["prod", "staging"])
      inputsOf[stack] = policyInputs((await runStack(stackFile(stack))).resources);
  });

  for (const stack of ["prod", "staging"]) {
    it(`passes every mandatory policy on the ${stack} plan's real objects`, async () => {
      expect(inputsOf[stack].filter((r) => r.type === DEPLOYMENT)).to.have.length.greaterThan(4);
      expect(await violations(inputsOf[stack], MANDATORY)).to.deep.equal([]);
    });
  }

  it("advises on exactly the API workloads with minReplicas 1, as advisory", async () => {
    const advisory = policies.find((p) => p.name === "api-min-replicas-above-one")!;
    expect(advisory.enforcementLevel).to.equal("advisory");
    const found = await messages(inputsOf.prod, advisory.name);
    const named = found.map((m) => /ScaledObject [\w-]+\/([\w-]+)/.exec(m)![1]).sort();
    // Seed: DE queries 2→6 is the only API workload above 1.
    expect(named).to.deep.equal([
      "freshplan-api-commands-at",
      "freshplan-api-commands-ch",
      "freshplan-api-commands-de",
      "freshplan-api-queries-at",
      "freshplan-api-queries-ch",
    ]);
  });

  it("checks secrets at the first preview, when generated passwords are still unknown", async () => {
    const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"; // @pulumi/policy's marker for an unknown string
    const preview = mutated(
      "staging",
      "kubernetes:core/v1:Secret",
      "freshplan-journal-monitor",
      (p) => (p.stringData.PGPASSWORD = UNKNOWN_STRING),
    );
    const exporter = preview.find((r) => r.type === DEPLOYMENT && r.name === "freshplan-journal-exporter")!;
    container(exporter.props).env.push({ name: "DB_PASSWORD", value: "hunter2hunter2" });
    // As the engine hands them over: reading an unknown value throws UnknownValueError.
    const proxied = preview.map((r) => ({ ...r, props: unknownCheckingProxy(r.props) }));
    const found = await messages(proxied, "no-secrets-in-clear");
    expect(found).to.deep.equal([
      `Deployment freshplan-staging/freshplan-journal-exporter: container "postgres-exporter" env ` +
        `DB_PASSWORD is a credential given as a value; use valueFrom.secretKeyRef`,
    ]);
  });

  describe("reports each violation with the resource's name", () => {
    const cases: {
      what: string;
      policy: string;
      stack?: string;
      type: string;
      name: string;
      change: (p: Record<string, any>) => void;
      expected: RegExp;
    }[] = [
      {
        what: "a cron floor above maxReplicaCount",
        policy: "scaledobject-floors-and-fallback",
        type: SCALED_OBJECT,
        name: "freshplan-api-queries-de",
        change: (p) =>
          (p.spec.triggers.find((t: any) => t.name === "season-oktoberfest").metadata.desiredReplicas = "7"),
        expected: new RegExp(
          /ScaledObject freshplan-production\/freshplan-api-queries-de: cron trigger "season-oktoberfest" /.source +
            /holds 7 replicas, outside \[minReplicaCount 2, maxReplicaCount 6\]/.source,
        ),
      },
      {
        what: "a cron floor below minReplicaCount",
        policy: "scaledobject-floors-and-fallback",
        type: SCALED_OBJECT,
        name: "freshplan-api-queries-de",
        change: (p) => (p.spec.triggers.find((t: any) => t.type === "cron").metadata.desiredReplicas = "1"),
        expected: /freshplan-api-queries-de: cron trigger .* holds 1 replicas/,
      },
      {
        what: "a Prometheus trigger that ignores null values",
        policy: "scaledobject-floors-and-fallback",
        type: SCALED_OBJECT,
        name: "freshplan-api-commands-ch",
        change: (p) => delete p.spec.triggers.find((t: any) => t.name === "rps").metadata.ignoreNullValues,
        expected: /freshplan-api-commands-ch: prometheus trigger "rps" ignores null values/,
      },
      {
        what: "no fallback",
        policy: "scaledobject-floors-and-fallback",
        type: SCALED_OBJECT,
        name: "freshplan-api-commands-at",
        change: (p) => delete p.spec.fallback,
        expected: /freshplan-api-commands-at: has no fallback/,
      },
      {
        what: "a Deployment that sets replicas",
        policy: "deployment-scaled-and-protected",
        type: DEPLOYMENT,
        name: "freshplan-api-queries-ch",
        change: (p) => (p.spec.replicas = 3),
        expected: /Deployment freshplan-production\/freshplan-api-queries-ch sets replicas: 3/,
      },
      {
        what: "a Deployment no ScaledObject targets",
        policy: "deployment-scaled-and-protected",
        type: SCALED_OBJECT,
        name: "freshplan-api-queries-ch",
        change: (p) => (p.spec.scaleTargetRef.name = "elsewhere"),
        expected: /Deployment freshplan-production\/freshplan-api-queries-ch is the target of 0 ScaledObjects/,
      },
      {
        what: "a Deployment two ScaledObjects target",
        policy: "deployment-scaled-and-protected",
        type: SCALED_OBJECT,
        name: "freshplan-api-queries-ch",
        change: (p) => (p.spec.scaleTargetRef.name = "freshplan-api-queries-at"),
        expected: new RegExp(
          /Deployment freshplan-production\/freshplan-api-queries-at is the target of 2 ScaledObjects /.source +
            /\(freshplan-api-queries-at, freshplan-api-queries-ch\)/.source,
        ),
      },
      {
        what: "an event worker without a PodDisruptionBudget",
        stack: "staging",
        policy: "deployment-scaled-and-protected",
        type: "kubernetes:policy/v1:PodDisruptionBudget",
        name: "freshplan-event-worker-de",
        change: (p) => (p.spec.selector.matchLabels["freshplan.io/territory"] = "XX"),
        expected: /Deployment freshplan-staging\/freshplan-event-worker-de has no PodDisruptionBudget/,
      },
      {
        what: "a privileged container",
        policy: "pod-security-restricted",
        type: DEPLOYMENT,
        name: "freshplan-api-commands-de",
        change: (p) => (container(p).securityContext.privileged = true),
        expected: /Deployment freshplan-production\/freshplan-api-commands-de: container "api" is privileged/,
      },
      {
        what: "privilege escalation allowed",
        policy: "pod-security-restricted",
        type: DEPLOYMENT,
        name: "freshplan-api-commands-de",
        change: (p) => delete container(p).securityContext.allowPrivilegeEscalation,
        expected: /freshplan-api-commands-de: container "api" does not set allowPrivilegeEscalation: false/,
      },
      {
        what: "root allowed",
        policy: "pod-security-restricted",
        type: DEPLOYMENT,
        name: "freshplan-api-commands-de",
        change: (p) => {
          delete container(p).securityContext.runAsNonRoot;
          delete p.spec.template.spec.securityContext.runAsNonRoot;
        },
        expected: /container "api" does not run as non-root/,
      },
      {
        what: "capabilities kept",
        policy: "pod-security-restricted",
        type: DEPLOYMENT,
        name: "freshplan-api-commands-de",
        change: (p) => (container(p).securityContext.capabilities = { add: ["NET_ADMIN"] }),
        expected: /container "api" does not drop ALL capabilities/,
      },
      {
        what: "no seccomp profile",
        policy: "pod-security-restricted",
        type: DEPLOYMENT,
        name: "freshplan-api-commands-de",
        change: (p) => {
          delete container(p).securityContext.seccompProfile;
          delete p.spec.template.spec.securityContext.seccompProfile;
        },
        expected: /container "api" has seccomp profile \(unset\)/,
      },
      {
        what: "a hostPath volume",
        stack: "staging",
        policy: "pod-security-restricted",
        type: DEPLOYMENT,
        name: "freshplan-journal-exporter",
        change: (p) => p.spec.template.spec.volumes.push({ name: "host", hostPath: { path: "/" } }),
        expected: /Deployment freshplan-staging\/freshplan-journal-exporter: volume "host" is of type hostPath/,
      },
      {
        what: "an image tagged latest",
        policy: "images-pinned",
        type: DEPLOYMENT,
        name: "freshplan-api-queries-at",
        change: (p) => (container(p).image = "registry.freshfoodz.internal/freshplan/api:latest"),
        expected: new RegExp(
          /Deployment freshplan-production\/freshplan-api-queries-at: container "api": /.source +
            /image .*api:latest uses the tag latest/.source,
        ),
      },
      {
        what: "an image without tag or digest",
        policy: "images-pinned",
        type: DEPLOYMENT,
        name: "freshplan-api-queries-at",
        change: (p) => (container(p).image = "registry.freshfoodz.internal:5000/freshplan/api"),
        expected: new RegExp(
          /freshplan-api-queries-at: container "api": image registry.freshfoodz.internal:5000\/freshplan\/api /.source +
            /has neither a tag nor a digest/.source,
        ),
      },
      {
        what: "a password in a ConfigMap",
        stack: "staging",
        policy: "no-secrets-in-clear",
        type: "kubernetes:core/v1:ConfigMap",
        name: "freshplan-journal-exporter-queries",
        change: (p) => (p.data.password = "hunter2hunter2"),
        expected: new RegExp(
          /ConfigMap freshplan-staging\/freshplan-journal-exporter-queries: ConfigMap key "password" /.source +
            /holds a credential/.source,
        ),
      },
      {
        what: "a password given as an env value",
        stack: "staging",
        policy: "no-secrets-in-clear",
        type: DEPLOYMENT,
        name: "freshplan-journal-exporter",
        change: (p) => (container(p).env.find((e: any) => e.name === "DATA_SOURCE_PASS").value = "hunter2hunter2"),
        expected: new RegExp(
          /Deployment freshplan-staging\/freshplan-journal-exporter: container "postgres-exporter" /.source +
            /env DATA_SOURCE_PASS is a credential given as a value/.source,
        ),
      },
      {
        what: "a connection URL with a password",
        stack: "staging",
        policy: "no-secrets-in-clear",
        type: DEPLOYMENT,
        name: "freshplan-journal-exporter",
        change: (p) =>
          (container(p).env.find((e: any) => e.name === "DATA_SOURCE_URI").value =
            "postgres://monitor:hunter2hunter2@db:5432/freshplan"),
        expected: new RegExp(
          /freshplan-journal-exporter: container "postgres-exporter" env DATA_SOURCE_URI /.source +
            /contains a secret value in clear/.source,
        ),
      },
      {
        what: "the KEDA chart unpinned",
        policy: "keda-chart-pinned",
        type: "kubernetes:helm.sh/v3:Release",
        name: "keda",
        change: (p) => (p.version = "^2.18"),
        expected: /Helm Release keda \(chart keda\): version "\^2.18" is not an exact version/,
      },
      {
        what: "the KEDA chart without a version",
        policy: "keda-chart-pinned",
        type: "kubernetes:helm.sh/v3:Release",
        name: "keda",
        change: (p) => delete p.version,
        expected: /Helm Release keda \(chart keda\): version is not set/,
      },
    ];
    for (const c of cases) {
      it(c.what, async () => {
        const found = await messages(mutated(c.stack ?? "prod", c.type, c.name, c.change), c.policy);
        expect(
          found.some((m) => c.expected.test(m)),
          found.join("\n"),
        ).to.equal(true);
      });
    }

    it("a Secret's password copied into another resource or an env value", async () => {
      const leaked = mutated(
        "staging",
        "kubernetes:core/v1:Secret",
        "freshplan-journal-monitor",
        (p) => (p.stringData.PGPASSWORD = "Zq7-generated-Pa55"),
      );
      const monitor = leaked.find((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PodMonitor")!;
      monitor.props.metadata.annotations = { note: "login Zq7-generated-Pa55" };
      const worker = leaked.find((r) => r.type === DEPLOYMENT && r.name === "freshplan-event-worker-de")!;
      container(worker.props).env.push({ name: "DEBUG_LOGIN", value: "Zq7-generated-Pa55" });
      const found = (await violations(leaked, ["no-secrets-in-clear"])).map((v) => v.message);
      expect(found).to.include(
        `PodMonitor freshplan-staging/${monitor.props.metadata.name}: property metadata.annotations.note ` +
          `contains a secret value in clear`,
      );
      expect(found).to.include(
        `Deployment freshplan-staging/freshplan-event-worker-de: container "event-worker" env DEBUG_LOGIN ` +
          `contains a secret value in clear`,
      );
      expect(found).to.have.length(2);
    });
  });
});
