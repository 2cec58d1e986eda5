/**
 * The API group: recording rules for RPS, p95 and the latency SLO per territory and workload, and
 * the alerts that read them. They share one group because Prometheus evaluates a group's rules
 * in order, so an alert always sees the recordings of the same evaluation.
 */
import { AlertSettings, BURN_RATE_WINDOWS } from "../config/alert-settings";
import type { FreshplanConfig } from "../config/schema";
import { RECORDING_RULES, kedaHpaName } from "../conventions";
import { p95Query, promNumber, promString, rpsQuery, workloadSelector } from "../prometheus/promql";
import type { WorkloadScaling } from "../scaling/plan";
import { AlertingRule, RecordingRule, Rule, RuleGroup, runbookUrl } from "./rule-types";

const { rps: RPS, p95: P95, requestRate, sloMissRatio } = RECORDING_RULES;

/** Every window the burn-rate alerts read, each recorded once. */
export const SLO_WINDOWS = [...new Set(BURN_RATE_WINDOWS.flatMap((w) => [w.short, w.long]))];

/**
 * Micrometer writes `le` with Java's double formatting: 0.3 → "0.3" but 1 → "1.0", while other
 * clients write "1". Whole seconds match both spellings.
 */
export function bucketMatcher(budgetMs: number): string {
  const seconds = promNumber(budgetMs / 1000);
  return Number.isInteger(budgetMs / 1000) ? `le=~"${seconds}|${seconds}\\\\.0"` : `le=${promString(seconds)}`;
}

const hpaSelector = (w: WorkloadScaling) =>
  `{namespace=${promString(w.namespace)},horizontalpodautoscaler=${promString(kedaHpaName(w.name))}}`;
/**
 * A recording of this stack's workload: the recordings carry the namespace so stacks sharing a Prometheus never
 * collide.
 */
const seriesOf = (metric: string, w: WorkloadScaling) =>
  `${metric}{namespace=${promString(w.namespace)},territory=${promString(w.territory)},` +
  `workload=${promString(w.workload)}}`;

function recordingRules(config: FreshplanConfig, w: WorkloadScaling): RecordingRule[] {
  const p = config.prometheus;
  const labels = { namespace: w.namespace, territory: w.territory, workload: w.workload };
  const selector = workloadSelector(p, w);
  const withinBudget = selector.replace(/}$/, `,${bucketMatcher(w.p95BudgetMs)}}`);
  const allRequests = selector.replace(/}$/, `,le="+Inf"}`);
  return [
    { record: RPS, expr: rpsQuery(p, w), labels },
    { record: P95, expr: p95Query(p, w), labels },
    ...SLO_WINDOWS.flatMap((window) => [
      { record: requestRate(window), expr: `sum(rate(${p.requestMetric}_count${selector}[${window}]))`, labels },
      {
        record: sloMissRatio(window),
        // Both sides from the same histogram: `_count` and the buckets are separate series that a
        // scrape or a restart can leave out of step, and a ratio over two of them can leave [0, 1].
        expr:
          `1 - (sum(rate(${p.requestMetric}_bucket${withinBudget}[${window}])) / ` +
          `sum(rate(${p.requestMetric}_bucket${allRequests}[${window}])))`,
        labels,
      },
    ]),
  ];
}

