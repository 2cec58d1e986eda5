/**
 * The rendered KEDA trigger queries against a real Prometheus server scraping Micrometer-shaped
 * exporters under the API PodMonitor's target labels: load and latency where there is traffic, 0
 * for a workload that is scraped but idle, and an empty result (KEDA: an error, so its fallback
 * acts) when the scrape is broken.
 */
import { expect } from "chai";
import * as path from "node:path";
import { apiPodMonitorManifest } from "../../../model/alerts/api-pod-monitor";
import { TRIGGER_NAMES } from "../../../model/conventions";
import { latencySignal, p95Query } from "../../../model/prometheus/promql";
import { buildScalingPlan } from "../../../model/scaling/plan";
import { scaledObjectManifest } from "../../../model/scaling/workload-manifests";
import { loadStackConfig } from "../../../scripts/stack-file";
import {
  MetricsEndpoint,
  PrometheusServer,
  podMonitorScrapeConfig,
  serveMetrics,
  startPrometheus,
} from "../../support/prometheus-server";
import { ROOT } from "../../support/stack-fixtures";

const config = loadStackConfig("prod", path.join(ROOT, "Pulumi.prod.yaml"));
const plan = buildScalingPlan(config, new Date("2026-03-02T12:00:00Z"));
const NS = config.namespace;
const workload = (territory: string, name: "queries" | "commands") =>
  plan.workloads.find((w) => w.territory === territory && w.workload === name)!;
const trigger = (territory: string, name: "queries" | "commands", trigger: string) =>
  workload(territory, name).triggers.find((t) => t.name === trigger)!;

/**
 * A Micrometer timer with SLO buckets; each scrape adds `perScrape` requests, 90 % within 0.2 s and the rest
 * within 1 s.
 */
function micrometerTimer(perScrape: number, withBuckets = true): () => string {
  let requests = 0;
  return () => {
    requests += perScrape;
    const tags = 'method="GET",outcome="SUCCESS",status="200",uri="/api/customers"';
    const fast = requests * 0.9;
    const lines = ["# TYPE http_server_requests_seconds histogram"];
    if (withBuckets) {
      for (const [le, n] of [
        ["0.05", 0],
        ["0.1", 0],
        ["0.2", fast],
        ["0.3", fast],
        ["0.35", fast],
        ["0.5", fast],
        ["1.0", requests],
        ["2.0", requests],
        ["+Inf", requests],
      ] as const) {
        lines.push(`http_server_requests_seconds_bucket{${tags},le="${le}"} ${n}`);
      }
    }
    lines.push(
      `http_server_requests_seconds_count{${tags}} ${requests}`,
      `http_server_requests_seconds_sum{${tags}} ${requests * 0.2}`,
    );
    return `${lines.join("\n")}\n# TYPE jvm_threads_live_threads gauge\njvm_threads_live_threads 42\n`;
  };
}

const onlyJvm = () => "# TYPE jvm_threads_live_threads gauge\njvm_threads_live_threads 42\n";

