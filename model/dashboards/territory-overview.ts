/**
 * Territory overview: per workload RPS against capacity, p95 against budget, SLO burn and replicas, with season windows
 * as annotations.
 */
import { BURN_RATE_WINDOWS } from "../config/alert-settings";
import { type FreshplanConfig, WORKLOADS, type WorkloadName } from "../config/schema";
import { RECORDING_RULES } from "../conventions";
import { promNumber } from "../prometheus/promql";
import type { ScalingPlan } from "../scaling/plan";
import type { DashboardSpec, PanelSpec } from "./panels";
import { thresholdSteps } from "./panels";
import {
  FloorTable,
  TERRITORY_VARIABLE,
  activeFloorQuery,
  hpaSeries,
  kedaSeries,
  recorded,
  recordedRps,
  territoryValue,
} from "./queries";

export const TERRITORY_OVERVIEW_UID = "freshplan-territory-overview";

const HPA = {
  current: "kube_horizontalpodautoscaler_status_current_replicas",
  desired: "kube_horizontalpodautoscaler_status_desired_replicas",
  max: "kube_horizontalpodautoscaler_spec_max_replicas",
  min: "kube_horizontalpodautoscaler_spec_min_replicas",
} as const;

/** The long window of each burn-rate pair: what the burn panel plots. */
const BURN_WINDOWS = [...new Set(BURN_RATE_WINDOWS.map((b) => b.long))];
/** The longest recorded window: error budget remaining is read over it. */
const BUDGET_WINDOW = BURN_RATE_WINDOWS[BURN_RATE_WINDOWS.length - 1].long;

const perTerritory = (
  config: FreshplanConfig,
  workload: WorkloadName,
  value: (t: FreshplanConfig["territories"][string][WorkloadName]) => number,
) => Object.fromEntries(Object.entries(config.territories).map(([code, t]) => [code, value(t[workload])]));

/** Panel ids: ten per workload row, so a link's target does not move when another row grows. */
const panelId = (workload: WorkloadName, n: number) => (WORKLOADS.indexOf(workload) + 1) * 10 + n;

