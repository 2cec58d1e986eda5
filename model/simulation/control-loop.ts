/**
 * A control-loop simulator of KEDA + the HPA for one ScaledObject as the stack renders it: steps in
 * HPA sync periods, reads every trigger's metric, applies KEDA's fallback, the HPA's tolerance,
 * stabilization and rate policies, and starts pods with a start-up delay. Pure and general: callers
 * drive it with metric functions of time and of the replicas that run.
 */
import { isCronTriggerActive } from "../keda/cron";
import type { CronTriggerMetadata } from "../keda/types";
import {
  DEFAULT_TOLERANCE,
  Recommendation,
  ScaleEvent,
  ScalingRules,
  averageValueProposal,
  limitByBehavior,
  stabilize,
  valueProposal,
} from "./hpa-rules";

/** The ScaledObject spec fields the loop reads, as scaledObjectManifest renders them. */
export interface SimulatedScaledObject {
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  readonly fallback?: {
    readonly failureThreshold: number;
    readonly replicas: number;
    readonly behavior?: "static" | "currentReplicas" | "currentReplicasIfHigher" | "currentReplicasIfLower";
  };
  readonly advanced?: {
    readonly horizontalPodAutoscalerConfig?: {
      readonly behavior?: { readonly scaleUp?: ScalingRules; readonly scaleDown?: ScalingRules };
    };
  };
  readonly triggers: readonly {
    readonly type: string;
    readonly name: string;
    readonly metricType?: "AverageValue" | "Value";
    readonly metadata: Readonly<Record<string, string>>;
  }[];
}

export interface TickContext {
  /** Seconds since the start of the run. */
  readonly seconds: number;
  readonly at: Date;
  /** The scale's replica count (what the HPA last set). */
  readonly currentReplicas: number;
  /** Pods past their start-up delay: the ones that serve traffic. */
  readonly readyReplicas: number;
}

/** What a trigger's query returns at a tick; `undefined` is a failed query (an error in KEDA). */
export type MetricSource = (tick: TickContext) => number | undefined;

export interface SimulationInput {
  readonly scaledObject: SimulatedScaledObject;
  /** Metric per trigger name. Cron triggers without one are evaluated from their schedule at `start`. */
  readonly metrics: Readonly<Record<string, MetricSource>>;
  readonly start: Date;
  readonly durationSeconds: number;
  /** The kube-controller-manager's `--horizontal-pod-autoscaler-sync-period`; default 15 s. */
  readonly syncPeriodSeconds?: number;
  /** From pod creation until it is ready and serves; default 60 s. */
  readonly podStartupSeconds?: number;
  /** Replicas (all ready) at the start; default minReplicaCount. */
  readonly initialReplicas?: number;
  /** pkg/controller/podautoscaler/config/v1alpha1/defaults.go: `--horizontal-pod-autoscaler-tolerance` 0.1. */
  readonly tolerance?: number;
}

export interface Tick extends TickContext {
  /** Metric value per trigger (undefined: the query failed). */
  readonly values: Readonly<Record<string, number | undefined>>;
  /** What each trigger proposed (undefined: it errored and KEDA did not fall back). */
  readonly proposals: Readonly<Record<string, number | undefined>>;
  /** The count the HPA set at this tick. */
  readonly desiredReplicas: number;
}

export interface ScaleChange {
  readonly seconds: number;
  readonly from: number;
  readonly to: number;
  /** The trigger(s) whose proposal was the maximum, or why the HPA held. */
  readonly reason: string;
}

export interface SimulationResult {
  readonly ticks: readonly Tick[];
  readonly changes: readonly ScaleChange[];
}

/**
 * The HPA's behavior when the ScaledObject sets none: pkg/apis/autoscaling/v2/defaults.go,
 * GenerateHPAScaleUpRules and GenerateHPAScaleDownRules.
 */
const DEFAULT_UP: ScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: "Max",
  policies: [
    { type: "Percent", value: 100, periodSeconds: 15 },
    { type: "Pods", value: 4, periodSeconds: 15 },
  ],
};
const DEFAULT_DOWN: ScalingRules = {
  stabilizationWindowSeconds: 300,
  selectPolicy: "Max",
  policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
};

/** The threshold the HPA's external metric target carries, per KEDA scaler type. */
function targetOf(trigger: SimulatedScaledObject["triggers"][number]): number {
  // cron_scaler.go, GetMetricSpecForScaling: target 1 per replica; the value is desiredReplicas when active.
  if (trigger.type === "cron") return 1;
  const raw = trigger.metadata.threshold ?? trigger.metadata.targetQueryValue;
  const target = Number(raw);
  if (!(target > 0)) throw new Error(`trigger ${trigger.name}: no usable threshold (${raw})`);
  return target;
}

/** Cron activity changes at whole minutes at most, so each trigger is evaluated once a minute. */
function cronSource(metadata: CronTriggerMetadata): MetricSource {
  let minute = Number.NaN;
  let active = false;
  return ({ at }) => {
    const m = Math.floor(at.getTime() / 60_000);
    if (m !== minute) {
      minute = m;
      active = isCronTriggerActive(metadata, at);
    }
    return active ? Number(metadata.desiredReplicas) : 0;
  };
}

/**
 * fallback.go, doFallback: after more than failureThreshold consecutive failures KEDA serves a
 * metric worth the fallback replica count: target × replicas for AverageValue, divided by the ready
 * replicas for Value (none ready: no fallback, the error stands).
 */
