/**
 * The offline plan's dashboard files and Alertmanager config: the same as the ConfigMaps sent, every rule linked to a
 * panel.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { parse, parseAllDocuments } from "yaml";
import { ROOT } from "../support/stack-fixtures";

const run = promisify(execFile);

describe("offline plan: dashboards and Alertmanager routing", function () {
  this.timeout(120_000);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-plan-"));
  before(async () => {
    // A file of an earlier plan must not survive a new one.
    fs.mkdirSync(path.join(out, "dashboards"));
    fs.writeFileSync(path.join(out, "dashboards", "retired.json"), "{}");
    await run(
      path.join(ROOT, "node_modules", ".bin", "tsx"),
      ["scripts/plan.ts", "--stack", "prod", "--out", out, "--at", "2026-11-23"],
      { cwd: ROOT },
    );
  });

  it("writes each dashboard to dashboards/<name>.json exactly as its ConfigMap carries it", () => {
    const files = fs.readdirSync(path.join(out, "dashboards")).sort();
    expect(files).to.deep.equal([
      "business-kpis.json",
      "cost.json",
      "event-journal.json",
      "scaling.json",
      "territory-overview.json",
    ]);
    const maps = parseAllDocuments(fs.readFileSync(path.join(out, "manifests.yaml"), "utf8"))
      .map((d) => d.toJSON())
      .filter((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("freshplan-dashboard-"));
    for (const file of files) {
      const text = fs.readFileSync(path.join(out, "dashboards", file), "utf8");
      expect(
        maps.some((m) => m.data[file] === text),
        file,
      ).to.equal(true);
      expect(JSON.parse(text).title).to.match(/^FreshPlan \//);
    }
  });

  it("writes alertmanager.yaml with the severity routes and Secret files only", () => {
    const config = parse(fs.readFileSync(path.join(out, "alertmanager.yaml"), "utf8"));
    expect(
      config.route.routes[0].routes.map((r: { matchers: string[]; receiver: string }) => [r.matchers[0], r.receiver]),
    ).to.deep.equal([
      ['severity="critical"', "freshplan-page"],
      ['severity="warning"', "freshplan-ticket"],
      ['severity="info"', "freshplan-null"],
    ]);
    expect(config.receivers[1].pagerduty_configs[0]).to.deep.equal({
      routing_key_file: "/etc/alertmanager/secrets/alertmanager-freshplan-pagerduty/routing-key",
      send_resolved: true,
    });
  });

  it("gives every alert in prometheus-rules.yaml a dashboard_url", () => {
    const rules = parse(fs.readFileSync(path.join(out, "prometheus-rules.yaml"), "utf8")).groups.flatMap(
      (g: { rules: { alert?: string; annotations?: Record<string, string> }[] }) => g.rules.filter((r) => r.alert),
    );
    expect(rules.length).to.be.greaterThan(20);
    for (const r of rules)
      expect(r.annotations?.dashboard_url, r.alert).to.match(
        /^https:\/\/grafana\.freshfoodz\.internal\/d\/freshplan-[a-z-]+\/[a-z-]+\?viewPanel=panel-\d+/,
      );
  });
});
