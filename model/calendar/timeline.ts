/**
 * The replica floor over time, as KEDA would hold it: the rendered ScaledObject's cron triggers
 * evaluated with KEDA's rule from keda/cron.ts. The floor can only change when some trigger's start
 * or end cron fires, so those firings are the only instants evaluated; a year of daily
 * business-hours triggers is about 500 of them per workload.
 */
import { cronFiringTimes } from "../keda/cron-firings";
import { cronTriggers, nextFiring } from "../keda/cron";
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
  return cronFiringTimes(cron, timeZone, after, before).map((t) => new Date(t));
}

// KEDA's rule looks at the next firings after an instant; a yearly cron fires again within this.
const LOOKAHEAD_MS = 400 * 86_400_000;
// Lanes of one zone share their seasons' and business hours' crons: each is computed once per period.
const firingCache = new Map<string, number[]>();

function firingsOnce(cron: string, timeZone: string, from: Date, until: Date): number[] {
  const key = `${cron}|${timeZone}|${from.getTime()}|${until.getTime()}`;
  let firings = firingCache.get(key);
  if (!firings) {
    if (firingCache.size > 10_000) firingCache.clear();
    firings = cronFiringTimes(cron, timeZone, from, until);
    firingCache.set(key, firings);
  }
  return firings;
}

/** The first firing strictly after `t` (ascending `firings` cover (from, until)); cron-parser past that. */
function nextAfter(firings: readonly number[], t: number, until: number, cron: string, timeZone: string): number {
  let lo = 0;
  let hi = firings.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (firings[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo < firings.length ? firings[lo] : nextFiring(cron, timeZone, new Date(Math.max(t, until - 1))).getTime();
}

export function floorTimeline(spec: ScaledObjectSpec, from: Date, to: Date): FloorStep[] {
  const crons = cronTriggers(spec);
  const until = new Date(to.getTime() + LOOKAHEAD_MS);
  // Per trigger: instant → active from that instant on, by KEDA's rule (next end ≤ next start),
  // read off the trigger's firings computed once instead of asking cron-parser at every instant.
  const changes = crons.map((t) => {
    const { start, end, timezone } = t.metadata;
    const starts = firingsOnce(start, timezone, from, until);
    const ends = firingsOnce(end, timezone, from, until);
    const instants = new Set<number>([from.getTime()]);
    for (const list of [starts, ends]) for (const ms of list) if (ms < to.getTime()) instants.add(ms);
    const active = (ms: number) =>
      nextAfter(ends, ms, until.getTime(), end, timezone) <= nextAfter(starts, ms, until.getTime(), start, timezone);
    return new Map([...instants].map((ms) => [ms, active(ms)]));
  });
  // `from` always opens the timeline: a workload without cron triggers holds minReplicas throughout.
  const all = [...new Set([from.getTime(), ...changes.flatMap((c) => [...c.keys()])])].sort((a, b) => a - b);
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
