/**
 * The HPA's per-sync decisions for external metrics, as pure functions: what one metric proposes,
 * how recommendations are stabilized and how far the behavior policies let a change go. Each rule
 * names the Kubernetes source it follows (kubernetes/kubernetes, pkg/controller/podautoscaler).
 */

/** A scaling policy of `spec.behavior.scaleUp|scaleDown.policies`. */
export interface ScalingPolicy {
  readonly type: "Pods" | "Percent";
  readonly value: number;
  readonly periodSeconds: number;
}

export interface ScalingRules {
  readonly stabilizationWindowSeconds: number;
  readonly selectPolicy: "Max" | "Min" | "Disabled";
  readonly policies: readonly ScalingPolicy[];
}

/** A replica change the HPA made, remembered for the rate policies. */
export interface ScaleEvent {
  readonly atSeconds: number;
  /** Replicas added (scale-up) or removed (scale-down), positive either way. */
  readonly change: number;
}

/** A desired count the HPA computed, remembered for the stabilization windows. */
export interface Recommendation {
  readonly atSeconds: number;
  readonly replicas: number;
}

/** The HPA controller's default `--horizontal-pod-autoscaler-tolerance`. */
export const DEFAULT_TOLERANCE = 0.1;

const withinTolerance = (ratio: number, tolerance: number) => Math.abs(1 - ratio) <= tolerance;

/**
 * An `AverageValue` external metric: replica_calculator.go, GetExternalPerPodMetricReplicas. The
 * ratio compares the total against target × the scale's current replicas (not the ready ones);
 * outside the tolerance the proposal is ⌈total ÷ target⌉, which does not depend on the count.
 */
export function averageValueProposal(
  total: number,
  target: number,
  currentReplicas: number,
  tolerance = DEFAULT_TOLERANCE,
): number {
  const ratio = total / (target * currentReplicas);
  return withinTolerance(ratio, tolerance) ? currentReplicas : Math.ceil(total / target);
}

/**
 * A `Value` external metric: replica_calculator.go, GetExternalMetricReplicas and
 * getUsageRatioReplicaCount. Outside the tolerance the proposal is ⌈value ÷ target × ready pods⌉:
 * proportional to what runs, so it holds where the value meets the target.
 */
export function valueProposal(
  value: number,
  target: number,
  currentReplicas: number,
  readyReplicas: number,
  tolerance = DEFAULT_TOLERANCE,
): number {
  const ratio = value / target;
  if (currentReplicas === 0) return Math.ceil(ratio);
  return withinTolerance(ratio, tolerance) ? currentReplicas : Math.ceil(ratio * readyReplicas);
}

/**
 * horizontal.go, stabilizeRecommendationWithBehaviors: a scale-up goes no higher than the lowest
 * recommendation within the up window, a scale-down no lower than the highest within the down
 * window (the current recommendation included).
 */
export function stabilize(
  nowSeconds: number,
  currentReplicas: number,
  desired: number,
  history: readonly Recommendation[],
  up: ScalingRules,
  down: ScalingRules,
): number {
  let upBound = desired;
  let downBound = desired;
  for (const r of history) {
    if (r.atSeconds > nowSeconds - up.stabilizationWindowSeconds) upBound = Math.min(upBound, r.replicas);
    if (r.atSeconds > nowSeconds - down.stabilizationWindowSeconds) downBound = Math.max(downBound, r.replicas);
  }
  return Math.min(Math.max(currentReplicas, upBound), downBound);
}

/** horizontal.go, getReplicasChangePerPeriod: the changes within the last period. */
function changeWithin(nowSeconds: number, periodSeconds: number, events: readonly ScaleEvent[]): number {
  return events.filter((e) => e.atSeconds > nowSeconds - periodSeconds).reduce((sum, e) => sum + e.change, 0);
}

/**
 * horizontal.go, calculateScaleUpLimitWithScalingRules: each policy counts from the replicas at the
 * start of its period; Percent rounds up; `Max` takes the most permissive policy.
 */
export function scaleUpLimit(
  nowSeconds: number,
  currentReplicas: number,
  ups: readonly ScaleEvent[],
  downs: readonly ScaleEvent[],
  rules: ScalingRules,
): number {
  if (rules.selectPolicy === "Disabled") return currentReplicas;
  const proposals = rules.policies.map((p) => {
    const start =
      currentReplicas -
      changeWithin(nowSeconds, p.periodSeconds, ups) +
      changeWithin(nowSeconds, p.periodSeconds, downs);
    return p.type === "Pods" ? start + p.value : Math.ceil(start * (1 + p.value / 100));
  });
  return rules.selectPolicy === "Min" ? Math.min(...proposals) : Math.max(...proposals);
}

/**
 * horizontal.go, calculateScaleDownLimitWithBehaviors: the mirror image; Percent truncates (int32
 * conversion); `Max` (the most change) takes the lowest bound.
 */
export function scaleDownLimit(
  nowSeconds: number,
  currentReplicas: number,
  ups: readonly ScaleEvent[],
  downs: readonly ScaleEvent[],
  rules: ScalingRules,
): number {
  if (rules.selectPolicy === "Disabled") return currentReplicas;
  const proposals = rules.policies.map((p) => {
    const start =
      currentReplicas -
      changeWithin(nowSeconds, p.periodSeconds, ups) +
      changeWithin(nowSeconds, p.periodSeconds, downs);
    return p.type === "Pods" ? start - p.value : Math.trunc(start * (1 - p.value / 100));
  });
  return rules.selectPolicy === "Min" ? Math.max(...proposals) : Math.min(...proposals);
}

/**
 * horizontal.go, convertDesiredReplicasWithBehaviorRate: the stabilized count limited by the rate
 * policies and clamped to [minReplicas, maxReplicas].
 */
export function limitByBehavior(
  nowSeconds: number,
  currentReplicas: number,
  stabilized: number,
  bounds: { min: number; max: number },
  ups: readonly ScaleEvent[],
  downs: readonly ScaleEvent[],
  up: ScalingRules,
  down: ScalingRules,
): number {
  if (stabilized > currentReplicas) {
    // A period already used up never forces a scale-down: the limit is at least the current count.
    const limit = Math.min(
      Math.max(scaleUpLimit(nowSeconds, currentReplicas, ups, downs, up), currentReplicas),
      bounds.max,
    );
    return Math.max(Math.min(stabilized, limit), bounds.min);
  }
  if (stabilized < currentReplicas) {
    const limit = Math.max(
      Math.min(scaleDownLimit(nowSeconds, currentReplicas, ups, downs, down), currentReplicas),
      bounds.min,
    );
    return Math.min(Math.max(stabilized, limit), bounds.max);
  }
  return Math.min(Math.max(stabilized, bounds.min), bounds.max);
}
