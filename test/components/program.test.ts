/**
 * The whole program (index.ts) under the SDK's mock runtime: resources, wiring, outputs, secrets, and config errors
 * before any resource.
 */
import { expect } from "chai";
import { RecordedResource, StackRun, runStack } from "../../scripts/mock-runtime";
import { SECRET_PLACEHOLDER } from "../../scripts/stack-file";
import { rawStackConfig, stackFile, stackFileFrom, pinPlanDate } from "../support/stack-fixtures";
import { KEDA_METRIC_RELABELINGS } from "../../model/keda/helm-values";

const SEED = {
  "freshplan-api-queries-de": [2, 6],
  "freshplan-api-commands-de": [1, 4],
  "freshplan-api-queries-ch": [1, 4],
  "freshplan-api-commands-ch": [1, 3],
  "freshplan-api-queries-at": [1, 3],
  "freshplan-api-commands-at": [1, 2],
};

const ofType = (run: StackRun, type: string) => run.resources.filter((r) => r.type === type);
const spec = (r: RecordedResource) => r.inputs.spec as Record<string, any>;

describe("the program under the mock runtime", () => {
  let prod: StackRun;
  pinPlanDate("2026-11-23T00:00:00Z");
  before(async () => {
    prod = await runStack(stackFile("prod"));
  });

  it("installs KEDA from its pinned Helm chart with CRDs", () => {
    const [release] = ofType(prod, "kubernetes:helm.sh/v3:Release");
    expect(release.inputs).to.include({ chart: "keda", version: "2.20.2", namespace: "keda", skipCrds: false });
    expect((release.inputs.values as any).crds.install).to.equal(true);
    // KEDA's own metrics keep the ScaledObject's namespace (see model/keda/helm-values.ts).
    for (const component of ["operator", "metricServer"]) {
      expect((release.inputs.values as any).prometheus[component].podMonitor.metricRelabelings).to.deep.equal(
        KEDA_METRIC_RELABELINGS,
      );
    }
  });

  it("creates 6 Deployments and 6 ScaledObjects with the seed min/max", () => {
    const api = (r: RecordedResource) => (r.inputs.metadata as any).name.startsWith("freshplan-api-");
    const deployments = ofType(prod, "kubernetes:apps/v1:Deployment")
      .filter(api)
      .map((r) => (r.inputs.metadata as any).name);
    expect(deployments).to.have.members(Object.keys(SEED));
    const scaled = ofType(prod, "kubernetes:keda.sh/v1alpha1:ScaledObject").filter(api);
    expect(scaled).to.have.length(6);
    for (const so of scaled) {
      const name = (so.inputs.metadata as any).name as keyof typeof SEED;
      expect([spec(so).minReplicaCount, spec(so).maxReplicaCount], name).to.deep.equal(SEED[name]);
    }
  });

  it("makes every ScaledObject depend on the KEDA chart and target its own Deployment", () => {
    const release = ofType(prod, "kubernetes:helm.sh/v3:Release")[0];
    const deploymentNames = new Set(
      ofType(prod, "kubernetes:apps/v1:Deployment").map((r) => (r.inputs.metadata as any).name),
    );
    for (const so of ofType(prod, "kubernetes:keda.sh/v1alpha1:ScaledObject")) {
      expect(
        so.dependencies.some((urn) => urn.endsWith(`${release.type}::${release.name}`)),
        so.name,
      ).to.equal(true);
      const target = spec(so).scaleTargetRef.name;
      expect(deploymentNames.has(target)).to.equal(true);
      expect(target).to.equal((so.inputs.metadata as any).name);
    }
  });

  it(
    "puts a Service next to every API Deployment and a PodDisruptionBudget next to every scaled Deployment, in " +
      "the restricted namespace",
    () => {
      const names = (type: string) =>
        ofType(prod, type)
          .map((r) => (r.inputs.metadata as any).name)
          .sort();
      expect(names("kubernetes:core/v1:Service")).to.deep.equal(Object.keys(SEED).sort());
      const scaledTargets = ofType(prod, "kubernetes:keda.sh/v1alpha1:ScaledObject")
        .map((r) => spec(r).scaleTargetRef.name)
        .sort();
      expect(names("kubernetes:policy/v1:PodDisruptionBudget")).to.deep.equal(scaledTargets);
      const [ns] = ofType(prod, "kubernetes:core/v1:Namespace").filter(
        (r) => (r.inputs.metadata as any).name === "freshplan-production",
      );
      expect((ns.inputs.metadata as any).labels["pod-security.kubernetes.io/enforce"]).to.equal("restricted");
    },
  );

  it("runs every pod under the restricted Pod Security Standard", () => {
    for (const d of ofType(prod, "kubernetes:apps/v1:Deployment")) {
      const pod = spec(d).template.spec;
      expect(pod.securityContext).to.deep.include({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      for (const c of pod.containers) {
        expect(c.securityContext).to.deep.include({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
        expect(c.resources.requests).to.have.keys("cpu", "memory");
        expect(c.resources.limits).to.have.property("memory");
        expect(c).to.have.property("readinessProbe");
        expect(c).to.have.property("livenessProbe");
      }
      if ((d.inputs.metadata as any).name === "freshplan-journal-exporter") continue;
      expect(pod.topologySpreadConstraints).to.have.length(2);
      // The HPA owns the replica count; a fixed count would fight it on every deploy.
      expect(spec(d)).not.to.have.property("replicas");
    }
  });

  it("exports the namespace and the names ops need per territory and workload", () => {
    expect(prod.outputs.workloadNamespace).to.equal("freshplan-production");
    expect((prod.outputs.territoryWorkloads as any).CH.commands).to.deep.equal({
      deployment: "freshplan-api-commands-ch",
      scaledObject: "freshplan-api-commands-ch",
    });
  });

  it("names every trigger and gives every trigger metadata value as a string", () => {
    for (const so of ofType(prod, "kubernetes:keda.sh/v1alpha1:ScaledObject")) {
      const triggers = spec(so).triggers as { name: string; metadata: Record<string, unknown> }[];
      expect(new Set(triggers.map((t) => t.name)).size).to.equal(triggers.length);
      for (const t of triggers) {
        expect(t.name).to.match(/^[a-z0-9-]+$/);
        for (const v of Object.values(t.metadata)) expect(v).to.be.a("string");
      }
    }
  });

  it("registers nothing and names every problem when the config is invalid", async () => {
    const raw = rawStackConfig("prod");
    raw.territories.CH.queries.maxReplicas = 3;
    raw.territories.AT.timeZone = "Europe/Wien";
    let error: (Error & { registeredResources?: number }) | undefined;
    let run: StackRun | undefined;
    try {
      run = await runStack(stackFileFrom("prod", raw));
    } catch (e) {
      error = e as Error;
    }
    expect(run).to.equal(undefined);
    expect(error?.registeredResources).to.equal(0);
    expect(error?.message).to.contain("territories.AT.timeZone");
    expect(error?.message).to.contain(
      'seasons[1].floors.CH.queries (season "weihnachten") = 4: expected at most ' +
        "territories.CH.queries.maxReplicas = 3",
    );
  });

  it("never sees a secure config value in clear", async () => {
    const ciphertext = "v1:Zm9vYmFyYmF6cXV4:AAAAAAAAAAAAAAAAAAAAAAAA";
    const file = stackFileFrom("prod", rawStackConfig("prod"), { "kubernetes:token": { secure: ciphertext } });
    expect(file.entries["kubernetes:token"]).to.equal(SECRET_PLACEHOLDER);
    expect(file.secretKeys).to.deep.equal(["kubernetes:token"]);
    const run = await runStack(file);
    expect(JSON.stringify(run)).not.to.contain(ciphertext);
  });
});
