/**
 * KEDA's own metrics as a real Prometheus server stores them when scraped through the chart's
 * PodMonitor (target labels of the `keda` namespace, `honor_labels: false`), with the metric
 * relabelings the stack sets in the chart values: the KEDA alerts' expressions find them. Without
 * the relabelings they find nothing, which is how they could never fire.
 */
import { expect } from "chai";
import * as path from "node:path";
import { alertRuleGroups, alertingRules } from "../../../model/alerts/rules";
import { KEDA_METRIC_RELABELINGS, kedaHelmValues } from "../../../model/keda/helm-values";
import { buildScalingPlan } from "../../../model/scaling/plan";
import { loadStackConfig } from "../../../scripts/stack-file";
import {
  MetricsEndpoint,
  PrometheusServer,
  podMonitorScrapeConfig,
  serveMetrics,
  startPrometheus,
} from "../../support/prometheus-server";
import { ROOT, rawStackConfig } from "../../support/stack-fixtures";
import { validateConfig } from "../../../model/config/validate";

const config = loadStackConfig("prod", path.join(ROOT, "Pulumi.prod.yaml"));
const NS = config.namespace;
const SO = "freshplan-api-queries-de";
const KEDA_ALERTS = ["FreshplanKedaScalerErrors", "FreshplanKedaScaledObjectErrors", "FreshplanPreScaleWithoutLoad"];

/** What keda-operator exports: its metrics carry the ScaledObject's namespace as `namespace`. */
function kedaOperatorMetrics(): () => string {
  let errors = 0;
  return () => {
    errors += 1;
    const so = `namespace="${NS}",scaledObject="${SO}"`;
    return [
      "# TYPE keda_scaler_detail_errors_total counter",
      `keda_scaler_detail_errors_total{${so},scaler="rps",triggerIndex="0",` +
        `metric="s0-prometheus",type="scaledobject"} ${errors}`,
      "# TYPE keda_scaled_object_errors_total counter",
      `keda_scaled_object_errors_total{${so}} ${errors}`,
      "# TYPE keda_scaler_active gauge",
      `keda_scaler_active{${so},scaler="season-oktoberfest",triggerIndex="2",` +
        `metric="s2-cron-europe-berlin-001009-00017-10",type="scaledobject"} 1`,
      "# TYPE go_goroutines gauge",
      "go_goroutines 120",
      "",
    ].join("\n");
  };
}

const kubeStateMetrics = () =>
  [
    "# TYPE kube_horizontalpodautoscaler_status_current_replicas gauge",
    `kube_horizontalpodautoscaler_status_current_replicas{namespace="${NS}",` +
      `horizontalpodautoscaler="keda-hpa-${SO}"} 6`,
    "",
  ].join("\n");

async function kedaAlertExpressions(): Promise<Map<string, string>> {
  const groups = alertRuleGroups(config, buildScalingPlan(config, new Date("2026-09-10T12:00:00Z")));
  const rules = alertingRules(groups).filter(
    (r) =>
      KEDA_ALERTS.includes(r.alert) &&
      (r.labels.territory === undefined || (r.labels.territory === "DE" && r.labels.workload === "queries")),
  );
  return new Map(rules.map((r) => [r.alert, r.expr]));
}

describe("KEDA's own metrics on a real Prometheus server", function () {
  this.timeout(90_000);
  const servers: PrometheusServer[] = [];
  const endpoints: MetricsEndpoint[] = [];

  async function scrapeKeda(metricRelabelings: readonly object[]): Promise<PrometheusServer> {
    const keda = await serveMetrics(kedaOperatorMetrics());
    const ksm = await serveMetrics(kubeStateMetrics);
    endpoints.push(keda, ksm);
    const prometheus = await startPrometheus({
      scrapeConfigs: [
        podMonitorScrapeConfig(
          { namespace: "keda", name: "keda-operator" },
          [
            {
              target: keda.target,
              namespace: "keda",
              pod: "keda-operator-6c8d9f7b5-q4w2e",
              container: "keda-operator",
              endpoint: "metrics",
              podLabels: { app: "keda-operator" },
            },
          ],
          { metricRelabelings },
        ),
        // kube-prometheus-stack scrapes kube-state-metrics with honorLabels, keeping the object's namespace.
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
      ],
    });
    servers.push(prometheus);
    await prometheus.waitForScrapes(4);
    return prometheus;
  }

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await Promise.all(endpoints.map((e) => e.close()));
  });

  it("puts the rule labels and the namespace relabelings on both KEDA PodMonitors", () => {
    const raw = rawStackConfig("prod");
    raw.alerts = { ...(raw.alerts ?? {}), ruleLabels: { release: "kube-prometheus-stack" } };
    const values = kedaHelmValues(validateConfig(raw)) as {
      prometheus: Record<
        string,
        { podMonitor: { enabled: boolean; additionalLabels: object; metricRelabelings: object[] } }
      >;
    };
    for (const component of ["operator", "metricServer"]) {
      const podMonitor = values.prometheus[component].podMonitor;
      expect(podMonitor.enabled).to.equal(true);
      expect(podMonitor.additionalLabels).to.deep.equal({ release: "kube-prometheus-stack" });
      expect(podMonitor.metricRelabelings).to.deep.equal(KEDA_METRIC_RELABELINGS);
    }
  });

  it("the KEDA alerts' expressions select KEDA's series once the chart values relabel them", async () => {
    const prometheus = await scrapeKeda(KEDA_METRIC_RELABELINGS);
    const stored = await prometheus.query(`keda_scaled_object_errors_total`);
    expect(stored.map((s) => s.metric.namespace)).to.deep.equal([NS]);
    expect(stored[0].metric.exported_namespace).to.equal(undefined);
    expect(
      (await prometheus.query("go_goroutines"))[0].metric.namespace,
      "a series without KEDA's label keeps the pod's namespace",
    ).to.equal("keda");
    for (const [alert, expr] of await kedaAlertExpressions()) {
      expect(await prometheus.query(expr), `${alert}: ${expr}`).to.have.length.greaterThan(0);
    }
  });

  it("without the relabelings the operator's target label wins and the expressions select nothing", async () => {
    const prometheus = await scrapeKeda([]);
    const stored = await prometheus.query(`keda_scaled_object_errors_total`);
    expect(stored[0].metric).to.include({ namespace: "keda", exported_namespace: NS });
    for (const [alert, expr] of await kedaAlertExpressions()) {
      expect(await prometheus.query(expr), `${alert}: ${expr}`).to.deep.equal([]);
    }
  });
});
