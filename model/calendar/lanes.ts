/**
 * The capacity calendar of a stack: per territory and workload, the replica floor over a period,
 * evaluated on the ScaledObject exactly as the stack renders it (scaledObjectManifest), with each
 * change point named by the window that causes it.
 */
import type { ScaledObjectSpec } from "../keda/types";
import type { FloorWindow, ScalingPlan, WorkloadScaling } from "../scaling/plan";
import { scaledObjectManifest } from "../scaling/workload-manifests";
import { CalendarDate, addDays } from "../time/calendar-date";
import { formatLocal, localMidnight } from "../time/zoned-time";
import { FloorStep, floorTimeline } from "./timeline";

export interface CalendarLane {
  readonly territory: string;
  readonly workload: string;
  /** ScaledObject name. */
  readonly name: string;
  readonly timeZone: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** The windows behind the cron triggers, by trigger name (labels for change points). */
  readonly windows: readonly FloorWindow[];
  /** [from, to) of the lane, local midnights in the lane's zone. */
  readonly from: Date;
  readonly to: Date;
  readonly steps: readonly FloorStep[];
}

export interface CalendarPeriod {
  /** First local day. */
  readonly from: CalendarDate;
  /** Number of local days. */
  readonly days: number;
}

/** The ScaledObject spec fields the floor depends on, as the stack sends them. */
export function renderedFloorSpec(w: WorkloadScaling): ScaledObjectSpec {
  return scaledObjectManifest(w).spec as ScaledObjectSpec;
}

/**
 * One lane. `spec` defaults to the rendered ScaledObject of the plan; a caller may pass the spec
 * recorded from a run of the real program instead.
 */
export function calendarLane(
  w: WorkloadScaling,
  period: CalendarPeriod,
  spec: ScaledObjectSpec = renderedFloorSpec(w),
): CalendarLane {
  const from = localMidnight(period.from, w.timeZone);
  const to = localMidnight(addDays(period.from, period.days), w.timeZone);
  return {
    territory: w.territory,
    workload: w.workload,
    name: w.name,
    timeZone: w.timeZone,
    minReplicas: spec.minReplicaCount,
    maxReplicas: spec.maxReplicaCount,
    windows: w.floors,
    from,
    to,
    steps: floorTimeline(spec, from, to),
  };
}

export interface StackCalendar {
  readonly plan: ScalingPlan;
  readonly period: CalendarPeriod;
  readonly lanes: readonly CalendarLane[];
}

/** The lanes of a scaling plan (of all territories, or one); `onLane` hears of each lane done. */
export function buildCalendar(
  plan: ScalingPlan,
  period: CalendarPeriod,
  territory?: string,
  onLane?: (done: number, total: number) => void,
): StackCalendar {
  const workloads = plan.workloads.filter((w) => territory === undefined || w.territory === territory);
  const lanes = workloads.map((w, i) => {
    const lane = calendarLane(w, period);
    onLane?.(i + 1, workloads.length);
    return lane;
  });
  return { plan, period, lanes };
}

export interface ChangePoint {
  readonly at: string;
  /** Local time in the lane's zone, with offset. */
  readonly local: string;
  readonly previous: number | null;
  readonly replicas: number;
  /** What happened, e.g. "oktoberfest starts (08-18 → 10-15 …, floor 6)". */
  readonly causes: readonly string[];
  readonly active: readonly string[];
}

function describe(lane: CalendarLane, name: string, verb: string): string {
  const w = lane.windows.find((x) => x.name === name);
  return w ? `${w.label} ${verb} (${w.description}, floor ${w.floor})` : `${name} ${verb}`;
}

/** The labels of the named windows, comma-separated. */
function activeLabels(lane: CalendarLane, names: readonly string[]): string {
  return names.map((n) => lane.windows.find((w) => w.name === n)?.label ?? n).join(", ");
}

/** The lane's floor changes, each with the windows that start or end at it. */
export function changePoints(lane: CalendarLane, includeUnchanged = false): ChangePoint[] {
  const points: ChangePoint[] = [];
  lane.steps.forEach((s, i) => {
    const previous = i === 0 ? null : lane.steps[i - 1].replicas;
    if (i > 0 && !includeUnchanged && previous === s.replicas) return;
    const causes =
      i === 0
        ? [`period starts${s.active.length ? ` inside ${activeLabels(lane, s.active)}` : ""}`]
        : [...s.started.map((n) => describe(lane, n, "starts")), ...s.ended.map((n) => describe(lane, n, "ends"))];
    points.push({
      at: s.at.toISOString(),
      local: formatLocal(s.at, lane.timeZone),
      previous,
      replicas: s.replicas,
      causes,
      active: s.active,
    });
  });
  return points;
}
