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

export function workloadSelector(p: PrometheusSettings, territory: string, workload: WorkloadName): string {
  return `{job=${promString(p.job)},${p.territoryLabel}=${promString(territory)},${p.workloadLabel}=${promString(workload)}}`;
}

/** Total requests per second of one territory's workload; KEDA divides it by the per-replica target. */
export function rpsQuery(p: PrometheusSettings, territory: string, workload: WorkloadName): string {
  return `sum(rate(${p.requestMetric}_count${workloadSelector(p, territory, workload)}[${p.rateWindow}]))`;
}

/** p95 latency in seconds over the latency window; buckets are summed by `le` before the quantile. */
export function p95Query(p: PrometheusSettings, territory: string, workload: WorkloadName): string {
  return `histogram_quantile(0.95, sum by (le) (rate(${p.requestMetric}_bucket${workloadSelector(p, territory, workload)}[${p.latencyWindow}])))`;
}

/**
 * The latency guard: the request rate inflated by how far p95 exceeds the budget, so that with the
 * same AverageValue threshold as the RPS trigger it asks for proportionally more replicas when the
 * service is slow although RPS looks fine. Within budget the factor is 1 (same answer as the RPS
 * trigger). With no traffic the quantile is NaN; `NaN > 1` is false, so the factor falls back to 1
 * and the product is the (zero) request rate. Only a missing series empties it, which the trigger
 * treats as an error (ignoreNullValues: false) so KEDA's fallback acts. Using AverageValue keeps
 * that fallback available, which older KEDA versions do not support for Value metrics.
 */
export function latencyGuardQuery(p: PrometheusSettings, territory: string, workload: WorkloadName, budgetMs: number): string {
  const budgetSeconds = promNumber(budgetMs / 1000);
  return `${rpsQuery(p, territory, workload)} * on() ((${p95Query(p, territory, workload)} / ${budgetSeconds} > 1) or on() vector(1))`;
}
