/**
 * The generated alert rules as objects: names, labels, annotations, runbook anchors, config-driven thresholds and the
 * PrometheusRule.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import {
  ALERT_NAMES,
  alertRuleGroups,
  alertingRules,
  prometheusRuleManifest,
  ruleSyntaxProblems,
} from "../../../model/alerts/rules";
import { headingAnchor } from "../../../model/alerts/rule-types";
import { validateConfig } from "../../../model/config/validate";
import { apiPodMonitorManifest } from "../../../model/alerts/api-pod-monitor";
import { journalExporterQueries, journalExporterQueriesManifest } from "../../../model/journal/exporter";
import { buildScalingPlan } from "../../../model/scaling/plan";
import { runStack } from "../../../scripts/mock-runtime";
import { validateAgainstSchema } from "../../support/kubernetes-schemas";
import { ROOT, rawStackConfig, stackFile, stackFileFrom } from "../../support/stack-fixtures";

const NOW = new Date("2026-09-10T12:00:00Z");
const rulesFor = (raw: Record<string, unknown>) => {
  const config = validateConfig(raw);
  return { config, groups: alertRuleGroups(config, buildScalingPlan(config, NOW)) };
};

const DOCUMENTED_SEVERITIES = {
  FreshplanApiLatencyBudgetBurn: ["critical", "warning"],
  FreshplanApiP95AboveBudget: ["warning"],
  FreshplanApiP95Emergency: ["critical"],
  FreshplanScaledToMax: ["critical"],
  FreshplanPreScaleWithoutLoad: ["info"],
  FreshplanKedaScalerErrors: ["warning"],
  FreshplanKedaScaledObjectErrors: ["warning"],
  FreshplanNotifyQueueHigh: ["warning"],
  FreshplanNotifyQueueCritical: ["critical"],
  FreshplanJournalLag: ["critical"],
  FreshplanJournalDeadLetters: ["warning"],
  FreshplanCreditCheckBacklog: ["warning"],
  FreshplanCampaignOutboxBacklog: ["warning"],
  FreshplanLeadReminderSlaBreach: ["warning"],
  FreshplanApiMetricsMissing: ["critical"],
  FreshplanJournalExporterDown: ["warning"],
};

describe("alert rules: objects, config and runbook", function () {
  this.timeout(60_000);

  it("adding a territory adds its alerts and recordings", () => {
    const raw = rawStackConfig("prod");
    const before = alertingRules(rulesFor(raw).groups);
    raw.territories.PL = { ...raw.territories.AT, timeZone: "Europe/Warsaw" };
    const after = alertingRules(rulesFor(raw).groups);
    const ofPL = after.filter((r) => r.labels.territory === "PL");
    expect(before.filter((r) => r.labels.territory === "PL")).to.be.empty;
    expect(new Set(ofPL.map((r) => `${r.alert}/${r.labels.workload}`))).to.include.members([
      "FreshplanApiLatencyBudgetBurn/queries",
      "FreshplanApiP95AboveBudget/commands",
      "FreshplanApiP95Emergency/queries",
      "FreshplanScaledToMax/commands",
    ]);
    expect(after.length - before.length).to.equal(ofPL.length);
  });

  it("a changed latency budget changes the SLO bucket and the threshold", () => {
    const raw = rawStackConfig("prod");
    raw.territories.CH.queries.p95BudgetMs = 500;
    const text = JSON.stringify(rulesFor(raw).groups);
    expect(text).to.contain('territory=\\"CH\\",workload=\\"queries\\",le=\\"0.5\\"');
    expect(text).to.contain(
      'freshplan:api_latency:p95_seconds{namespace=\\"freshplan-production\\",' +
        'territory=\\"CH\\",workload=\\"queries\\"} > 0.5',
    );
  });

  it("rejects a budget that is not an exported SLO bucket, naming the path", () => {
    const raw = rawStackConfig("prod");
    raw.territories.CH.queries.p95BudgetMs = 220;
    expect(() => validateConfig(raw)).to.throw(
      /territories\.CH\.queries\.p95BudgetMs = 220: expected one of the SLO buckets/,
    );
    raw.alerts = { sloBucketsMs: [220, 300, 350] };
    expect(() => validateConfig(raw)).to.not.throw();
  });

  it("takes thresholds from alerts.* with the seed values as defaults", () => {
    const raw = rawStackConfig("prod");
    const defaults = rulesFor(raw);
    expect(defaults.config.alerts).to.include({
      notifyQueueWarning: 0.7,
      notifyQueueCritical: 0.95,
      journalLagSeconds: 60,
      p95EmergencyMs: 500,
      leadReminderSlaMinutes: 60,
    });
    raw.alerts = { journalLagSeconds: "120", runbookBaseUrl: "https://wiki.example/runbook" };
    const custom = alertingRules(rulesFor(raw).groups);
    const lag = custom.find((r) => r.alert === "FreshplanJournalLag")!;
    expect(lag.expr).to.match(/> 120$/);
    expect(lag.annotations.runbook_url).to.equal("https://wiki.example/runbook#freshplanjournallag");
  });

  it("every alert has severity, summary, a description and a runbook_url whose heading exists", () => {
    const runbook = fs.readFileSync(path.join(ROOT, "docs", "runbook-seasonal.md"), "utf8");
    const anchors = new Set([...runbook.matchAll(/^#{1,6} (.+)$/gm)].map((m) => headingAnchor(m[1])));
    const rules = alertingRules(rulesFor(rawStackConfig("prod")).groups);
    expect(new Set(rules.map((r) => r.alert))).to.have.all.keys(...ALERT_NAMES);
    const severities = new Map<string, Set<string>>();
    for (const rule of rules)
      severities.set(rule.alert, (severities.get(rule.alert) ?? new Set()).add(rule.labels.severity));
    // As documented in the README's alert table: ops route on name and severity.
    expect(Object.fromEntries([...severities].map(([name, s]) => [name, [...s].sort()]))).to.deep.equal(
      DOCUMENTED_SEVERITIES,
    );
    for (const rule of rules) {
      expect(rule.annotations.summary, rule.alert).to.not.be.empty;
      // A description names what it is about: the workload, or the label its expression groups by.
      const description = rule.annotations.description;
      if (rule.labels.territory) {
        expect(description, rule.alert).to.satisfy(
          (d: string) => d.includes(rule.labels.territory) || d.includes("{{ $labels.territory }}"),
        );
        expect(description, rule.alert).to.satisfy(
          (d: string) => d.includes(rule.labels.workload) || d.includes("{{ $labels.workload }}"),
        );
      }
      for (const [, label] of rule.expr.matchAll(/by \(([^)]*)\)/g)) {
        for (const name of label.split(",").map((l) => l.trim())) {
          expect(description, `${rule.alert} groups by ${name}`).to.include(`{{ $labels.${name} }}`);
        }
      }
      const anchor = rule.annotations.runbook_url.split("#")[1];
      expect(anchors, `${rule.alert}: ${rule.annotations.runbook_url}`).to.include(anchor);
    }
  });

  it("the runbook's own links point at headings that exist, and it covers the emergency procedures", () => {
    const runbook = fs.readFileSync(path.join(ROOT, "docs", "runbook-seasonal.md"), "utf8");
    const anchors = new Set([...runbook.matchAll(/^#{1,6} (.+)$/gm)].map((m) => headingAnchor(m[1])));
    const links = [...runbook.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(links).to.not.be.empty;
    for (const link of links) expect(anchors, link).to.include(link);
    for (const needed of [
      "oktoberfest",
      "weihnachten",
      "spargel",
      "pausing-or-pinning-scaling",
      "changing-a-season-window-or-capacity-safely",
    ])
      expect(anchors).to.include(needed);
    expect(runbook).to.contain("autoscaling.keda.sh/paused-replicas");
    expect(runbook).to.match(/pulumi config set --path 'seasons\[0\]\.lastDay'/);
  });

  it("the PrometheusRule, PodMonitor and exporter ConfigMap validate against their schemas", async () => {
    const { config, groups } = rulesFor(rawStackConfig("prod"));
    await validateAgainstSchema(prometheusRuleManifest(config, groups) as unknown as Record<string, unknown>);
    await validateAgainstSchema(apiPodMonitorManifest(config) as unknown as Record<string, unknown>);
    await validateAgainstSchema(journalExporterQueriesManifest(config) as unknown as Record<string, unknown>);
    const broken = {
      ...prometheusRuleManifest(config, groups),
      spec: { groups: [{ name: "x", rules: [{ alert: "X" }] }] },
    };
    await validateAgainstSchema(broken as unknown as Record<string, unknown>).then(
      () => expect.fail("a rule without expr must not validate"),
      (e: Error) => expect(e.message).to.match(/PrometheusRule/),
    );
  });

  it("every generated expression parses as PromQL; a broken one is reported with the rule's name", () => {
    const { groups } = rulesFor(rawStackConfig("prod"));
    expect(ruleSyntaxProblems(groups)).to.deep.equal([]);
    const [api, ...rest] = groups;
    const broken = api.rules.map((r) =>
      "alert" in r && r.alert === "FreshplanApiP95Emergency" && r.labels.territory === "CH"
        ? { ...r, expr: r.expr.replace(/> [\d.]+/, "> 0..5") }
        : r,
    );
    const problems = ruleSyntaxProblems([{ ...api, rules: broken }, ...rest]);
    expect(problems).to.have.length.greaterThan(0);
    expect(problems[0]).to.match(
      /^freshplan-api: alert FreshplanApiP95Emergency \(CH queries critical\): syntax error/,
    );
  });

  it("the exporter reads integration.event_metrics with a label per territory and 'all' for the total", () => {
    const queries = parse(journalExporterQueries()).freshplan_journal;
    expect(queries.query).to.match(/FROM integration\.event_metrics$/);
    expect(queries.query).to.contain("coalesce(territory::text, 'all') AS territory");
    const columns = queries.metrics.map((m: Record<string, unknown>) => Object.keys(m)[0]);
    expect(columns).to.include.members([
      "territory",
      "notify_queue_usage",
      "pending",
      "claimed",
      "failed",
      "oldest_pending_age_seconds",
      "handled_last_5m",
    ]);
  });

  it("under the mock runtime the stack yields a PrometheusRule, a PodMonitor and the exporter queries", async () => {
    for (const stack of ["prod", "staging"]) {
      const run = await runStack(stackFile(stack));
      const rule = run.resources.find((r) => r.inputs.kind === "PrometheusRule");
      expect(rule, stack).to.exist;
      const names = JSON.stringify(rule!.inputs.spec);
      for (const name of ALERT_NAMES) expect(names, `${stack}: ${name}`).to.contain(`"alert":"${name}"`);
      expect(run.resources.some((r) => r.inputs.kind === "PodMonitor")).to.equal(true);
      expect(
        run.resources.some(
          (r) =>
            r.inputs.kind === "ConfigMap" &&
            (r.inputs.metadata as { name: string }).name === "freshplan-journal-exporter-queries",
        ),
      ).to.equal(true);
    }
  });

  it("a config error in alerts.* stops the program before any resource", async () => {
    const raw = rawStackConfig("staging");
    raw.alerts = { notifyQueueWarning: 0.99 };
    await runStack(stackFileFrom("staging", raw)).then(
      () => expect.fail("expected the run to fail"),
      (e: Error) => expect(e.message).to.match(/alerts\.notifyQueueWarning = 0\.99/),
    );
  });
});