function fallbackValue(
  so: SimulatedScaledObject,
  type: "AverageValue" | "Value",
  target: number,
  tick: TickContext,
): number | undefined {
  const fb = so.fallback!;
  const current = tick.currentReplicas;
  const replicas =
    fb.behavior === "currentReplicas"
      ? current
      : fb.behavior === "currentReplicasIfHigher"
        ? Math.max(current, fb.replicas)
        : fb.behavior === "currentReplicasIfLower"
          ? Math.min(current, fb.replicas)
          : fb.replicas;
  if (type === "AverageValue") return target * replicas;
  return tick.readyReplicas === 0 ? undefined : (target * replicas) / tick.readyReplicas;
}

export function simulateScaling(input: SimulationInput): SimulationResult {
  const so = input.scaledObject;
  const sync = input.syncPeriodSeconds ?? 15;
  const startup = input.podStartupSeconds ?? 60;
  const tolerance = input.tolerance ?? DEFAULT_TOLERANCE;
  const behavior = so.advanced?.horizontalPodAutoscalerConfig?.behavior;
  const up = behavior?.scaleUp ?? DEFAULT_UP;
  const down = behavior?.scaleDown ?? DEFAULT_DOWN;
  const bounds = { min: so.minReplicaCount, max: so.maxReplicaCount };

  const sources = so.triggers.map((t) => {
    const source =
      input.metrics[t.name] ??
      (t.type === "cron" ? cronSource(t.metadata as unknown as CronTriggerMetadata) : undefined);
    if (!source) throw new Error(`no metric for trigger ${t.name} (${t.type})`);
    return { trigger: t, source, target: targetOf(t), type: t.metricType ?? "AverageValue" };
  });
  const failures = new Map<string, number>();

  // Pod creation times in seconds; a pod created before the run is ready from the start.
  let pods: number[] = Array.from({ length: input.initialReplicas ?? so.minReplicaCount }, () => -startup);
  let current = pods.length;
  const recommendations: Recommendation[] = [];
  const ups: ScaleEvent[] = [];
  const downs: ScaleEvent[] = [];
  const ticks: Tick[] = [];
  const changes: ScaleChange[] = [];

  // horizontal.go: the controller reconciles every HPA once per sync period.
  for (let seconds = 0; seconds <= input.durationSeconds; seconds += sync) {
    const ready = pods.filter((created) => seconds - created >= startup).length;
    const tick: TickContext = {
      seconds,
      at: new Date(input.start.getTime() + seconds * 1000),
      currentReplicas: current,
      readyReplicas: ready,
    };
    const values: Record<string, number | undefined> = {};
    const proposals: Record<string, number | undefined> = {};
    let invalid = 0;
    let metricDesired = 0;
    let leaders: string[] = [];
    // horizontal.go, computeReplicasForMetrics: one proposal per metric, the largest wins. KEDA's
    // metrics server queries the scaler on each HPA request (no metric cache by default).
    for (const { trigger, source, target, type } of sources) {
      let value = source(tick);
      values[trigger.name] = value;
      if (value === undefined) {
        // fallback.go, GetMetricsWithFallback: consecutive failures per metric; a success resets them.
        const failed = (failures.get(trigger.name) ?? 0) + 1;
        failures.set(trigger.name, failed);
        if (so.fallback && failed > so.fallback.failureThreshold) value = fallbackValue(so, type, target, tick);
      } else {
        failures.set(trigger.name, 0);
      }
      if (value === undefined) {
        invalid++;
        continue;
      }
      // keda#7880 (2.20.2): negative external metric values read as zero.
      const v = Math.max(0, value);
      const proposal =
        type === "Value"
          ? valueProposal(v, target, current, ready, tolerance)
          : averageValueProposal(v, target, current, tolerance);
      proposals[trigger.name] = proposal;
      if (proposal > metricDesired) [metricDesired, leaders] = [proposal, [trigger.name]];
      else if (proposal === metricDesired) leaders.push(trigger.name);
    }

    // horizontal.go, reconcileAutoscaler: outside [min, max] the count is clamped without metrics.
    let desired = current;
    let reason = leaders.join("+");
    if (current > bounds.max) [desired, reason] = [bounds.max, "above maxReplicas"];
    else if (current < bounds.min) [desired, reason] = [bounds.min, "below minReplicas"];
    else if (invalid === sources.length || (invalid > 0 && metricDesired < current)) {
      // horizontal.go, computeReplicasForMetrics: every metric invalid, or some invalid while the
      // valid ones would scale down, is an error; the HPA keeps the count and records nothing.
      reason = "metrics unavailable";
    } else {
      recommendations.push({ atSeconds: seconds, replicas: metricDesired });
      const stabilized = stabilize(seconds, current, metricDesired, recommendations, up, down);
      desired = limitByBehavior(seconds, current, stabilized, bounds, ups, downs, up, down);
      const horizon = seconds - Math.max(up.stabilizationWindowSeconds, down.stabilizationWindowSeconds);
      while (recommendations.length > 0 && recommendations[0].atSeconds <= horizon) recommendations.shift();
    }

    if (desired > current) {
      ups.push({ atSeconds: seconds, change: desired - current });
      pods = [...pods, ...Array.from({ length: desired - current }, () => seconds)];
    } else if (desired < current) {
      downs.push({ atSeconds: seconds, change: current - desired });
      // pkg/controller/replicaset, getPodsToDelete (controller.ActivePods ordering): pods that are
      // not ready go first, then the most recently started.
      pods = [...pods].sort((a, b) => a - b).slice(0, desired);
    }
    const longestPeriod = Math.max(0, ...[...up.policies, ...down.policies].map((p) => p.periodSeconds));
    for (const events of [ups, downs])
      while (events.length > 0 && events[0].atSeconds <= seconds - longestPeriod) events.shift();
    if (desired !== current) changes.push({ seconds, from: current, to: desired, reason });
    ticks.push({ ...tick, values, proposals, desiredReplicas: desired });
    current = desired;
  }
  return { ticks, changes };
}
