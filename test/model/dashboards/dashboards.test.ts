/**
 * The generated dashboards: units, panel kinds, datasource variable, PromQL that parses, thresholds and territories
 * from config, alert links.
 */
import { expect } from "chai";
import * as path from "node:path";
import * as units from "@grafana/grafana-foundation-sdk/units";
import { VariableType, defaultDashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { ALERT_NAMES, alertingRules } from "../../../model/alerts/rules";
import { validateConfig } from "../../../model/config/validate";
import { ALERT_PANELS } from "../../../model/dashboards/alert-links";
import { dashboardJson } from "../../../model/dashboards/dashboards";
import { DATASOURCE } from "../../../model/dashboards/panels";
import { promqlSyntaxErrors } from "../../../model/prometheus/syntax";
import { StackPlan, buildStackPlan } from "../../../model/stack-plan";
import { loadStackConfig } from "../../../scripts/stack-file";
import { ROOT, rawStackConfig } from "../../support/stack-fixtures";
import { interpolate, panelQueries } from "./panel-queries";

const NOW = new Date("2026-11-23T00:00:00Z");
const GRAFANA_UNITS = new Set<string>(Object.values(units).filter((v) => typeof v === "string"));
const VARIABLES = {
  territory: "DE",
  scaledobject: ".+",
  __range: "3600s",
  __range_s: "3600",
  datasource: "prometheus",
};

const planOf = (raw: Record<string, any>) => buildStackPlan(validateConfig(raw, "test"), NOW);
const byUid = (plan: StackPlan, uid: string) => plan.dashboards.find((d) => d.spec.uid === uid)!;
const panel = (plan: StackPlan, uid: string, key: string) =>
  byUid(plan, uid)
    .spec.rows.flatMap((r) => r.panels)
    .find((p) => p.key === key)!;

describe("dashboards generated from the stack config", () => {
  for (const stack of ["prod", "staging"]) {
    const plan = buildStackPlan(loadStackConfig(stack, path.join(ROOT, `Pulumi.${stack}.yaml`)), NOW);

    it(
      `${stack}: ships the five dashboards, each panel with a title, ` + `a Grafana unit and the datasource variable`,
      () => {
        expect(plan.dashboards.map((d) => d.spec.name)).to.deep.equal([
          "territory-overview",
          "scaling",
          "event-journal",
          "business-kpis",
          "cost",
        ]);
        for (const d of plan.dashboards) {
          const json = JSON.parse(dashboardJson(d));
          const datasourceVariable = json.templating.list.find((v: { name: string }) => v.name === "datasource");
          expect(datasourceVariable, d.spec.name).to.include({ type: VariableType.Datasource, query: "prometheus" });
          const panels = json.panels.filter((p: { type: string }) => p.type !== "row");
          expect(panels.length, d.spec.name).to.be.greaterThan(0);
          expect(
            new Set(json.panels.map((p: { id: number }) => p.id)).size,
            `${d.spec.name}: unique panel ids`,
          ).to.equal(json.panels.length);
          for (const p of panels) {
            expect(p.title, `${d.spec.name} panel ${p.id}`).to.be.a("string").and.not.empty;
            const unit = p.fieldConfig.defaults.unit as string;
            expect(GRAFANA_UNITS.has(unit) || /^suffix:.+/.test(unit), `${p.title}: unit ${unit}`).to.equal(true);
            expect(p.datasource, p.title).to.deep.equal(DATASOURCE);
            expect(p.targets.length, p.title).to.be.greaterThan(0);
            for (const t of p.targets) expect(t.datasource, p.title).to.deep.equal(DATASOURCE);
          }
          for (const a of json.annotations.list ?? []) expect(a.datasource, a.name).to.deep.equal(DATASOURCE);
          // The shapes the SDK's types allow: its panel kinds, variable types and schema version.
          expect(json.schemaVersion).to.equal(defaultDashboard().schemaVersion);
          for (const p of json.panels) expect(["row", "timeseries", "stat"], p.title).to.include(p.type);
          for (const v of json.templating.list) expect(Object.values(VariableType), v.name).to.include(v.type);
        }
      },
    );

    it(`${stack}: every panel query parses as PromQL once Grafana has substituted its variables`, () => {
      const queries = panelQueries(plan.dashboards);
      expect(queries.length).to.be.greaterThan(40);
      for (const q of queries) {
        const expr = interpolate(q.expr, VARIABLES);
        expect(expr, `${q.dashboard} / ${q.panel.title}: a variable left`).not.to.match(/\$/);
        expect(promqlSyntaxErrors(expr), `${q.dashboard} / ${q.panel.title}: ${expr}`).to.deep.equal([]);
      }
      for (const d of plan.dashboards)
        for (const a of d.spec.annotations)
          expect(promqlSyntaxErrors(interpolate(a.expr, VARIABLES)), a.name).to.deep.equal([]);
    });

    it(`${stack}: every alert links to an existing panel of an existing dashboard`, () => {
      const rules = alertingRules(plan.alertGroups);
      expect(Object.keys(ALERT_PANELS)).to.have.members([...ALERT_NAMES]);
      for (const rule of rules) {
        const url = rule.annotations.dashboard_url;
        expect(url, rule.alert).to.be.a("string");
        const m = /\/d\/([^/]+)\/[^?]+\?viewPanel=panel-(\d+)/.exec(url!);
        expect(m, url).not.to.equal(null);
        const d = byUid(plan, m![1]);
        expect(d, url).not.to.equal(undefined);
        const target = d.spec.rows.flatMap((r) => r.panels).find((p) => p.id === Number(m![2]));
        expect(target, url).not.to.equal(undefined);
        if (rule.labels.workload) expect(target!.title, rule.alert).to.contain(rule.labels.workload);
        if (rule.labels.territory && d.spec.variables.some((v) => v.name === "territory"))
          expect(url).to.contain(`var-territory=${rule.labels.territory}`);
        expect(rule.labels.namespace, rule.alert).to.equal(plan.config.namespace);
      }
    });
  }

  it("takes thresholds and budgets from config: a changed value changes the panel", () => {
    const raw = rawStackConfig("prod");
    raw.alerts = { journalLagSeconds: 90, notifyQueueWarning: 0.6, p95EmergencyMs: 800, creditCheckBacklog: 70 };
    raw.territories.CH.queries.p95BudgetMs = 200;
    const plan = planOf(raw);
    expect(panel(plan, "freshplan-event-journal", "oldest-pending").thresholds).to.deep.include({
      value: 90,
      color: "red",
    });
    expect(panel(plan, "freshplan-event-journal", "notify-queue").thresholds).to.deep.include({
      value: 0.6,
      color: "orange",
    });
    expect(panel(plan, "freshplan-territory-overview", "p95:queries").thresholds).to.deep.include({
      value: 0.8,
      color: "red",
    });
    expect(panel(plan, "freshplan-business-kpis", "credit-checks").thresholds).to.deep.include({
      value: 70,
      color: "red",
    });
    const budget = panel(plan, "freshplan-territory-overview", "p95:queries").queries[1].expr;
    expect(budget).to.contain('label_replace(vector(0.2), "territory", "CH", "", "")');
  });

  it("shows a new territory and a new season without edits", () => {
    const raw = rawStackConfig("prod");
    raw.territories["DE-BY"] = JSON.parse(JSON.stringify(raw.territories.DE));
    raw.seasons.push({
      name: "grillsaison",
      firstDay: "05-15",
      lastDay: "08-31",
      loadMultiplier: 2,
      floors: { "DE-BY": { queries: 4 } },
    });
    const plan = planOf(raw);
    const overview = byUid(plan, "freshplan-territory-overview");
    expect(overview.spec.variables[0].values).to.include("DE-BY");
    expect(overview.spec.annotations.map((a) => a.expr).join()).to.contain("season-grillsaison");
    expect(
      panel(plan, "freshplan-territory-overview", "replicas:queries")
        .queries.map((q) => q.expr)
        .join(),
    ).to.contain('vector(4), "territory", "DE-BY", "", ""), "scaler", "season-grillsaison"');
    expect(byUid(plan, "freshplan-scaling").spec.variables[0].values).to.include("freshplan-api-queries-de-by");
    expect(panel(plan, "freshplan-cost", "used").queries.map((q) => q.legend)).to.include("DE-BY queries");
  });

  it("takes the static-peak baseline from the capacity calendar's cost view", () => {
    const plan = planOf(rawStackConfig("prod"));
    const baseline = panel(plan, "freshplan-cost", "static-peak").queries.find((q) =>
      q.legend.startsWith("DE queries"),
    )!;
    // Oktoberfest and Weihnachten hold DE queries at 6, its peak floor in the coming year.
    expect(baseline.expr).to.equal("vector(6) * $__range_s / 3600");
  });
});
