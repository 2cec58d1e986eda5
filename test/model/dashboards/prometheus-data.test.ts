/**
 * Every dashboard panel against a real Prometheus fed series shaped as the cluster scrapes them: data for every
 * territory, no empty selector.
 */
import { expect } from "chai";
import { ChildProcess, spawn } from "node:child_process";
import crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Client } from "pg";
import { apiPodMonitorManifest } from "../../../model/alerts/api-pod-monitor";
import { prometheusRuleFile } from "../../../model/alerts/rules";
import { API_APP_NAME, JOURNAL_EXPORTER, TERRITORY_LABEL, WORKLOAD_LABEL } from "../../../model/conventions";
import { journalExporterPodMonitorManifest, journalExporterQueries } from "../../../model/journal/exporter";
import { buildStackPlan } from "../../../model/stack-plan";
import { scaledObjectManifest } from "../../../model/scaling/workload-manifests";
import { loadStackConfig } from "../../../scripts/stack-file";
import { syncLeadTerritories } from "../../../db/lead-territories";
import { connectClient, journalDatabase, sharedPostgres, waitFor } from "../../support/postgres";
import {
  MetricsEndpoint,
  PrometheusServer,
  podMonitorScrapeConfig,
  serveMetrics,
  startPrometheus,
} from "../../support/prometheus-server";
import { ROOT } from "../../support/stack-fixtures";
import {
  FAILING,
  apiPodMetrics,
  kedaOperatorMetrics,
  kubeStateMetrics,
  lanesOf,
  scaledObjectsOf,
} from "./cluster-series";
import { interpolate, panelQueries, vectorSelectors } from "./panel-queries";
import { freePort } from "../../support/free-port";

type PodMonitorSpec = { podMetricsEndpoints: { relabelings?: object[] }[] };
const EXPORTER_HINT =
  "prometheus-postgres-exporter is not installed: run `apt-get update && apt-get install -y " +
  "prometheus-postgres-exporter`";

