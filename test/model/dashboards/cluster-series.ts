/**
 * Exporters shaped like what the cluster scrapes, for a stack plan: the API's Micrometer registry
 * per pod, kube-state-metrics' HPA series and KEDA's operator series. The scenario is fixed: DE queries is slow and at
 * its max and busy, the others idle in the Weihnachten season, two ScaledObjects have failing triggers.
 */
import type { Manifest } from "../../../model/keda/types";
import { kedaHpaName } from "../../../model/conventions";
import type { StackPlan } from "../../../model/stack-plan";

/** Micrometer's `le` spelling of the SLO buckets (Java doubles: 1 → "1.0"). */
const BUCKETS = ["0.05", "0.1", "0.2", "0.3", "0.35", "0.5", "1.0", "2.0", "+Inf"];

/**
 * DE queries' load: high enough that its 2 min RPS window reads above 25 % of the target per
 * replica after a few seconds of series, and its 1 h request rate passes the burn-rate traffic guard.
 */
const BUSY_RPS = 7200;

export interface ApiLane {
  readonly territory: string;
  readonly workload: string;
  readonly name: string;
  readonly rps: number;
  /** Share of requests that take 0.8 s; the rest take 0.04 s. */
  readonly slowShare: number;
}

export const lanesOf = (plan: StackPlan): ApiLane[] =>
  plan.scaling.workloads.map((w) => ({
    territory: w.territory,
    workload: w.workload,
    name: w.name,
    rps:
      w.territory === "DE" && w.workload === "queries"
        ? BUSY_RPS
        : w.territory === "CH" && w.workload === "queries"
          ? 0.2
          : 2,
    slowShare: w.territory === "DE" && w.workload === "queries" ? 0.8 : 0,
  }));

const started = Date.now();
const elapsed = () => 60 + (Date.now() - started) / 1000;

/** One API pod's /q/metrics: counters grow with wall time, so rate() sees the lane's RPS. */
export function apiPodMetrics(lane: ApiLane, business: { creditChecks: number; outbox: number }): string {
  const total = lane.rps * elapsed();
  const slow = total * lane.slowShare;
  const labels = 'method="GET",outcome="SUCCESS",status="200",uri="/api/orders"';
  const lines = ["# TYPE http_server_requests_seconds histogram"];
  for (const le of BUCKETS) {
    const within = le === "+Inf" || Number(le) >= 0.8 ? total : Number(le) >= 0.04 ? total - slow : 0;
    lines.push(`http_server_requests_seconds_bucket{${labels},le="${le}"} ${within.toFixed(3)}`);
  }
  lines.push(
    `http_server_requests_seconds_count{${labels}} ${total.toFixed(3)}`,
    `http_server_requests_seconds_sum{${labels}} ${(slow * 0.8 + (total - slow) * 0.04).toFixed(3)}`,
  );
  lines.push("# TYPE freshplan_credit_check_pending gauge", `freshplan_credit_check_pending ${business.creditChecks}`);
  lines.push("# TYPE freshplan_campaign_outbox_pending gauge", `freshplan_campaign_outbox_pending ${business.outbox}`);
  return `${lines.join("\n")}\n`;
}

interface ScaledObjectView {
  readonly namespace: string;
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly triggers: readonly { name: string; type: string }[];
}

/** The ScaledObjects exactly as the stack renders them (API workloads and event workers). */
export function scaledObjectsOf(objects: readonly Manifest[]): ScaledObjectView[] {
  return objects
    .filter((o) => o.kind === "ScaledObject")
    .map((o) => {
      const spec = (
        o as unknown as {
          spec: { minReplicaCount: number; maxReplicaCount: number; triggers: { name: string; type: string }[] };
        }
      ).spec;
      return {
        namespace: o.metadata.namespace!,
        name: o.metadata.name,
        min: spec.minReplicaCount,
        max: spec.maxReplicaCount,
        triggers: spec.triggers,
      };
    });
}

let scrapes = 0;
/** kube-state-metrics: DE queries runs at its max; CH queries flaps between two counts. */
export function kubeStateMetrics(scaled: readonly ScaledObjectView[]): string {
  scrapes++;
  const lines: string[] = [];
  for (const s of scaled) {
    const current =
      s.name === "freshplan-api-queries-de"
        ? s.max
        : s.name === "freshplan-api-queries-ch"
          ? s.min + (scrapes % 2)
          : s.min;
    const labels = `namespace="${s.namespace}",horizontalpodautoscaler="${kedaHpaName(s.name)}"`;
    lines.push(
      `kube_horizontalpodautoscaler_status_current_replicas{${labels}} ${current}`,
      `kube_horizontalpodautoscaler_status_desired_replicas{${labels}} ${current}`,
      `kube_horizontalpodautoscaler_spec_max_replicas{${labels}} ${s.max}`,
      `kube_horizontalpodautoscaler_spec_min_replicas{${labels}} ${s.min}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Triggers that fail on every poll: a Prometheus trigger of a commands and of a queries ScaledObject. */
export const FAILING = [
  { scaledObject: "freshplan-api-commands-de", scaler: "rps" },
  { scaledObject: "freshplan-api-queries-at", scaler: "p95-latency-guard" },
];
const ACTIVE = /^(rps|p95-latency-guard|journal-backlog|business-hours|season-weihnachten)$/;

/** KEDA's operator metrics as it exports them: `namespace` is the ScaledObject's (the scrape renames it). */
export function kedaOperatorMetrics(scaled: readonly ScaledObjectView[]): string {
  const lines = ["# TYPE keda_scaler_active gauge"];
  const errors = Math.floor(elapsed());
  for (const s of scaled) {
    s.triggers.forEach((t, i) => {
      const labels =
        `namespace="${s.namespace}",scaledObject="${s.name}",scaler="${t.name}",` +
        `triggerIndex="${i}",metric="s${i}-${t.type}",type="scaledobject"`;
      lines.push(`keda_scaler_active{${labels}} ${ACTIVE.test(t.name) ? 1 : 0}`);
      if (FAILING.some((f) => f.scaledObject === s.name && f.scaler === t.name))
        lines.push(`keda_scaler_detail_errors_total{${labels}} ${errors}`);
    });
  }
  for (const f of FAILING)
    lines.push(
      `keda_scaled_object_errors_total{namespace="${scaled[0].namespace}",` +
        `scaledObject="${f.scaledObject}",type="scaledobject"} ${errors}`,
    );
  return `${lines.join("\n")}\n`;
}