function workloadPanels(config: FreshplanConfig, plan: ScalingPlan, workload: WorkloadName): PanelSpec[] {
  const ns = config.namespace;
  const a = config.alerts;
  const errorBudget = 1 - a.latencyObjectivePercent / 100;
  const replicas = `max(${hpaSeries(HPA.current, ns, workload)})`;
  const floors: FloorTable = plan.workloads
    .filter((w) => w.workload === workload)
    .flatMap((w) => w.floors.map((f) => ({ territory: w.territory, scaler: f.name, floor: f.floor })));
  const floorQuery = activeFloorQuery(ns, workload, floors);
  return [
    {
      id: panelId(workload, 1),
      key: `rps:${workload}`,
      title: `${workload}: RPS against capacity`,
      description:
        "Requests per second (recording rule) against what the running replicas are sized for: replicas × " +
        "targetRpsPerReplica.",
      unit: "reqps",
      kind: "timeseries",
      min: 0,
      queries: [
        { expr: `sum(${recordedRps(workload)})`, legend: "requests/s" },
        {
          expr: `${replicas} * scalar(${territoryValue(perTerritory(config, workload, (t) => t.targetRpsPerReplica))})`,
          legend: "capacity (replicas × target RPS per replica)",
        },
      ],
    },
    {
      id: panelId(workload, 2),
      key: `p95:${workload}`,
      title: `${workload}: p95 latency against budget`,
      description:
        `p95 from the summed buckets (recording rule) against the territory's p95BudgetMs; the red line is the ` +
        `emergency threshold (${a.p95EmergencyMs} ms).`,
      unit: "s",
      kind: "timeseries",
      min: 0,
      thresholds: thresholdSteps([a.p95EmergencyMs / 1000, "red"]),
      queries: [
        { expr: `max(${recorded(RECORDING_RULES.p95, workload)})`, legend: "p95" },
        { expr: territoryValue(perTerritory(config, workload, (t) => t.p95BudgetMs / 1000)), legend: "budget" },
      ],
    },
    {
      id: panelId(workload, 3),
      key: `burn:${workload}`,
      title: `${workload}: latency SLO burn rate`,
      description:
        `How fast the latency error budget (${promNumber(errorBudget * 100)} % of requests slower than the ` +
        `budget) burns; lines at the alerts' burn factors.`,
      unit: "suffix:×",
      kind: "timeseries",
      min: 0,
      thresholds: [
        { value: null, color: "green" },
        ...BURN_RATE_WINDOWS.map((b) => ({ value: b.factor, color: b.severity === "critical" ? "red" : "orange" })),
      ],
      queries: BURN_WINDOWS.map((w) => ({
        expr: `max(${recorded(RECORDING_RULES.sloMissRatio(w), workload)}) / ${promNumber(errorBudget)}`,
        legend: `burn rate over ${w}`,
      })),
    },
    {
      id: panelId(workload, 4),
      key: `budget:${workload}`,
      title: `${workload}: error budget remaining (${BUDGET_WINDOW})`,
      description: `Share of the latency error budget left over the last ${BUDGET_WINDOW}; below 0 the SLO is missed.`,
      unit: "percentunit",
      kind: "stat",
      width: 6,
      thresholds: [
        { value: null, color: "red" },
        { value: 0, color: "green" },
      ],
      queries: [
        {
          expr:
            `1 - max(${recorded(RECORDING_RULES.sloMissRatio(BUDGET_WINDOW), workload)}) / ` +
            `${promNumber(errorBudget)}`,
          legend: "remaining",
        },
      ],
    },
    {
      id: panelId(workload, 5),
      key: `replicas:${workload}`,
      title: `${workload}: replicas current / desired / max and the calendar floor`,
      description:
        "kube-state-metrics' view of the KEDA HPA, and the floor the active season, campaign and " +
        "business-hours triggers hold.",
      unit: "short",
      kind: "timeseries",
      width: 18,
      min: 0,
      queries: [
        { expr: replicas, legend: "current" },
        { expr: `max(${hpaSeries(HPA.desired, ns, workload)})`, legend: "desired" },
        { expr: `max(${hpaSeries(HPA.max, ns, workload)})`, legend: "max" },
        { expr: `max(${hpaSeries(HPA.min, ns, workload)})`, legend: "min" },
        ...(floorQuery ? [{ expr: floorQuery, legend: "floor of the active cron triggers" }] : []),
      ],
    },
  ];
}

export function territoryOverview(config: FreshplanConfig, plan: ScalingPlan): DashboardSpec {
  // Every season and campaign trigger the stack renders, so a new one is annotated without edits.
  const windows = [
    ...new Set(
      plan.workloads.flatMap((w) =>
        w.floors.filter((f) => f.kind === "season" || f.kind === "campaign").map((f) => f.name),
      ),
    ),
  ];
  const annotations = WORKLOADS.flatMap((workload) =>
    windows.length === 0
      ? []
      : [
          {
            name: `Season and campaign windows (${workload})`,
            expr:
              `max by (scaler) ` +
              `(${kedaSeries("keda_scaler_active", config.namespace, workload, windows.join("|"))}) > 0`,
            titleFormat: "{{scaler}}",
            color: workload === "queries" ? "purple" : "blue",
          },
        ],
  );
  return {
    name: "territory-overview",
    uid: TERRITORY_OVERVIEW_UID,
    title: "FreshPlan / Territory overview",
    description:
      "Per territory and workload: load against capacity, latency against budget, SLO burn and replicas. " +
      "Generated from the stack config.",
    time: { from: "now-6h", to: "now" },
    variables: [{ name: TERRITORY_VARIABLE, label: "Territory", values: Object.keys(config.territories) }],
    annotations,
    rows: WORKLOADS.map((workload) => ({ title: workload, panels: workloadPanels(config, plan, workload) })),
  };
}
