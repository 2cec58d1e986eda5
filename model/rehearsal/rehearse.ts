/**
 * A rehearsal of a stack: every workload of the scaling plan replayed over a period under the load
 * of a season (or an ordinary stretch of days), with the maxReplicas that would have held the budget.
 */
import type { FreshplanConfig, SeasonConfig } from "../config/schema";
import type { ScalingPlan, WorkloadScaling } from "../scaling/plan";
import {
  CalendarDate,
  addDays,
  calendarDateIn,
  daysBetween,
  parseMonthDay,
  recurringLengthDays,
} from "../time/calendar-date";
import { localMidnight } from "../time/zoned-time";
import { PeakWindow, loadSeries } from "./load";
import { ReplayOptions, WorkloadReplay, replayWorkload } from "./replay";

export interface RehearsalPeriod {
  /** First local day (midnight in each workload's zone). */
  readonly from: CalendarDate;
  readonly days: number;
  /** Days (from `from`) on which the multiplier applies: [firstDay, lastDay]. */
  readonly peak?: { readonly from: CalendarDate; readonly days: number };
  readonly multiplier: number;
  readonly label: string;
  /** The territories the season applies to (its floors); undefined: all. */
  readonly territories?: readonly string[];
}

/**
 * The season's next window that has not ended by `today`: from its first lead day, `days` long
 * (default: the lead days and the whole season), with the season's multiplier unless overridden.
 */
export function seasonPeriod(
  season: SeasonConfig,
  today: CalendarDate,
  days?: number,
  multiplier?: number,
): RehearsalPeriod {
  const first = parseMonthDay(season.firstDay)!;
  const last = parseMonthDay(season.lastDay)!;
  const length = recurringLengthDays(first, last);
  let firstDay: CalendarDate = { year: today.year - 1, ...first };
  while (daysBetween(today, addDays(firstDay, length - 1)) < 0) firstDay = { ...firstDay, year: firstDay.year + 1 };
  return {
    from: addDays(firstDay, -season.leadDays),
    days: days ?? season.leadDays + length,
    peak: { from: firstDay, days: length },
    multiplier: multiplier ?? season.loadMultiplier,
    label: season.name,
    territories: Object.keys(season.floors),
  };
}

export interface ReplaySettings {
  readonly syncPeriodSeconds?: number;
  readonly podStartupSeconds?: number;
  readonly withoutFloors?: boolean;
  /** Search for a holding maxReplicas up to this multiple of the current one. */
  readonly searchUpTo?: number;
}

export interface WorkloadRehearsal extends WorkloadReplay {
  readonly territory: string;
  readonly workload: string;
  readonly name: string;
  readonly timeZone: string;
  readonly p95BudgetMs: number;
  readonly start: Date;
  /**
   * The smallest maxReplicas with no minute over budget (the current one when it holds); undefined
   * when none up to the search limit holds: then the scale-up is too slow, not the max too low.
   */
  readonly recommendedMaxReplicas?: number;
}

const seconds = (duration: string) =>
  Number(duration.slice(0, -1)) * { s: 1, m: 60, h: 3600 }[duration.slice(-1) as "s" | "m" | "h"];

export function replayOptions(
  config: FreshplanConfig,
  w: WorkloadScaling,
  period: RehearsalPeriod,
  settings: ReplaySettings = {},
): ReplayOptions {
  const start = localMidnight(period.from, w.timeZone);
  const end = localMidnight(addDays(period.from, period.days), w.timeZone);
  const durationSeconds = (end.getTime() - start.getTime()) / 1000;
  const peaks: PeakWindow[] = period.peak
    ? [
        {
          from: localMidnight(period.peak.from, w.timeZone),
          to: localMidnight(addDays(period.peak.from, period.peak.days), w.timeZone),
          multiplier: period.multiplier,
        },
      ]
    : [{ from: start, to: end, multiplier: period.multiplier }];
  return {
    load: loadSeries(
      w.baselinePeakRps,
      config.rehearsal.dailyProfile,
      w.timeZone,
      start,
      durationSeconds / 60 + 1,
      peaks,
    ),
    durationSeconds,
    model: config.rehearsal,
    rateWindowSeconds: seconds(config.prometheus.rateWindow),
    latencyWindowSeconds: seconds(config.prometheus.latencyWindow),
    syncPeriodSeconds: settings.syncPeriodSeconds,
    podStartupSeconds: settings.podStartupSeconds,
    withoutFloors: settings.withoutFloors,
  };
}

/**
 * The smallest maxReplicas that holds, by re-running: doubling until one holds, then bisecting
 * (more replicas never make p95 worse in this model, so holding is monotonic in the max).
 */
export function holdingMaxReplicas(
  w: WorkloadScaling,
  options: ReplayOptions,
  first: WorkloadReplay,
  upTo: number,
): number | undefined {
  if (first.minutesOverBudget === 0) return first.maxReplicas;
  const holds = (max: number) => replayWorkload(w, { ...options, maxReplicas: max }).minutesOverBudget === 0;
  let low = first.maxReplicas;
  let high = Math.max(low + 1, first.peakReplicas + 1);
  while (!holds(high)) {
    if (high >= upTo) return undefined;
    [low, high] = [high, Math.min(high * 2, upTo)];
  }
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (holds(mid)) high = mid;
    else low = mid;
  }
  return high;
}

export function rehearseWorkload(
  config: FreshplanConfig,
  w: WorkloadScaling,
  period: RehearsalPeriod,
  settings: ReplaySettings = {},
): WorkloadRehearsal {
  const options = replayOptions(config, w, period, settings);
  const replay = replayWorkload(w, options);
  const upTo = Math.max(w.maxReplicas * (settings.searchUpTo ?? 8), w.maxReplicas + 8);
  return {
    ...replay,
    territory: w.territory,
    workload: w.workload,
    name: w.name,
    timeZone: w.timeZone,
    p95BudgetMs: w.p95BudgetMs,
    start: options.load.start,
    recommendedMaxReplicas: holdingMaxReplicas(w, options, replay, upTo),
  };
}

export interface StackRehearsal {
  readonly period: RehearsalPeriod;
  readonly workloads: readonly WorkloadRehearsal[];
}

export function rehearseStack(
  config: FreshplanConfig,
  plan: ScalingPlan,
  period: RehearsalPeriod,
  settings: ReplaySettings = {},
  territory?: string,
): StackRehearsal {
  const workloads = plan.workloads
    .filter(
      (w) =>
        (territory === undefined || w.territory === territory) &&
        (period.territories === undefined || period.territories.includes(w.territory)),
    )
    .map((w) => rehearseWorkload(config, w, period, settings));
  return { period, workloads };
}

/** A period of ordinary days from today's date in the first territory's zone. */
export function ordinaryPeriod(config: FreshplanConfig, now: Date, days: number, multiplier = 1): RehearsalPeriod {
  const zone = Object.values(config.territories)[0]?.timeZone ?? "UTC";
  return {
    from: calendarDateIn(now, zone),
    days,
    multiplier,
    label: multiplier === 1 ? "ordinary days" : `ordinary days × ${multiplier}`,
  };
}