function burnRateAlerts(a: AlertSettings, w: WorkloadScaling): AlertingRule[] {
  const errorBudget = 1 - a.latencyObjectivePercent / 100;
  const pairs = (severity: string) => BURN_RATE_WINDOWS.filter((b) => b.severity === severity);
  const condition = (b: (typeof BURN_RATE_WINDOWS)[number]) => {
    const threshold = promNumber(b.factor * errorBudget);
    // The traffic guard reads the long window: a ratio over a handful of night-time requests
    // is noise, and one slow request must not page anyone.
    return (
      `(${seriesOf(sloMissRatio(b.long), w)} > ${threshold}` +
      ` and ${seriesOf(sloMissRatio(b.short), w)} > ${threshold}` +
      ` and ${seriesOf(requestRate(b.long), w)} >= ${promNumber(a.minTrafficRps)})`
    );
  };
  const rule = (severity: "critical" | "warning", forDuration?: string): AlertingRule => {
    const used = pairs(severity);
    const windows = used.map((b) => `${b.factor}× over ${b.long} and ${b.short}`).join(", or ");
    return {
      alert: "FreshplanApiLatencyBudgetBurn",
      expr: used.map(condition).join(" or "),
      ...(forDuration ? { for: forDuration } : {}),
      labels: { severity, namespace: w.namespace, territory: w.territory, workload: w.workload },
      annotations: {
        summary:
          `${w.territory} ${w.workload} is burning its latency error budget ` +
          `(${severity === "critical" ? "fast" : "slow"} burn)`,
        description:
          `{{ $labels.territory }} {{ $labels.workload }}: {{ $value | humanizePercentage }} of requests ` +
          `took longer than ${w.p95BudgetMs} ms; ` +
          `the SLO allows ${promNumber(errorBudget * 100)} %. Budget burn ${windows}.`,
        runbook_url: runbookUrl(a, "FreshplanApiLatencyBudgetBurn"),
      },
    };
  };
  // The page follows the SRE workbook: no `for:`, the short window already ignores a blip and
  // resets the alert soon after recovery. The ticket keeps 15m so the 3-day condition does not flap.
  return [rule("critical"), rule("warning", "15m")];
}

function latencyAlerts(a: AlertSettings, w: WorkloadScaling): AlertingRule[] {
  const budget = promNumber(w.p95BudgetMs / 1000);
  const traffic = `${seriesOf(RPS, w)} >= ${promNumber(a.minTrafficRps)}`;
  const labels = { namespace: w.namespace, territory: w.territory, workload: w.workload };
  const atMax =
    `max(kube_horizontalpodautoscaler_status_current_replicas${hpaSelector(w)}) >= ` +
    `max(kube_horizontalpodautoscaler_spec_max_replicas${hpaSelector(w)})`;
  return [
    {
      alert: "FreshplanApiP95AboveBudget",
      expr: `${seriesOf(P95, w)} > ${budget} and ${traffic}`,
      for: a.p95AboveBudgetFor,
      labels: { severity: "warning", ...labels },
      annotations: {
        summary: `${w.territory} ${w.workload} p95 latency above its ${w.p95BudgetMs} ms budget`,
        description:
          `{{ $labels.territory }} {{ $labels.workload }}: p95 latency is {{ $value | humanizeDuration }} ` +
          `(budget ${w.p95BudgetMs} ms) for ${a.p95AboveBudgetFor}.`,
        runbook_url: runbookUrl(a, "FreshplanApiP95AboveBudget"),
      },
    },
    {
      alert: "FreshplanApiP95Emergency",
      expr: `${seriesOf(P95, w)} > ${promNumber(a.p95EmergencyMs / 1000)} and ${traffic}`,
      for: a.p95EmergencyFor,
      labels: { severity: "critical", ...labels },
      annotations: {
        summary: `${w.territory} ${w.workload} p95 latency above ${a.p95EmergencyMs} ms`,
        description:
          `{{ $labels.territory }} {{ $labels.workload }}: p95 latency is {{ $value | humanizeDuration }}, ` +
          `above the emergency line of ${a.p95EmergencyMs} ms.`,
        runbook_url: runbookUrl(a, "FreshplanApiP95Emergency"),
      },
    },
    {
      alert: "FreshplanScaledToMax",
      expr: `${atMax} and on() (${seriesOf(P95, w)} > ${budget} and ${traffic})`,
      for: a.scaledToMaxFor,
      labels: { severity: "critical", ...labels, scaledobject: w.name },
      annotations: {
        summary: `${w.territory} ${w.workload} runs at maxReplicas and is still over its latency budget`,
        description:
          `${w.territory} ${w.workload} runs {{ $value }} replicas, its maxReplicas (${w.maxReplicas} in config), ` +
          `and p95 stays above ${w.p95BudgetMs} ms: autoscaling cannot add capacity. Raise ` +
          `territories.${w.territory}.${w.workload}.maxReplicas.`,
        runbook_url: runbookUrl(a, "FreshplanScaledToMax"),
      },
    },
  ];
}

