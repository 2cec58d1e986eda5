/**
 * The load of a staging rehearsal for k6: the planning documents' stages scaled to a season's forecast, per territory
 * and workload.
 */
import type { FreshplanConfig, WorkloadName } from "../config/schema";
import { WORKLOADS } from "../config/schema";

/**
 * The seed's "Oktoberfest simulation": 5 min up to normal load, 5 min up to the peak, 10 min at the
 * peak, 5 min back to normal. Normal is the baseline peak RPS; the peak is the season's forecast.
 */
export const REHEARSAL_STAGES = [
  { minutes: 5, level: "normal" },
  { minutes: 5, level: "peak" },
  { minutes: 10, level: "peak" },
  { minutes: 5, level: "normal" },
] as const;

export interface K6Stage {
  /** k6 duration, e.g. "5m". */
  readonly duration: string;
  /** Requests per second to reach by the end of the stage. */
  readonly target: number;
}

export interface K6Scenario {
  /** `<workload>_<territory>`, a valid k6 scenario name. */
  readonly name: string;
  readonly territory: string;
  readonly workload: WorkloadName;
  /** Requests per second at normal load and at the peak (equal where the season does not apply). */
  readonly normalRps: number;
  readonly peakRps: number;
  readonly stages: readonly K6Stage[];
  /** The workload's p95 budget: the scenario's threshold. */
  readonly p95BudgetMs: number;
  readonly path: string;
  readonly method: "GET" | "POST";
}

export interface K6Plan {
  readonly season: string;
  readonly multiplier: number;
  readonly scale: number;
  readonly scenarios: readonly K6Scenario[];
  /** Territories whose load the season raises (a regional season leaves the others at normal load). */
  readonly seasonTerritories: readonly string[];
  /** Each territory's share of the total normal load, as the scenarios weight it. */
  readonly shares: Readonly<Record<string, number>>;
}

export interface K6PlanOptions {
  readonly season: string;
  /** Overrides the season's loadMultiplier. */
  readonly multiplier?: number;
  /** Runs the whole profile at this fraction of the forecast (a staging cluster is smaller). @default 1 */
  readonly scale?: number;
  /** Request path per workload; a workload without one gets no scenario. */
  readonly paths: Readonly<Partial<Record<WorkloadName, string>>>;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Throws an Error naming the flag for a season that does not exist or a bad multiplier/scale. */
export function buildK6Plan(config: FreshplanConfig, options: K6PlanOptions): K6Plan {
  const season =
    config.seasons.find((s) => s.name === options.season) ?? config.campaigns.find((c) => c.name === options.season);
  if (!season) {
    const known = [...config.seasons, ...config.campaigns].map((s) => s.name);
    throw new Error(`--season ${options.season}: expected one of ${known.join(", ") || "(no seasons configured)"}`);
  }
  const multiplier = options.multiplier ?? season.loadMultiplier;
  const scale = options.scale ?? 1;
  if (!(multiplier > 0)) throw new Error(`--multiplier ${options.multiplier}: expected a number > 0`);
  if (!(scale > 0 && scale <= 1)) throw new Error(`--scale ${options.scale}: expected a fraction > 0 and ≤ 1`);
  const seasonTerritories = Object.keys(season.floors).filter((code) => config.territories[code]);
  const scenarios: K6Scenario[] = [];
  for (const [territory, t] of Object.entries(config.territories)) {
    for (const workload of WORKLOADS) {
      const path = options.paths[workload];
      if (path === undefined) continue;
      const normalRps = round(t[workload].baselinePeakRps * scale);
      const peakRps = seasonTerritories.includes(territory) ? round(normalRps * multiplier) : normalRps;
      scenarios.push({
        name: `${workload}_${territory.toLowerCase().replace(/-/g, "_")}`,
        territory,
        workload,
        normalRps,
        peakRps,
        stages: REHEARSAL_STAGES.map((s) => ({
          duration: `${s.minutes}m`,
          target: s.level === "peak" ? peakRps : normalRps,
        })),
        p95BudgetMs: t[workload].p95BudgetMs,
        path,
        method: workload === "queries" ? "GET" : "POST",
      });
    }
  }
  const total = scenarios.reduce((sum, s) => sum + s.normalRps, 0);
  const load: Record<string, number> = {};
  for (const s of scenarios) load[s.territory] = (load[s.territory] ?? 0) + s.normalRps;
  const shares = Object.fromEntries(Object.entries(load).map(([t, rps]) => [t, round(rps / total)]));
  return { season: season.name, multiplier, scale, scenarios, seasonTerritories, shares };
}
