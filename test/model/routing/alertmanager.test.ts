/**
 * The Alertmanager routing under the real amtool: check-config, and routes for a critical, a warning and an info alert
 * of each family.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { alertingRules } from "../../../model/alerts/rules";
import { RECEIVERS, alertmanagerConfigFile, alertmanagerConfigManifest } from "../../../model/routing/alertmanager";
import { buildStackPlan } from "../../../model/stack-plan";
import { loadStackConfig } from "../../../scripts/stack-file";
import { validateAgainstSchema } from "../../support/kubernetes-schemas";
import { ROOT } from "../../support/stack-fixtures";

const INSTALL_HINT =
  "amtool is not installed: run `apt-get update && apt-get install -y prometheus-alertmanager` (Debian " +
  "package prometheus-alertmanager provides /usr/bin/amtool)";

function amtool(args: string[]): { status: number; output: string } {
  const result = spawnSync("amtool", args, { encoding: "utf8" });
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT") throw new Error(INSTALL_HINT);
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

const EXPECTED = { critical: RECEIVERS.page, warning: RECEIVERS.ticket, info: RECEIVERS.none } as const;

for (const stack of ["prod", "staging"]) {
  describe(`Alertmanager routing of ${stack} under amtool`, () => {
    const plan = buildStackPlan(
      loadStackConfig(stack, path.join(ROOT, `Pulumi.${stack}.yaml`)),
      new Date("2026-11-23T00:00:00Z"),
    );
    const text = alertmanagerConfigFile(plan.config, plan.alertGroups)!;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-am-")), "alertmanager.yaml");
    fs.writeFileSync(file, text);
    const route = (labels: Record<string, string>) => {
      const { status, output } = amtool([
        "config",
        "routes",
        "test",
        `--config.file=${file}`,
        ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
      ]);
      expect(status, output).to.equal(0);
      return output
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("Warning"));
    };

    it("passes amtool check-config", () => {
      const { status, output } = amtool(["check-config", file]);
      expect(status, output).to.equal(0);
      expect(output).to.contain("SUCCESS");
    });

    it(
      "routes every alert the rules define by its severity: " +
        "critical pages, warning opens a ticket, info goes nowhere",
      () => {
        const rules = alertingRules(plan.alertGroups);
        expect(new Set(rules.map((r) => r.labels.severity))).to.have.keys("critical", "warning", "info");
        for (const rule of rules) {
          const labels = { alertname: rule.alert, ...rule.labels };
          expect(route(labels), JSON.stringify(labels)).to.deep.equal([EXPECTED[rule.labels.severity]]);
        }
      },
    );

    it("routes a critical, a warning and an info alert of each family by severity alone", () => {
      for (const group of plan.alertGroups) {
        const alertname = alertingRules([group])[0].alert;
        for (const severity of ["critical", "warning", "info"] as const) {
          expect(route({ alertname, severity, territory: "DE" }), `${group.name} ${severity}`).to.deep.equal([
            EXPECTED[severity],
          ]);
        }
      }
      // Alerts of other stacks sharing the Alertmanager are not paged on by this tree.
      expect(route({ alertname: "KubePodCrashLooping", severity: "critical" })).to.deep.equal([RECEIVERS.none]);
    });

    it("reads every credential from a mounted Secret file, never inline", () => {
      const config = parse(text);
      const integrations = config.receivers.flatMap((r: Record<string, unknown>) =>
        Object.entries(r)
          .filter(([k]) => k.endsWith("_configs"))
          .flatMap(([, v]) => v as Record<string, unknown>[]),
      );
      expect(integrations.length).to.be.greaterThan(0);
      for (const i of integrations) {
        for (const secretField of ["routing_key", "service_key", "api_url", "api_key"])
          expect(i, secretField).not.to.have.property(secretField);
        const credentials = (i.http_config as { authorization?: Record<string, unknown> } | undefined)?.authorization;
        if (credentials) expect(credentials).not.to.have.property("credentials");
      }
      expect(text).to.match(/_file: \/etc\/alertmanager\/secrets\//);
    });
  });
}

describe("Alertmanager routing: the checks can fail", () => {
  it("amtool check-config rejects a route to a receiver that does not exist", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-am-")), "broken.yaml");
    fs.writeFileSync(file, "route:\n  receiver: nobody\nreceivers:\n  - name: somebody\n");
    expect(amtool(["check-config", file]).status).to.not.equal(0);
  });
});

describe("AlertmanagerConfig resource", () => {
  it(
    "staging provisions it in the stack namespace, valid against the prometheus-operator schema, with Secret " +
      "references only",
    async () => {
      const plan = buildStackPlan(
        loadStackConfig("staging", path.join(ROOT, "Pulumi.staging.yaml")),
        new Date("2026-11-23T00:00:00Z"),
      );
      const manifest = alertmanagerConfigManifest(plan.config, plan.alertGroups)!;
      expect(manifest.metadata.namespace).to.equal(plan.config.namespace);
      await validateAgainstSchema(manifest as unknown as Record<string, unknown>);
      const receivers = (
        manifest as unknown as { spec: { receivers: { name: string; slackConfigs?: { apiURL: unknown }[] }[] } }
      ).spec.receivers;
      expect(receivers.find((r) => r.name === RECEIVERS.page)?.slackConfigs?.[0].apiURL).to.deep.equal({
        name: "alertmanager-freshplan-slack",
        key: "webhook-url",
      });
    },
  );

  it("prod ships none (not configured)", () => {
    const plan = buildStackPlan(
      loadStackConfig("prod", path.join(ROOT, "Pulumi.prod.yaml")),
      new Date("2026-11-23T00:00:00Z"),
    );
    expect(alertmanagerConfigManifest(plan.config, plan.alertGroups)).to.equal(undefined);
  });
});
