/**
 * The capacity half of a plan diff: replica-hours the configured floors hold over a year, before and after, and
 * findings that appear or disappear.
 */
import { calendarFindings } from "../calendar/findings";
import { CalendarPeriod, buildCalendar } from "../calendar/lanes";
import { costView } from "../capacity/cost";
import type { StackPlan } from "../stack-plan";

export interface LaneHours {
  readonly territory: string;
  readonly workload: string;
  /** undefined: the lane does not exist on that side. */
  readonly before?: number;
  readonly after?: number;
}

export interface CapacityComparison {
  readonly period: CalendarPeriod;
  /** Only the lanes whose replica-hours differ. */
  readonly lanes: readonly LaneHours[];
  readonly total: { readonly before: number; readonly after: number };
  /** Findings (shortfall, waste, masked or ineffective windows, ended campaigns) only after / only before. */
  readonly appeared: readonly string[];
  readonly disappeared: readonly string[];
}

interface Evaluated {
  /** Per lane: replica-hours of the configured floors over the period (cost view column a). */
  readonly hours: Map<string, { territory: string; workload: string; hours: number }>;
  /** What ops should act on: the calendar's warnings and the preview's capacity warnings (shortfall, waste). */
  readonly findings: Set<string>;
}

function evaluate(plan: StackPlan, period: CalendarPeriod): Evaluated {
  const calendar = buildCalendar(plan.scaling, period);
  const cost = costView(plan.config, calendar.lanes, plan.now);
  const warnings = calendarFindings(calendar.lanes, plan.scaling.notices)
    .filter((f) => f.severity === "warning")
    .map((f) => f.message);
  return {
    hours: new Map(
      cost.lanes.map((l) => [
        `${l.territory}|${l.workload}`,
        { territory: l.territory, workload: l.workload, hours: l.configured },
      ]),
    ),
    findings: new Set([...warnings, ...plan.warnings]),
  };
}

const NOTHING: Evaluated = { hours: new Map(), findings: new Set() };

/** Both plans over the same period; a side without a plan (a stack that did not exist) counts as empty. */
export function compareCapacity(
  before: StackPlan | undefined,
  after: StackPlan | undefined,
  period: CalendarPeriod,
): CapacityComparison {
  const eb = before ? evaluate(before, period) : NOTHING;
  const ea = after ? evaluate(after, period) : NOTHING;
  const a = eb.hours;
  const b = ea.hours;
  const lanes: LaneHours[] = [];
  for (const key of [...new Set([...b.keys(), ...a.keys()])]) {
    const x = a.get(key);
    const y = b.get(key);
    if (x?.hours === y?.hours) continue;
    const lane = (y ?? x)!;
    lanes.push({ territory: lane.territory, workload: lane.workload, before: x?.hours, after: y?.hours });
  }
  const sum = (m: Map<string, { hours: number }>) => [...m.values()].reduce((s, l) => s + l.hours, 0);
  const fa = eb.findings;
  const fb = ea.findings;
  return {
    period,
    lanes,
    total: { before: sum(a), after: sum(b) },
    appeared: [...fb].filter((f) => !fa.has(f)),
    disappeared: [...fa].filter((f) => !fb.has(f)),
  };
}
