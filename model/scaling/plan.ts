/**
 * The scaling plan: for every territory × workload, what runs and how KEDA scales it. Every
 * decision (names, floors, triggers, HPA behaviour) is made here, so components only turn this
 * into resources and the calendar can evaluate the very triggers the stack renders.
 */
import { FreshplanConfig, TerritoryConfig, WORKLOADS, WorkloadName } from "../config/schema";
import { TRIGGER_NAMES, apiWorkloadName } from "../conventions";
import { kedaHelmValues } from "../keda/helm-values";
import { kedaCronTrigger, kedaPrometheusTrigger } from "../keda/triggers";
import type { KedaTrigger, ScaledWorkload } from "../keda/types";
import { apiCredentialsSecret } from "../journal/logins";
import { latencyRatioQuery, rpsTriggerQuery } from "../prometheus/promql";
import { CronWindow, businessHoursWindow, campaignWindow, seasonWindow } from "./cron-windows";
import { PhaseWindow, campaignPhaseWindows, seasonPhaseWindows } from "./phase-windows";

/** A replica floor held by a cron trigger during a window. */
export interface FloorWindow extends CronWindow {
  readonly floor: number;
}

export interface WorkloadScaling extends ScaledWorkload {
  readonly workload: WorkloadName;
  readonly timeZone: string;
  /** `freshplan-api-<workload>-<territory>`, also the Service, PDB and ScaledObject name. */
  readonly name: string;
  readonly targetRpsPerReplica: number;
  readonly p95BudgetMs: number;
  readonly baselinePeakRps: number;
  readonly floors: readonly FloorWindow[];
}

export interface ScalingPlan {
  readonly namespace: string;
  /** The chart to install and its values. */
  readonly keda: FreshplanConfig["keda"] & { readonly values: Record<string, unknown> };
  readonly workloads: readonly WorkloadScaling[];
  /** Things ops should act on that do not block a deploy (shown as warnings at preview). */
  readonly notices: readonly string[];
}

function floorWindows(
  config: FreshplanConfig,
  code: string,
  territory: TerritoryConfig,
  workload: WorkloadName,
  now: Date,
  notices: Set<string>,
) {
  const windows: FloorWindow[] = [];
  const phaseFloors = (phases: PhaseWindow[]) => {
    for (const { phase, ...w } of phases) {
      const floor = phase.floors[code]?.[workload];
      if (floor !== undefined) windows.push({ ...w, floor });
    }
  };
  for (const season of config.seasons) {
    const floor = season.floors[code]?.[workload];
    // With phases the lead days are theirs: the season's own floors hold from its first day.
    const own = season.phases?.length ? { ...season, leadDays: 0 } : season;
    phaseFloors(seasonPhaseWindows(season, territory.timeZone));
    if (floor !== undefined) windows.push({ ...seasonWindow(own, territory.timeZone), floor });
  }
  config.campaigns.forEach((campaign, index) => {
    const floor = campaign.floors[code]?.[workload];
    if (floor === undefined && !campaign.phases?.some((p) => p.floors[code]?.[workload] !== undefined)) return;
    const decision = campaignWindow(campaign, index, territory.timeZone, now);
    if (decision.window) {
      phaseFloors(campaignPhaseWindows(campaign, territory.timeZone));
      const own = campaign.phases?.length
        ? campaignWindow({ ...campaign, leadDays: 0 }, index, territory.timeZone, now).window!
        : decision.window;
      if (floor !== undefined) windows.push({ ...own, floor });
    }
    if (decision.notice) notices.add(decision.notice);
  });
  const hours = territory[workload].businessHours;
  if (hours) windows.push({ ...businessHoursWindow(hours, territory.timeZone), floor: hours.floor });
  return windows;
}

export function buildScalingPlan(config: FreshplanConfig, now: Date): ScalingPlan {
  const notices = new Set<string>();
  const workloads: WorkloadScaling[] = [];
  for (const [code, territory] of Object.entries(config.territories)) {
    for (const workload of WORKLOADS) {
      const capacity = territory[workload];
      const scope = { namespace: config.namespace, territory: code, workload };
      const floors = floorWindows(config, code, territory, workload, now, notices);
      const prometheus = (
        name: string,
        query: string,
        metricType: "AverageValue" | "Value",
        threshold: number,
      ): KedaTrigger =>
        kedaPrometheusTrigger(name, {
          serverAddress: config.prometheus.serverAddress,
          query,
          threshold,
          metricType,
          // An empty result is an error, so a broken scrape lets KEDA's fallback act instead of reading zero load.
          ignoreNullValues: false,
        });
      workloads.push({
        territory: code,
        workload,
        timeZone: territory.timeZone,
        namespace: config.namespace,
        name: apiWorkloadName(code, workload),
        minReplicas: capacity.minReplicas,
        maxReplicas: capacity.maxReplicas,
        targetRpsPerReplica: capacity.targetRpsPerReplica,
        p95BudgetMs: capacity.p95BudgetMs,
        baselinePeakRps: capacity.baselinePeakRps,
        floors,
        triggers: [
          // Load triggers first: KEDA names metrics by trigger index (s0-…), so a season added or
          // removed must not renumber them (metric names, triggerIndex and the HPA spec would churn).
          prometheus(
            TRIGGER_NAMES.rps,
            rpsTriggerQuery(config.prometheus, scope),
            "AverageValue",
            capacity.targetRpsPerReplica,
          ),
          // p95 ÷ budget as a Value metric with target 1: proportional to the replicas that run (see
          // latencyRatioQuery).
          prometheus(
            TRIGGER_NAMES.latencyGuard,
            latencyRatioQuery(config.prometheus, scope, capacity.p95BudgetMs),
            "Value",
            1,
          ),
          ...floors.map((f) => kedaCronTrigger(f.name, f, f.floor)),
        ],
        settings: config.workloads[workload],
        credentialsSecret: config.journal ? apiCredentialsSecret(code, workload) : undefined,
      });
    }
  }
  return {
    namespace: config.namespace,
    keda: { ...config.keda, values: kedaHelmValues(config) },
    workloads,
    notices: [...notices],
  };
}

/**
 * One replica makes every node drain and pod restart an outage for the workload (the PDB lets the
 * drain proceed): said at preview and in the plan, not an error, as some workloads accept it.
 */
export function singleReplicaWarnings(plan: Pick<ScalingPlan, "workloads">): string[] {
  return plan.workloads
    .filter((w) => w.minReplicas === 1)
    .map(
      (w) =>
        `territories.${w.territory}.${w.workload}.minReplicas is 1: a node drain or a pod restart is an outage ` +
        `for ${w.name} until a new pod is ready; use 2 where that matters`,
    );
}
