/**
 * Cost: replica-hours per territory and workload over the range, against the static-peak baseline of the capacity
 * calendar.
 */
import { buildCalendar } from "../calendar/lanes";
import { costView } from "../capacity/cost";
import type { FreshplanConfig } from "../config/schema";
import { kedaHpaName } from "../conventions";
import { promNumber, promString } from "../prometheus/promql";
import type { ScalingPlan } from "../scaling/plan";
import { calendarDateIn } from "../time/calendar-date";
import type { DashboardSpec, PanelQuery } from "./panels";
import { RANGE, RANGE_SECONDS } from "./queries";

export const COST_UID = "freshplan-cost";

/** The calendar's horizon for the peak floor: the same year `npm run calendar` shows by default. */
const CALENDAR_DAYS = 365;

export function costDashboard(config: FreshplanConfig, plan: ScalingPlan, now: Date): DashboardSpec {
  const zone = Object.values(config.territories)[0]?.timeZone ?? "UTC";
  const calendar = buildCalendar(plan, { from: calendarDateIn(now, zone), days: CALENDAR_DAYS });
  const cost = costView(config, calendar.lanes, now);
  const lanes = plan.workloads.map((w) => {
    const lane = cost.lanes.find((l) => l.territory === w.territory && l.workload === w.workload);
    const averageReplicas =
      `max(avg_over_time(kube_horizontalpodautoscaler_status_current_replicas{namespace=${promString(w.namespace)},` +
      `horizontalpodautoscaler=${promString(kedaHpaName(w.name))}}[${RANGE}]))`;
    return { legend: `${w.territory} ${w.workload}`, averageReplicas, peak: lane?.peakReplicas ?? w.maxReplicas };
  });
  const hours = `${RANGE_SECONDS} / 3600`;
  const used: PanelQuery[] = lanes.map((l) => ({ expr: `${l.averageReplicas} * ${hours}`, legend: l.legend }));
  const baseline: PanelQuery[] = lanes.map((l) => ({
    expr: `vector(${promNumber(l.peak)}) * ${hours}`,
    legend: `${l.legend} (static peak: ${l.peak} replicas)`,
  }));
  const saved: PanelQuery[] = lanes.map((l) => ({
    expr: `1 - ${l.averageReplicas} / ${promNumber(l.peak)}`,
    legend: l.legend,
  }));
  return {
    name: "cost",
    uid: COST_UID,
    title: "FreshPlan / Cost",
    description:
      "Replica-hours the workloads ran over the selected range, against holding each workload's peak " +
      "calendar floor all the time. Generated from the stack config.",
    time: { from: "now-30d", to: "now" },
    variables: [],
    annotations: [],
    rows: [
      {
        title: "Replica-hours over the range",
        panels: [
          {
            id: 1,
            key: "used",
            title: "Replica-hours used",
            description: "Average running replicas (kube-state-metrics) × hours in the range.",
            unit: "suffix: replica-h",
            kind: "stat",
            width: 8,
            queries: used,
          },
          {
            id: 2,
            key: "static-peak",
            title: "Static-peak baseline",
            description:
              `The peak floor of the capacity calendar (next ${CALENDAR_DAYS} days) ` + "held for the whole range.",
            unit: "suffix: replica-h",
            kind: "stat",
            width: 8,
            queries: baseline,
          },
          {
            id: 3,
            key: "saved",
            title: "Saved against static peak",
            description: "1 − used ÷ static-peak baseline; the seeds expect 40–60 % over a year.",
            unit: "percentunit",
            kind: "stat",
            width: 8,
            queries: saved,
          },
        ],
      },
    ],
  };
}
