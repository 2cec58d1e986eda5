/**
 * The PromQL behind the Prometheus triggers. Label names and the metric come from stack config so
 * the queries follow whatever the API's Micrometer registry and the scrape config produce.
 */
import type { FreshplanConfig, WorkloadName } from "../config/schema";

export type PrometheusSettings = FreshplanConfig["prometheus"];

/** PromQL string literal (Go-style escapes; JSON's are a compatible subset for label values). */
export const promString = (value: string) => JSON.stringify(value);

/** Number literal for PromQL: no exponent, no float noise such as 0.30000000000000004. */
export const promNumber = (n: number) => String(Number(n.toFixed(6)));

/** One territory workload of one stack: the namespace keeps stacks that share a Prometheus apart. */
export interface WorkloadScope {
  readonly namespace: string;
  readonly territory: string;
  readonly workload: WorkloadName;
}

/**
 * The API workload's series as the PodMonitor stores them: `namespace` is the target label
 * prometheus-operator sets from the pod, so prod and staging never read each other's series.
 */
export function workloadSelector(p: PrometheusSettings, s: WorkloadScope): string {
  return (
    `{namespace=${promString(s.namespace)},job=${promString(p.job)},` +
    `${p.territoryLabel}=${promString(s.territory)},${p.workloadLabel}=${promString(s.workload)}}`
  );
}

/**
 * 0 while the workload's targets are scraped (`up == 1`), nothing when they are not: the zero a
 * trigger may read for an idle workload. A broken scrape (target down, PodMonitor not selected,
 * `job` or label drift) leaves the query empty, which KEDA reports as an error (ignoreNullValues
 * false) so that its fallback acts instead of scaling to the floor.
 */
export function scrapedButIdle(p: PrometheusSettings, s: WorkloadScope): string {
  return `(0 * count(up${workloadSelector(p, s)} == 1))`;
}

/** Total requests per second of one territory's workload; KEDA divides it by the per-replica target. */
export function rpsQuery(p: PrometheusSettings, s: WorkloadScope): string {
  return `sum(rate(${p.requestMetric}_count${workloadSelector(p, s)}[${p.rateWindow}]))`;
}

/** The RPS trigger's query: the request rate, 0 when scraped but idle, empty when the scrape is broken. */
export function rpsTriggerQuery(p: PrometheusSettings, s: WorkloadScope): string {
  return `${rpsQuery(p, s)} or on() ${scrapedButIdle(p, s)}`;
}

/** p95 latency in seconds over the latency window; buckets are summed by `le` before the quantile. */
export function p95Query(p: PrometheusSettings, s: WorkloadScope): string {
  return (
    `histogram_quantile(0.95, sum by (le) ` +
    `(rate(${p.requestMetric}_bucket${workloadSelector(p, s)}[${p.latencyWindow}])))`
  );
}

/**
 * Below this share of the budget the latency signal lets replicas go; between it and the budget
 * it holds the count. p95 grows faster than 1/replicas near saturation, so a plain p95 ÷ budget
 * can skip from above the budget at n replicas to far below it at n + 1 and propose n again: the
 * control-loop simulation (test/model/simulation) flaps that way on a queueing curve, and settles
 * with a hold band from 0.6 (0.7 still flapped in one case).
 */
export const LATENCY_HOLD_FROM = 0.6;

/**
 * The latency trigger's query for a `Value` metric with threshold 1: with r = p95 ÷ budget it reads
 * r above the budget (the HPA proposes ⌈ready replicas × r⌉), exactly 1 within [0.6, 1] (hold), and
 * r ÷ 0.6 below (let replicas go proportionally). It depends on the replicas that run, so it holds
 * where p95 meets the budget; a count-independent formula flaps around that point.
 *
 * With no traffic the quantile is NaN, which KEDA would report as an error: `>= 0` drops NaN, and
 * the `or` terms give 0 when the workload is scraped but has no requests in the window (or never
 * had one). With traffic but no buckets (SLO buckets not published) every term is empty: an error,
 * not a zero.
 */
export function latencyRatioQuery(p: PrometheusSettings, s: WorkloadScope, budgetMs: number): string {
  const selector = workloadSelector(p, s);
  const requests = `${p.requestMetric}_count${selector}`;
  const ratio = `(${p95Query(p, s)} / ${promNumber(budgetMs / 1000)} >= 0)`;
  return (
    `(clamp_max(${ratio} / ${promNumber(LATENCY_HOLD_FROM)}, 1) + clamp_min(${ratio} - 1, 0))` +
    ` or on() (sum(rate(${requests}[${p.latencyWindow}])) == 0)` +
    ` or on() (${scrapedButIdle(p, s)} unless on() count(${requests}))`
  );
}

/** The value latencyRatioQuery yields for a p95 ÷ budget of `ratio` (the simulation drives the HPA with it). */
export const latencySignal = (ratio: number) => Math.min(ratio / LATENCY_HOLD_FROM, 1) + Math.max(ratio - 1, 0);