/** Only workloads with a season or campaign floor can pre-scale; others get no rule. */
function preScaleAlert(a: AlertSettings, w: WorkloadScaling): AlertingRule[] {
  const floors = w.floors.filter((f) => f.kind === "season" || f.kind === "campaign").map((f) => f.name);
  if (floors.length === 0) return [];
  const replicas = `max(kube_horizontalpodautoscaler_status_current_replicas${hpaSelector(w)})`;
  // The aggregations drop every label, so descriptions name the workload literally.
  const rps = `(sum(${seriesOf(RPS, w)}) or on() vector(0))`;
  const floorActive =
    `max(keda_scaler_active{namespace=${promString(w.namespace)},scaledObject=${promString(w.name)},` +
    `scaler=~${promString(floors.join("|"))}}) > 0`;
  const idleBelow = w.targetRpsPerReplica * a.preScaleIdleRatio;
  return [
    {
      alert: "FreshplanPreScaleWithoutLoad",
      expr: `${rps} / ${replicas} < ${promNumber(idleBelow)} and on() (${floorActive})`,
      for: a.preScaleIdleFor,
      labels: {
        severity: "info",
        namespace: w.namespace,
        territory: w.territory,
        workload: w.workload,
        scaledobject: w.name,
      },
      annotations: {
        summary: `${w.territory} ${w.workload} is pre-scaled for a season but has almost no load`,
        description:
          `${w.territory} ${w.workload}: a season floor (${floors.join(", ")}) holds replicas while each serves ` +
          `{{ $value | printf "%.1f" }} req/s, below ${promNumber(idleBelow)} ` +
          `(${promNumber(a.preScaleIdleRatio * 100)} % of the ${w.targetRpsPerReplica} req/s target).`,
        runbook_url: runbookUrl(a, "FreshplanPreScaleWithoutLoad"),
      },
    },
  ];
}

/**
 * Scaling and every latency alert read the API's series; when the scrape breaks they read nothing.
 * This fires while the workload has available pods but its targets are down, absent (PodMonitor not
 * selected, relabelling or `job` drift), or it serves requests without the budget's SLO bucket.
 */
function missingDataAlert(config: FreshplanConfig, w: WorkloadScaling): AlertingRule {
  const p = config.prometheus;
  const selector = workloadSelector(p, w);
  const budgetBucket = `${p.requestMetric}_bucket${selector.replace(/}$/, `,${bucketMatcher(w.p95BudgetMs)}}`)}`;
  const running =
    `max(kube_deployment_status_replicas_available{namespace=${promString(w.namespace)},` +
    `deployment=${promString(w.name)}}) > 0`;
  const broken =
    `(count(up${selector} == 0) > 0) or on() absent(up${selector})` +
    ` or on() (sum(rate(${p.requestMetric}_count${selector}[5m])) > 0 unless on() count(${budgetBucket}))`;
  return {
    alert: "FreshplanApiMetricsMissing",
    // count() gives every branch the same (empty) label set; absent() would add its matchers' labels.
    expr: `count(${broken}) and on() (${running})`,
    for: "10m",
    labels: { severity: "critical", namespace: w.namespace, territory: w.territory, workload: w.workload },
    annotations: {
      summary: `${w.territory} ${w.workload} runs but Prometheus does not get its request metrics`,
      description:
        `${w.territory} ${w.workload} (${w.namespace}/${w.name}) has available pods, but its scrape targets ` +
        `(job ${p.job}) are down or missing, or it serves requests without the ${w.p95BudgetMs} ms SLO ` +
        `bucket. ` +
        "KEDA's triggers for it fail (the fallback holds the replicas) and its latency alerts are blind.",
      runbook_url: runbookUrl(config.alerts, "FreshplanApiMetricsMissing"),
    },
  };
}

export function apiRuleGroup(config: FreshplanConfig, workloads: readonly WorkloadScaling[]): RuleGroup {
  const rules: Rule[] = [];
  for (const w of workloads) rules.push(...recordingRules(config, w));
  for (const w of workloads)
    rules.push(
      ...burnRateAlerts(config.alerts, w),
      ...latencyAlerts(config.alerts, w),
      ...preScaleAlert(config.alerts, w),
      missingDataAlert(config, w),
    );
  return { name: "freshplan-api", rules };
}
