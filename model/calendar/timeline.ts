/**
 * The replica floor over time, as KEDA would hold it: the rendered ScaledObject's cron triggers
 * evaluated with KEDA's rule from keda/cron.ts. The floor can only change when some trigger's start
 * or end cron fires, so those firings are the only instants evaluated; a year of daily
 * business-hours triggers is about 500 of them per workload.
 */
import { CronExpressionParser } from "cron-parser";
import { cronTriggers, isCronTriggerActive } from "../keda/cron";
import type { ScaledObjectSpec } from "../keda/types";

/** From `at` until the next step, the cron triggers hold `replicas` (already clamped to [min, max]). */
export interface FloorStep {
  readonly at: Date;
  readonly replicas: number;
  /** Active cron triggers, by name. */
  readonly active: readonly string[];
  /** Triggers that became active / inactive at this instant (empty for the first step). */
  readonly started: readonly string[];
  readonly ended: readonly string[];
}

/** Every firing of a 5-field cron in (after, before), in the zone. */
export function cronFirings(cron: string, timeZone: string, after: Date, before: Date): Date[] {
  const schedule = CronExpressionParser.parse(cron, { currentDate: after, tz: timeZone });
  const firings: Date[] = [];
  for (;;) {
    const t = schedule.next().toDate();
    if (t.getTime() >= before.getTime()) return firings;
    firings.push(t);
  }
}

/**
 * The floor steps in [from, to): the first at `from`, then one per change of the floor or of the
 * set of active triggers. A trigger firing exactly at an instant is evaluated as KEDA does, from the
 * next firings strictly after it, so a window's start instant already counts as inside.
 *
 * A trigger's activity (KEDA's rule, `isCronTriggerActive`) can only change when its own start or
 * end fires, so each trigger is evaluated at its own firings only; a daily business-hours trigger
 * would otherwise cost a cron evaluation at every season edge and vice versa. Combining the active
 * floors is `cronFloorAt`'s rule: max, clamped to [min, max]; a test holds the two equal.
 */
export function floorTimeline(spec: ScaledObjectSpec, from: Date, to: Date): FloorStep[] {
  const crons = cronTriggers(spec);
  // Per trigger: instant → active from that instant on.
  const changes = crons.map((t) => {
    const meta = t.metadata;
    const instants = new Set<number>([from.getTime()]);
    for (const cron of [meta.start, meta.end])
      for (const at of cronFirings(cron, meta.timezone, from, to)) instants.add(at.getTime());
    return new Map([...instants].map((ms) => [ms, isCronTriggerActive(meta, new Date(ms))]));
  });
  const all = [...new Set(changes.flatMap((c) => [...c.keys()]))].sort((a, b) => a - b);
  const state = crons.map(() => false);
  const steps: FloorStep[] = [];
  let previous: FloorStep | undefined;
  for (const ms of all) {
    changes.forEach((c, i) => {
      const v = c.get(ms);
      if (v !== undefined) state[i] = v;
    });
    const active = crons.filter((_, i) => state[i]);
    const floor = active.reduce((f, t) => Math.max(f, Number(t.metadata.desiredReplicas)), spec.minReplicaCount);
    const replicas = Math.min(floor, spec.maxReplicaCount);
    const names = active.map((t) => t.name);
    const before = new Set(previous?.active ?? []);
    const started = previous ? names.filter((n) => !before.has(n)) : [];
    const ended = previous ? [...before].filter((n) => !names.includes(n)) : [];
    if (previous && replicas === previous.replicas && started.length === 0 && ended.length === 0) continue;
    previous = { at: new Date(ms), replicas, active: names, started, ended };
    steps.push(previous);
  }
  return steps;
}

/** The steps with their end instants (the next step, or `to`). */
export function stepSpans(steps: readonly FloorStep[], to: Date): { step: FloorStep; start: Date; end: Date }[] {
  return steps.map((step, i) => ({ step, start: step.at, end: steps[i + 1]?.at ?? to }));
}

export function floorAtInstant(steps: readonly FloorStep[], at: Date): FloorStep | undefined {
  let found: FloorStep | undefined;
  for (const s of steps) if (s.at.getTime() <= at.getTime()) found = s;
  return found;
}

/** Replica-hours the floor holds over [steps[0].at, to). */
export function replicaHours(steps: readonly FloorStep[], to: Date): number {
  return stepSpans(steps, to).reduce(
    (sum, s) => sum + (s.step.replicas * (s.end.getTime() - s.start.getTime())) / 3_600_000,
    0,
  );
}

/** Lowest and highest floor within [start, end). */
export function floorRange(
  steps: readonly FloorStep[],
  start: Date,
  end: Date,
): { low: number; high: number } | undefined {
  let low = Infinity;
  let high = -Infinity;
  for (const s of stepSpans(steps, end)) {
    if (s.end.getTime() <= start.getTime() || s.start.getTime() >= end.getTime()) continue;
    low = Math.min(low, s.step.replicas);
    high = Math.max(high, s.step.replicas);
  }
  return low === Infinity ? undefined : { low, high };
}