describe("KEDA trigger queries on a real Prometheus server", function () {
  this.timeout(90_000);
  let prometheus: PrometheusServer;
  const endpoints: MetricsEndpoint[] = [];

  before(async () => {
    const serve = async (render: () => string) => {
      const e = await serveMetrics(render);
      endpoints.push(e);
      return e.target;
    };
    const pod = (territory: string, name: string, target: string) => ({
      target,
      namespace: NS,
      pod: `freshplan-api-${name}-${territory.toLowerCase()}-7d9f-abcde`,
      container: "api",
      endpoint: "http",
      podLabels: {
        "app.kubernetes.io/name": "freshplan-api",
        "freshplan.io/territory": territory,
        "freshplan.io/workload": name,
      },
    });
    const relabelings = (apiPodMonitorManifest(config).spec as { podMetricsEndpoints: { relabelings: object[] }[] })
      .podMetricsEndpoints[0].relabelings;
    const targets = [
      pod("DE", "queries", await serve(micrometerTimer(50))), // traffic
      pod("DE", "commands", await serve(micrometerTimer(0))), // requested once, idle now
      pod("CH", "queries", await serve(onlyJvm)), // never requested since start
      pod("CH", "commands", "127.0.0.1:1"), // target down
      pod("AT", "queries", await serve(micrometerTimer(20, false))), // traffic without SLO buckets
    ];
    prometheus = await startPrometheus({
      scrapeConfigs: [
        podMonitorScrapeConfig({ namespace: NS, name: "freshplan-api" }, targets, { relabelings }),
        // The same pods under a PodMonitor that lost the job relabelling: `job` drifts to the default.
        podMonitorScrapeConfig(
          { namespace: NS, name: "freshplan-api-drifted" },
          [pod("AT", "commands", await serve(micrometerTimer(20)))],
          {
            relabelings: relabelings.filter((r) => (r as { targetLabel?: string }).targetLabel !== "job"),
          },
        ),
      ],
    });
    await prometheus.waitForScrapes(4);
  });

  after(async () => {
    await prometheus?.stop();
    await Promise.all(endpoints.map((e) => e.close()));
  });

  const single = async (query: string) => {
    const result = await prometheus.query(query);
    expect(result.length, `${query} → ${JSON.stringify(result)}`).to.be.at.most(1);
    return result[0]?.value;
  };

  it("renders both Prometheus triggers with ignoreNullValues false and a fallback that never scales in", () => {
    for (const w of plan.workloads) {
      const prometheusTriggers = w.triggers.filter((t) => t.type === "prometheus");
      expect(prometheusTriggers.map((t) => t.metadata.ignoreNullValues)).to.deep.equal(["false", "false"]);
      const spec = scaledObjectManifest(w).spec as { fallback: { behavior: string } };
      expect(spec.fallback.behavior).to.equal("currentReplicasIfHigher");
    }
  });

  it("reads load and p95 ÷ budget (with the hold band) where there is traffic", async () => {
    const rps = await single(trigger("DE", "queries", TRIGGER_NAMES.rps).metadata.query);
    expect(rps).to.be.greaterThan(0);
    const p95 = await single(p95Query(config.prometheus, workload("DE", "queries")));
    // 10 % of requests lie in (0.5 s, 1 s]: p95 = 0.5 + 0.5 × 0.5 = 0.75 s, 2.5 × the 300 ms budget.
    expect(p95).to.be.closeTo(0.75, 0.001);
    const latency = await single(trigger("DE", "queries", TRIGGER_NAMES.latencyGuard).metadata.query);
    expect(latency).to.be.closeTo(latencySignal(p95! / 0.3), 1e-9);
    expect(latency).to.be.closeTo(2.5, 0.01);
  });

  it("reads 0, not nothing, for a workload that is scraped but idle or never requested", async () => {
    for (const [territory, name] of [
      ["DE", "commands"],
      ["CH", "queries"],
    ] as const) {
      expect(
        await single(trigger(territory, name, TRIGGER_NAMES.rps).metadata.query),
        `${territory} ${name} rps`,
      ).to.equal(0);
      expect(
        await single(trigger(territory, name, TRIGGER_NAMES.latencyGuard).metadata.query),
        `${territory} ${name} latency`,
      ).to.equal(0);
    }
  });

  it("reads nothing (an error for KEDA) when the target is down or the job label drifted", async () => {
    for (const [territory, name] of [
      ["CH", "commands"],
      ["AT", "commands"],
    ] as const) {
      expect(
        await prometheus.query(trigger(territory, name, TRIGGER_NAMES.rps).metadata.query),
        `${territory} ${name} rps`,
      ).to.deep.equal([]);
      expect(
        await prometheus.query(trigger(territory, name, TRIGGER_NAMES.latencyGuard).metadata.query),
        `${territory} ${name} latency`,
      ).to.deep.equal([]);
    }
  });

  it("reads nothing for latency when requests come without the SLO buckets, while load still reads", async () => {
    expect(await single(trigger("AT", "queries", TRIGGER_NAMES.rps).metadata.query)).to.be.greaterThan(0);
    expect(await prometheus.query(trigger("AT", "queries", TRIGGER_NAMES.latencyGuard).metadata.query)).to.deep.equal(
      [],
    );
  });
});