describe("dashboards and alerts on a real Prometheus fed with the cluster's series", function () {
  this.timeout(180_000);
  const plan = buildStackPlan(
    loadStackConfig("prod", path.join(ROOT, "Pulumi.prod.yaml")),
    new Date("2026-11-23T00:00:00Z"),
  );
  const ns = plan.config.namespace;
  const endpoints: MetricsEndpoint[] = [];
  const role = `test_dash_${crypto.randomBytes(3).toString("hex")}`;
  const password = crypto.randomBytes(12).toString("hex");
  let admin: Client;
  let exporter: ChildProcess | undefined;
  let prometheus: PrometheusServer;

  before(async () => {
    // The journal: a real PostgreSQL read by the real postgres_exporter with the stack's query file.
    const server = await sharedPostgres();
    const url = await journalDatabase(server, "dashboards");
    const database = new URL(url).pathname.slice(1);
    admin = await connectClient(url);
    // The exporter's login as the stack makes it: in the journal's and lead protection's monitor groups.
    await admin.query(
      `CREATE ROLE ${role} LOGIN PASSWORD '${password}' IN ROLE freshplan_journal_monitor, freshplan_lead_monitor`,
    );
    await admin.query(`GRANT CONNECT ON DATABASE ${database} TO freshplan_journal_monitor`);
    await syncLeadTerritories(url, plan.leadProtection!.territoryTimeZones);
    // A DE lead whose 60 days ran out two hours ago and whose reminder is still unsent: overdue.
    await admin.query(
      "SELECT lead_protection.register_claim('lead-1', 'agent-1', 'DE', now() - interval '60 days 2 hours')",
    );
    for (const t of ["DE", "DE", "DE", "CH", "CH", "AT"])
      await admin.query(`SELECT integration.enqueue_event('order.created', 'org-1', $1, 'c', '{}'::jsonb)`, [t]);
    // DE's oldest event waits for five minutes (journal lag); CH has one claimed, AT one handled.
    await admin.query(
      `UPDATE integration.event_journal SET created_at = now() - interval '5 minutes' WHERE id = (SELECT ` +
        `min(id) FROM integration.event_journal WHERE territory = 'DE')`,
    );
    await admin.query(`SELECT * FROM integration.claim_events('CH', 1, 'worker-ch')`);
    await admin.query(
      `UPDATE integration.event_journal SET state = 'handled', handled_at = now() WHERE territory = 'AT'`,
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-exporter-"));
    fs.writeFileSync(path.join(dir, "queries.yaml"), journalExporterQueries());
    const exporterPort = await freePort();
    exporter = spawn(
      "prometheus-postgres-exporter",
      [
        `--extend.query-path=${path.join(dir, "queries.yaml")}`,
        "--disable-default-metrics",
        "--disable-settings-metrics",
        `--web.listen-address=127.0.0.1:${exporterPort}`,
      ],
      {
        env: { ...process.env, DATA_SOURCE_NAME: `${server.urlAs(role, password, database)}?sslmode=disable` },
        stdio: "ignore",
      },
    );
    const spawned = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      exporter!.once("error", resolve);
      exporter!.once("spawn", () => resolve(undefined));
    });
    if (spawned?.code === "ENOENT") throw new Error(EXPORTER_HINT);

    // The API pods, kube-state-metrics and KEDA's operator, scraped under their monitors' target labels.
    const scaled = scaledObjectsOf(
      [...plan.scaling.workloads, ...(plan.journal?.workers ?? [])].map(scaledObjectManifest),
    );
    const apiEndpoint = apiPodMonitorManifest(plan.config) as unknown as {
      spec: { podMetricsEndpoints: { relabelings: object[] }[] };
    };
    const apiTargets = [];
    for (const lane of lanesOf(plan)) {
      const business = lane.territory === "DE" ? { creditChecks: 60, outbox: 6000 } : { creditChecks: 10, outbox: 100 };
      const endpoint = await serveMetrics(() => apiPodMetrics(lane, business));
      endpoints.push(endpoint);
      apiTargets.push({
        target: endpoint.target,
        namespace: ns,
        pod: `${lane.name}-0`,
        container: "api",
        endpoint: "http",
        podLabels: {
          "app.kubernetes.io/name": API_APP_NAME,
          [TERRITORY_LABEL]: lane.territory,
          [WORKLOAD_LABEL]: lane.workload,
        },
      });
    }
    const ksm = await serveMetrics(() => kubeStateMetrics(scaled));
    const keda = await serveMetrics(() => kedaOperatorMetrics(scaled));
    endpoints.push(ksm, keda);
    prometheus = await startPrometheus({
      ruleFiles: [prometheusRuleFile(plan.alertGroups)],
      scrapeConfigs: [
        podMonitorScrapeConfig({ namespace: ns, name: API_APP_NAME }, apiTargets, {
          relabelings: apiEndpoint.spec.podMetricsEndpoints[0].relabelings,
        }),
        podMonitorScrapeConfig(
          { namespace: ns, name: JOURNAL_EXPORTER },
          [
            {
              target: `127.0.0.1:${exporterPort}`,
              namespace: ns,
              pod: `${JOURNAL_EXPORTER}-0`,
              container: "postgres-exporter",
              endpoint: "metrics",
            },
          ],
          {
            relabelings: (journalExporterPodMonitorManifest(plan.config, plan.journal!).spec as PodMonitorSpec)
              .podMetricsEndpoints[0].relabelings,
          },
        ),
        // kube-prometheus-stack scrapes kube-state-metrics with honorLabels, so `namespace` is the HPA's.
        podMonitorScrapeConfig(
          { namespace: "monitoring", name: "kube-state-metrics" },
          [
            {
              target: ksm.target,
              namespace: "monitoring",
              pod: "kube-state-metrics-0",
              container: "kube-state-metrics",
              endpoint: "http",
            },
          ],
          { honorLabels: true },
        ),
        // KEDA's PodMonitors copy the exported ScaledObject namespace over the operator pod's.
        podMonitorScrapeConfig(
          { namespace: "keda", name: "keda-operator" },
          [
            {
              target: keda.target,
              namespace: "keda",
              pod: "keda-operator-0",
              container: "keda-operator",
              endpoint: "metrics",
            },
          ],
          {
            metricRelabelings: [
              { sourceLabels: ["exported_namespace"], regex: "(.+)", targetLabel: "namespace", action: "replace" },
              { regex: "exported_namespace", action: "labeldrop" },
            ],
          },
        ),
      ],
    });
    await prometheus.waitForScrapes(3);
    // A dead letter while Prometheus watches: the failed count rises within the 15 minute window.
    await admin.query(
      `UPDATE integration.event_journal SET state = 'failed', handled_at = now() WHERE id = (SELECT max(id) ` +
        `FROM integration.event_journal WHERE territory = 'CH')`,
    );
    await waitFor(
      "the dead letter to be scraped",
      async () => (await prometheus.query('freshplan_journal_failed{territory="CH"} > 0')).length > 0,
      20_000,
    );
    await prometheus.waitForScrapes(15, 60_000);
  });

  after(async () => {
    await prometheus?.stop();
    exporter?.kill("SIGTERM");
    for (const e of endpoints) await e.close();
    await admin?.query(`DROP OWNED BY ${role}`).catch(() => undefined);
    await admin?.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin?.end();
  });

  const territories = Object.keys(plan.config.territories);
  const variableSets = territories.flatMap((territory) =>
    [".+", FAILING[0].scaledObject].map((scaledobject) => ({
      territory,
      scaledobject,
      __range: "1h",
      __range_s: "3600",
    })),
  );

  it(
    "returns data for every panel query, " + "and every panel has data for each territory and ScaledObject choice",
    async () => {
      const empty: string[] = [];
      const withData = async (expr: string) => (await prometheus.query(expr)).length > 0;
      for (const d of plan.dashboards) {
        for (const p of d.spec.rows.flatMap((r) => r.panels)) {
          const variable = p.queries.some((q) => /\$(territory|scaledobject)/.test(q.expr));
          for (const vars of variable ? variableSets : variableSets.slice(0, 1)) {
            const results = await Promise.all(p.queries.map((q) => withData(interpolate(q.expr, vars))));
            // With all ScaledObjects selected every query has data; one ScaledObject fills its own series.
            const complete = vars.scaledobject === ".+" ? results.every(Boolean) : results.some(Boolean);
            if (!complete)
              empty.push(
                `${d.spec.name} / ${p.title} (${vars.territory}, ${vars.scaledobject}): ${p.queries
                  .filter((_, i) => !results[i])
                  .map((q) => interpolate(q.expr, vars))
                  .join(" ; ")}`,
              );
          }
        }
        for (const a of d.spec.annotations) {
          if (!(await withData(interpolate(a.expr, variableSets[0]))))
            empty.push(`${d.spec.name} annotation ${a.name}: ${a.expr}`);
        }
      }
      // The dashboards' own JSON carries the same queries as their specs.
      expect(panelQueries(plan.dashboards).map((q) => q.expr)).to.deep.equal(
        plan.dashboards.flatMap((d) =>
          d.spec.rows.flatMap((r) => r.panels.flatMap((p) => p.queries.map((q) => q.expr))),
        ),
      );
      expect(empty, `${empty.join("\n")}\n${prometheus.logTail()}`).to.deep.equal([]);
    },
  );

  it("splits per-territory panels into exactly the stack's territories", async () => {
    const perTerritory = panelQueries(plan.dashboards).filter((q) => q.legend.startsWith("{{territory}}"));
    expect(perTerritory.length).to.be.greaterThan(5);
    for (const q of perTerritory) {
      const series = await prometheus.query(interpolate(q.expr, variableSets[0]));
      expect(series.map((s) => s.metric.territory).sort(), `${q.dashboard} / ${q.panel.title}`).to.deep.equal(
        [...territories].sort(),
      );
    }
  });

  it("queries no metric or label value that nothing produces", async () => {
    const missing = new Set<string>();
    for (const q of panelQueries(plan.dashboards)) {
      for (const selector of vectorSelectors(interpolate(q.expr, variableSets[0]))) {
        if ((await prometheus.query(`count(${selector})`)).length === 0)
          missing.add(`${q.dashboard} / ${q.panel.title}: ${selector}`);
      }
    }
    expect([...missing]).to.deep.equal([]);
  });

  it("provokes the scenario's alerts, with the labels they route on, and no others", async () => {
    await waitFor(
      "the alerts to be evaluated",
      async () => (await prometheus.alerts()).some((a) => a.labels.alertname === "FreshplanJournalDeadLetters"),
      20_000,
    );
    const active = (await prometheus.alerts()).map((a) =>
      [a.labels.alertname, a.labels.severity, a.labels.territory ?? "", a.labels.workload ?? ""].join(" "),
    );
    const expected = [
      "FreshplanApiLatencyBudgetBurn critical DE queries",
      // 80 % slow requests exceed the slow-burn threshold too; Alertmanager inhibits this warning.
      "FreshplanApiLatencyBudgetBurn warning DE queries",
      "FreshplanApiP95AboveBudget warning DE queries",
      "FreshplanApiP95Emergency critical DE queries",
      "FreshplanScaledToMax critical DE queries",
      // Every workload is held up by the Weihnachten floor; all but DE queries idle below 25 % of target.
      ...plan.scaling.workloads
        .filter((w) => w.name !== "freshplan-api-queries-de")
        .map((w) => `FreshplanPreScaleWithoutLoad info ${w.territory} ${w.workload}`),
      "FreshplanJournalLag critical DE ",
      "FreshplanJournalDeadLetters warning CH ",
      "FreshplanCreditCheckBacklog warning DE ",
      "FreshplanCampaignOutboxBacklog warning DE ",
      "FreshplanLeadReminderSlaBreach warning DE ",
    ];
    for (const alert of expected) expect(active, `${alert} among\n${active.join("\n")}`).to.include(alert);
    expect(active.filter((a) => a.startsWith("FreshplanKedaScalerErrors warning")).length).to.equal(FAILING.length);
    expect(active.filter((a) => a.startsWith("FreshplanKedaScaledObjectErrors warning")).length).to.equal(
      FAILING.length,
    );
    const unexpected = active.filter((a) => !expected.includes(a) && !a.startsWith("FreshplanKeda"));
    expect(unexpected, unexpected.join("\n")).to.deep.equal([]);
  });
});
