/**
 * The cost view in replica-hours over the calendar period, per territory and workload:
 * (a) the floors the stack's cron triggers hold (reactive scaling on top is not counted),
 * (b) static provisioning at the workload's peak floor all the time,
 * (c) the forecast-driven minimum: the baseline need outside seasons, each season's need inside its
 *     days (no lead days), clamped to [min, max].
 * (c) is evaluated by the same KEDA cron model as (a), on triggers built from the same windows.
 */
import type { CalendarLane } from "../calendar/lanes";
import { floorTimeline, replicaHours } from "../calendar/timeline";
import type { FreshplanConfig, WorkloadName } from "../config/schema";
import { kedaCronTrigger } from "../keda/triggers";
import type { ScaledObjectSpec } from "../keda/types";
import { campaignWindow, seasonWindow } from "../scaling/cron-windows";
import { baselineNeed, replicasNeeded } from "./forecast";

export interface LaneCost {
  readonly territory: string;
  readonly workload: string;
  readonly hours: number;
  readonly configured: number;
  readonly peakReplicas: number;
  readonly staticPeak: number;
  readonly forecastMinimum: number;
  /** 1 − configured / staticPeak. */
  readonly savingsVsStatic: number;
  /** configured / forecastMinimum − 1: how far the calendar holds more than the forecast needs. */
  readonly aboveForecast: number;
}

export interface CostView {
  readonly lanes: readonly LaneCost[];
  readonly total: Omit<LaneCost, "territory" | "workload" | "peakReplicas">;
}

/** The forecast need as cron floors: one trigger per season/campaign in effect for the territory. */
export function forecastFloorSpec(
  config: FreshplanConfig,
  territory: string,
  workload: WorkloadName,
  now: Date,
): ScaledObjectSpec {
  const t = config.territories[territory];
  const c = t[workload];
  const need = (multiplier: number) =>
    replicasNeeded(c.baselinePeakRps * multiplier, c.targetRpsPerReplica, config.capacity.targetUtilisation);
  const trigger = (name: string, w: { start: string; end: string }, replicas: number) =>
    kedaCronTrigger(name, { ...w, timeZone: t.timeZone }, replicas);
  const triggers = [
    ...config.seasons
      .filter((s) => s.floors[territory])
      .map((s) =>
        trigger(`forecast-${s.name}`, seasonWindow({ ...s, leadDays: 0 }, t.timeZone), need(s.loadMultiplier)),
      ),
    ...config.campaigns.flatMap((k, i) => {
      if (!k.floors[territory]) return [];
      const w = campaignWindow({ ...k, leadDays: 0 }, i, t.timeZone, now).window;
      return w ? [trigger(`forecast-${k.name}`, w, need(k.loadMultiplier))] : [];
    }),
  ];
  return {
    minReplicaCount: Math.min(Math.max(baselineNeed(config, territory, workload), c.minReplicas), c.maxReplicas),
    maxReplicaCount: c.maxReplicas,
    triggers,
  };
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

export function costView(config: FreshplanConfig, lanes: readonly CalendarLane[], now: Date): CostView {
  const costs = lanes.map((lane): LaneCost => {
    const hours = (lane.to.getTime() - lane.from.getTime()) / 3_600_000;
    const configured = replicaHours(lane.steps, lane.to);
    const peakReplicas = Math.max(...lane.steps.map((s) => s.replicas));
    const staticPeak = peakReplicas * hours;
    const forecast = floorTimeline(
      forecastFloorSpec(config, lane.territory, lane.workload as WorkloadName, now),
      lane.from,
      lane.to,
    );
    const forecastMinimum = replicaHours(forecast, lane.to);
    return {
      territory: lane.territory,
      workload: lane.workload,
      hours,
      configured,
      peakReplicas,
      staticPeak,
      forecastMinimum,
      savingsVsStatic: 1 - ratio(configured, staticPeak),
      aboveForecast: ratio(configured, forecastMinimum) - 1,
    };
  });
  const sum = (f: (c: LaneCost) => number) => costs.reduce((s, c) => s + f(c), 0);
  const configured = sum((c) => c.configured);
  const staticPeak = sum((c) => c.staticPeak);
  const forecastMinimum = sum((c) => c.forecastMinimum);
  return {
    lanes: costs,
    total: {
      hours: costs[0]?.hours ?? 0,
      configured,
      staticPeak,
      forecastMinimum,
      savingsVsStatic: 1 - ratio(configured, staticPeak),
      aboveForecast: ratio(configured, forecastMinimum) - 1,
    },
  };
}
