/** A plan diff as data: objects, per-workload sentences and capacity, computed from two plans without I/O. */
import type { CalendarPeriod } from "../calendar/lanes";
import type { StackPlan } from "../stack-plan";
import { calendarDateIn } from "../time/calendar-date";
import { CapacityComparison, compareCapacity } from "./capacity";
import { ObjectDiff, PlanObject, diffObjects } from "./objects";
import { WorkloadChange, workloadChanges } from "./workloads";

/** One side of the comparison: the objects it renders and, where its config is known, its stack plan. */
export interface PlanSide {
  readonly objects: readonly PlanObject[];
  /** undefined: the stack did not exist there (every object is new), or its config is not known. */
  readonly plan?: StackPlan;
}

export interface PlanDiff {
  readonly objects: ObjectDiff;
  readonly workloads: readonly WorkloadChange[];
  /** undefined when a side's config is unknown (a plan directory written without it). */
  readonly capacity?: CapacityComparison;
  /** Nothing differs: no object, no sentence, no replica-hour, no finding. */
  readonly unchanged: boolean;
}

const EMPTY_SCALING = { namespace: "", keda: undefined as never, workloads: [], notices: [] };

export function diffPlans(before: PlanSide, after: PlanSide, period: CalendarPeriod, beforeExists = true): PlanDiff {
  const objects = diffObjects(before.objects, after.objects);
  const comparable = after.plan !== undefined && (before.plan !== undefined || !beforeExists);
  const workloads = comparable
    ? workloadChanges(
        before.plan?.scaling ?? EMPTY_SCALING,
        before.plan?.alertGroups ?? [],
        after.plan!.scaling,
        after.plan!.alertGroups,
      )
    : [];
  const capacity = comparable ? compareCapacity(before.plan, after.plan, period) : undefined;
  const unchanged =
    objects.added.length + objects.removed.length + objects.changed.length + workloads.length === 0 &&
    (!capacity || capacity.lanes.length + capacity.appeared.length + capacity.disappeared.length === 0);
  return { objects, workloads, capacity, unchanged };
}

/** The year a diff prices: 365 local days from the plan date, in the stack's first territory's zone. */
export function diffPeriod(plan: StackPlan | undefined, now: Date): CalendarPeriod {
  const zone = Object.values(plan?.config.territories ?? {})[0]?.timeZone ?? "UTC";
  return { from: calendarDateIn(now, zone), days: 365 };
}
