/** Scaling: per ScaledObject the active triggers, scaler errors, fallback, time at max and replica changes. */
import { type FreshplanConfig, WORKLOADS } from "../config/schema";
import { TRIGGER_NAMES, apiWorkloadName, kedaHpaName } from "../conventions";
import type { JournalPlan } from "../journal/plan";
import { promString } from "../prometheus/promql";
import type { ScalingPlan } from "../scaling/plan";
import type { DashboardSpec, PanelSpec } from "./panels";
import { thresholdSteps } from "./panels";
import { RANGE, SCALED_OBJECT, SCALED_OBJECT_VARIABLE } from "./queries";

export const SCALING_UID = "freshplan-scaling";

const seconds = (duration: string) =>
  Number(duration.slice(0, -1)) * { s: 1, m: 60, h: 3600 }[duration.slice(-1) as "s" | "m" | "h"];

export function scalingDashboard(
  config: FreshplanConfig,
  plan: ScalingPlan,
  journal: JournalPlan | undefined,
): DashboardSpec {
  const ns = promString(config.namespace);
  const keda = (metric: string, extra = "") => `${metric}{namespace=${ns},scaledObject=~"${SCALED_OBJECT}"${extra}}`;
  const hpa = (metric: string) => `${metric}{namespace=${ns},horizontalpodautoscaler=~"${kedaHpaName(SCALED_OBJECT)}"}`;
  const current = hpa("kube_horizontalpodautoscaler_status_current_replicas");
  const scaledObjects = [...plan.workloads.map((w) => w.name), ...(journal?.workers.map((w) => w.name) ?? [])];
  const prometheusTriggers = [TRIGGER_NAMES.rps, TRIGGER_NAMES.latencyGuard].join("|");

  // KEDA holds fallbackReplicas once a trigger failed fallbackFailureThreshold polls in a row:
  // errors per poll reaching 1 over that many polls means the fallback is in force.
  const fallback = WORKLOADS.map((workload) => {
    const s = config.workloads[workload].scaling;
    const window = Math.max(
      s.pollingIntervalSeconds * s.fallbackFailureThreshold,
      4 * seconds(config.alerts.scrapeInterval),
    );
    const only =
      `,scaledObject=~${promString(`${apiWorkloadName("", workload)}.+`)},` +
      `scaler=~${promString(prometheusTriggers)}`;
    return {
      expr:
        `max by (scaledObject) (rate(${keda("keda_scaler_detail_errors_total", only)}[${window}s])) * ` +
        `${s.pollingIntervalSeconds}`,
      legend: "{{scaledObject}}",
    };
  });

  const panels: PanelSpec[] = [
    {
      id: 1,
      key: "triggers",
      title: "Active triggers",
      description:
        "keda_scaler_active per trigger: cron floors (season-*, campaign-*, business-hours) and the " +
        "Prometheus triggers.",
      unit: "bool_on_off",
      kind: "timeseries",
      width: 24,
      queries: [
        {
          expr: `max by (scaledObject, scaler) (${keda("keda_scaler_active")})`,
          legend: "{{scaledObject}} {{scaler}}",
        },
      ],
    },
    {
      id: 2,
      key: "scaler-errors",
      title: "Scaler errors (5 min)",
      description:
        "Failed trigger evaluations per trigger; FreshplanKedaScalerErrors fires when this stays above 0 for 10 min.",
      unit: "short",
      kind: "timeseries",
      min: 0,
      thresholds: thresholdSteps([1, "red"]),
      queries: [
        {
          expr: `sum by (scaledObject, scaler) (increase(${keda("keda_scaler_detail_errors_total")}[5m]))`,
          legend: "{{scaledObject}} {{scaler}}",
        },
      ],
    },
    {
      id: 3,
      key: "scaled-object-errors",
      title: "ScaledObject errors (5 min)",
      description:
        "Errors KEDA reports for the ScaledObject itself; FreshplanKedaScaledObjectErrors fires when this " +
        "stays above 0 for 10 min.",
      unit: "short",
      kind: "timeseries",
      min: 0,
      thresholds: thresholdSteps([1, "red"]),
      queries: [
        {
          expr: `sum by (scaledObject) (increase(${keda("keda_scaled_object_errors_total")}[5m]))`,
          legend: "{{scaledObject}}",
        },
      ],
    },
    {
      id: 4,
      key: "fallback",
      title: "Fallback in force: failed polls of the Prometheus triggers",
      description:
        "Errors per poll of the rps and latency-guard triggers over fallbackFailureThreshold polls; at 100 % " +
        "KEDA holds fallbackReplicas (cron floors still apply).",
      unit: "percentunit",
      kind: "timeseries",
      min: 0,
      thresholds: thresholdSteps([1, "red"]),
      queries: fallback,
    },
    {
      id: 5,
      key: "time-at-max",
      title: "Time at maxReplicas over the range",
      description: "Share of the selected range the HPA ran at its maxReplicas: capacity the config caps.",
      unit: "percentunit",
      kind: "stat",
      queries: [
        {
          expr:
            `avg_over_time((max by (horizontalpodautoscaler) (${current}) >= bool max by ` +
            `(horizontalpodautoscaler) (${hpa("kube_horizontalpodautoscaler_spec_max_replicas")}))[${RANGE}:])`,
          legend: "{{horizontalpodautoscaler}}",
        },
      ],
    },
    {
      id: 6,
      key: "replica-changes",
      title: "Replica changes per 30 min",
      description:
        "How often the replica count changed: a steady climb is a rush, a zig-zag is flapping (check the " +
        "stabilization windows).",
      unit: "short",
      kind: "timeseries",
      min: 0,
      queries: [
        { expr: `max by (horizontalpodautoscaler) (changes(${current}[30m]))`, legend: "{{horizontalpodautoscaler}}" },
      ],
    },
  ];
  return {
    name: "scaling",
    uid: SCALING_UID,
    title: "FreshPlan / Scaling",
    description: `KEDA and HPA behaviour per ScaledObject in ${config.namespace}. Generated from the stack config.`,
    time: { from: "now-6h", to: "now" },
    variables: [{ name: SCALED_OBJECT_VARIABLE, label: "ScaledObject", values: scaledObjects, allValue: ".+" }],
    annotations: [],
    rows: [
      { title: "Triggers and errors", panels: panels.slice(0, 4) },
      { title: "Replicas", panels: panels.slice(4) },
    ],
  };
}
