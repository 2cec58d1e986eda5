/**
 * The pre-provisioning calculator: for every season (and campaign still ahead) and every territory
 * it applies to, the forecast peak (baseline peak RPS × load multiplier), the replicas that carry
 * it at the target utilisation, and how the configured floor and maxReplicas compare.
 */
import type { CapacitySettings, FreshplanConfig, WorkloadName } from "../config/schema";
import { WORKLOADS } from "../config/schema";
import { campaignHasEnded } from "../scaling/cron-windows";
import { parseCalendarDate } from "../time/calendar-date";

/** Replicas that carry `rps` when each replica runs at `utilisation` of its target RPS. */
export function replicasNeeded(rps: number, targetRpsPerReplica: number, utilisation: number): number {
  // Guards against 3.0000000000000004 becoming 4 after a float division.
  return Math.max(1, Math.ceil(rps / (targetRpsPerReplica * utilisation) - 1e-9));
}

export type NeedStatus = "ok" | "shortfall" | "waste" | "floor-below-need" | "no-floor";

export interface SeasonNeed {
  readonly territory: string;
  readonly workload: WorkloadName;
  readonly kind: "season" | "campaign";
  readonly window: string;
  readonly loadMultiplier: number;
  readonly baselinePeakRps: number;
  readonly forecastRps: number;
  readonly targetRpsPerReplica: number;
  readonly replicasNeeded: number;
  /** The season's floor for this workload; undefined when the season sets none (reactive only). */
  readonly floor?: number;
  readonly maxReplicas: number;
  readonly status: NeedStatus;
  readonly message: string;
}

function judge(needed: number, floor: number | undefined, max: number, settings: CapacitySettings): NeedStatus {
  if (needed > max) return "shortfall";
  if (floor === undefined) return "no-floor";
  if (floor > needed * settings.wasteRatio && floor - needed >= settings.wasteMinExcess) return "waste";
  if (floor < needed) return "floor-below-need";
  return "ok";
}

function message(n: Omit<SeasonNeed, "message">, settings: CapacitySettings): string {
  const where = `${n.territory} ${n.workload}, ${n.kind} ${n.window}`;
  const forecast =
    `forecast ${round(n.forecastRps)} rps = ${n.baselinePeakRps} × ${n.loadMultiplier}, at ` +
    `${n.targetRpsPerReplica} rps/replica × ${settings.targetUtilisation} utilisation`;
  switch (n.status) {
    case "shortfall":
      return (
        `capacity shortfall: ${where} needs ${n.replicasNeeded} replicas but maxReplicas is ${n.maxReplicas} ` +
        `(${forecast}); raise territories.${n.territory}.${n.workload}.maxReplicas`
      );
    case "waste":
      return (
        `over-provisioned floor: ${where} holds a floor of ${n.floor} but needs ${n.replicasNeeded} (${forecast}); ` +
        `more than ${settings.wasteRatio}× the need and ${settings.wasteMinExcess}+ replicas above it`
      );
    case "floor-below-need":
      return (
        `${where}: floor ${n.floor} is below the ${n.replicasNeeded} needed (${forecast}); ` +
        `reactive scaling must add the rest (max ${n.maxReplicas})`
      );
    case "no-floor":
      return `${where}: no floor; reactive scaling must reach ${n.replicasNeeded} (${forecast}, max ${n.maxReplicas})`;
    default:
      return `${where}: floor ${n.floor} covers the ${n.replicasNeeded} needed (${forecast}, max ${n.maxReplicas})`;
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

export function seasonNeeds(config: FreshplanConfig, now: Date): SeasonNeed[] {
  const settings = config.capacity;
  const windows = [
    ...config.seasons.map((s) => ({ kind: "season" as const, ...s, ended: () => false })),
    ...config.campaigns.map((c) => ({
      kind: "campaign" as const,
      ...c,
      ended: (tz: string) => campaignHasEnded(parseCalendarDate(c.lastDay)!, tz, now),
    })),
  ];
  const needs: SeasonNeed[] = [];
  for (const w of windows) {
    for (const [code, floors] of Object.entries(w.floors)) {
      const territory = config.territories[code];
      if (!territory || w.ended(territory.timeZone)) continue;
      for (const workload of WORKLOADS) {
        const capacity = territory[workload];
        const forecastRps = capacity.baselinePeakRps * w.loadMultiplier;
        const replicas = replicasNeeded(forecastRps, capacity.targetRpsPerReplica, settings.targetUtilisation);
        const floor = floors[workload];
        const base = {
          territory: code,
          workload,
          kind: w.kind,
          window: w.name,
          loadMultiplier: w.loadMultiplier,
          baselinePeakRps: capacity.baselinePeakRps,
          forecastRps,
          targetRpsPerReplica: capacity.targetRpsPerReplica,
          replicasNeeded: replicas,
          floor,
          maxReplicas: capacity.maxReplicas,
          status: judge(replicas, floor, capacity.maxReplicas, settings),
        };
        needs.push({ ...base, message: message(base, settings) });
      }
    }
  }
  return needs;
}

/** Replicas an ordinary day's peak needs (outside every season). */
export function baselineNeed(config: FreshplanConfig, territory: string, workload: WorkloadName): number {
  const c = config.territories[territory][workload];
  return replicasNeeded(c.baselinePeakRps, c.targetRpsPerReplica, config.capacity.targetUtilisation);
}

/** What `pulumi preview` warns about: seasons the max cannot carry, and floors far above need. */
export function capacityWarnings(config: FreshplanConfig, now: Date): string[] {
  return seasonNeeds(config, now)
    .filter((n) => n.status === "shortfall" || n.status === "waste")
    .map((n) => n.message);
}
