/** The generated rule files under the real promtool: check rules, and a firing and a silent case for every alert. */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { ALERT_NAMES, alertRuleGroups, alertingRules, prometheusRuleFile } from "../../../model/alerts/rules";
import { buildScalingPlan } from "../../../model/scaling/plan";
import { loadStackConfig } from "../../../scripts/stack-file";
import { ROOT } from "../../support/stack-fixtures";
import { promtool, tempDir } from "./promtool";
import { RULE_CASES, renderAnnotations } from "./rule-cases";

const rulesOf = (stack: string) => {
  const config = loadStackConfig(stack, path.join(ROOT, `Pulumi.${stack}.yaml`));
  return alertRuleGroups(config, buildScalingPlan(config, new Date("2026-09-10T12:00:00Z")));
};

describe("alert rules under promtool", function () {
  // The slow-burn case evaluates 30 hours of rules.
  this.timeout(120_000);

  for (const stack of ["prod", "staging"]) {
    it(`promtool check rules accepts the ${stack} rule file`, () => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, "rules.yaml"), prometheusRuleFile(rulesOf(stack)));
      const { status, output } = promtool(["check", "rules", "rules.yaml"], dir);
      expect(status, output).to.equal(0);
      expect(output).to.match(/SUCCESS: \d+ rules found/);
    });
  }

  it("promtool check rules rejects a broken rule (the check can fail)", () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, "rules.yaml"),
      stringify({ groups: [{ name: "x", rules: [{ alert: "X", expr: "sum(rate(x[5m])" }] }] }),
    );
    expect(promtool(["check", "rules", "rules.yaml"], dir).status).to.not.equal(0);
  });

  it(
    "every alert fires on its synthetic series with exact labels and annotations, and stays silent where it " + "must",
    () => {
      const groups = rulesOf("prod");
      const rules = alertingRules(groups);
      const covered = new Set(
        RULE_CASES.flatMap((c) => c.expect.filter((e) => e.firing.length > 0).map((e) => e.alert)),
      );
      const silent = new Set(
        RULE_CASES.flatMap((c) => c.expect.filter((e) => e.firing.length === 0).map((e) => e.alert)),
      );
      for (const name of ALERT_NAMES) {
        expect(covered, `a case where ${name} fires`).to.include(name);
        expect(silent, `a case where ${name} stays silent`).to.include(name);
      }

      const testOf = (c: (typeof RULE_CASES)[number]) => ({
        name: c.name,
        interval: c.interval ?? "1m",
        input_series: c.series,
        alert_rule_test: c.expect.map((e) => ({
          alertname: e.alert,
          eval_time: e.at,
          exp_alerts: e.firing.map((f) => {
            const rule = rules.find(
              (r) =>
                r.alert === e.alert &&
                (f.severity === undefined || r.labels.severity === f.severity) &&
                (r.labels.territory === undefined || r.labels.territory === f.labels?.territory) &&
                (r.labels.workload === undefined || r.labels.workload === f.labels?.workload),
            );
            if (!rule) throw new Error(`no rule ${e.alert} for ${JSON.stringify(f)}`);
            const labels = { ...rule.labels, ...f.labels };
            return { exp_labels: labels, exp_annotations: renderAnnotations(rule, labels, f.value) };
          }),
        })),
      });
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, "rules.yaml"), prometheusRuleFile(groups));
      // promtool takes one evaluation step per file, so cases are grouped by their step.
      const steps = [...new Set(RULE_CASES.map((c) => c.evaluationInterval ?? "1m"))];
      const files = steps.map((step, i) => {
        const tests = RULE_CASES.filter((c) => (c.evaluationInterval ?? "1m") === step).map(testOf);
        const file = `tests-${i}.yaml`;
        fs.writeFileSync(
          path.join(dir, file),
          stringify(
            { rule_files: ["rules.yaml"], evaluation_interval: step, tests },
            { lineWidth: 0, aliasDuplicateObjects: false },
          ),
        );
        return file;
      });
      const { status, output } = promtool(["test", "rules", ...files], dir);
      expect(status, output).to.equal(0);
    },
  );
});
