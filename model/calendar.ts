/**
 * The capacity calendar of a stack: per territory and workload, the replica floor over a period,
 * evaluated on the ScaledObject exactly as the stack renders it (scaledObjectManifest), with each
 * change point named by the window that causes it.
 */
import type { FreshplanConfig } from "./config-schema";
import { ScaledObjectFloorInput } from "./keda-cron";
import { CalendarDate, addDays } from "./month-day";
import { FloorWindow, ScalingPlan, WorkloadScaling, buildScalingPlan } from "./scaling-plan";
import { FloorStep, floorTimeline } from "./calendar-timeline";
import { formatLocal, localMidnight } from "./calendar-zoned-time";
import { scaledObjectManifest } from "./workload-manifests";

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
export function renderedFloorSpec(w: WorkloadScaling): ScaledObjectFloorInput {
  return (scaledObjectManifest(w) as { spec: ScaledObjectFloorInput }).spec;
}

/**
 * One lane. `spec` defaults to the rendered ScaledObject of the plan; a caller may pass the spec
 * recorded from a run of the real program instead.
 */
export function calendarLane(w: WorkloadScaling, period: CalendarPeriod, spec: ScaledObjectFloorInput = renderedFloorSpec(w)): CalendarLane {
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

/** `now` judges one-off campaigns as a deploy at that instant would. */
export function buildCalendar(config: FreshplanConfig, period: CalendarPeriod, now: Date, territory?: string): StackCalendar {
  const plan = buildScalingPlan(config, now);
  const lanes = plan.workloads.filter((w) => territory === undefined || w.territory === territory).map((w) => calendarLane(w, period));
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

/** The lane's floor changes, each with the windows that start or end at it. */
export function changePoints(lane: CalendarLane, includeUnchanged = false): ChangePoint[] {
  const points: ChangePoint[] = [];
  lane.steps.forEach((s, i) => {
    const previous = i === 0 ? null : lane.steps[i - 1].replicas;
    if (i > 0 && !includeUnchanged && previous === s.replicas) return;
    const causes = i === 0 ? [`period starts${s.active.length ? ` inside ${s.active.map((n) => lane.windows.find((w) => w.name === n)?.label ?? n).join(", ")}` : ""}`] : [...s.started.map((n) => describe(lane, n, "starts")), ...s.ended.map((n) => describe(lane, n, "ends"))];
    points.push({ at: s.at.toISOString(), local: formatLocal(s.at, lane.timeZone), previous, replicas: s.replicas, causes, active: s.active });
  });
  return points;
}
