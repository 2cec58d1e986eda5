/**
 * One workload through the control loop: the ScaledObject exactly as the stack renders it, its
 * cron floors from the rendered triggers, the RPS trigger reading the windowed request rate and the
 * latency trigger reading p95 ÷ budget as latencyRatioQuery shapes it, both from the capacity model.
 */
import { floorTimeline } from "../calendar/timeline";
import type { ScaledObjectSpec } from "../keda/types";
import { latencySignal } from "../prometheus/promql";
import type { WorkloadScaling } from "../scaling/plan";
import { scaledObjectManifest } from "../scaling/workload-manifests";
import { MetricSource, SimulatedScaledObject, TickContext, simulateScaling } from "../simulation/control-loop";
import { slidingMean } from "../simulation/signals";
import { TRIGGER_NAMES } from "../conventions";
import { CapacityModel, p95Ms, rpsAtBudget } from "./capacity-model";
import { LoadSeries, loadAt } from "./load";

export interface ReplayOptions {
  readonly load: LoadSeries;
  readonly durationSeconds: number;
  readonly model: CapacityModel;
  /** The `rateWindow` and `latencyWindow` of the rendered queries, in seconds. */
  readonly rateWindowSeconds: number;
  readonly latencyWindowSeconds: number;
  readonly syncPeriodSeconds?: number;
  readonly podStartupSeconds?: number;
  /** Replay with another maxReplicas (the search for one that holds). */
  readonly maxReplicas?: number;
  /** Replay without the cron triggers: what the load alone would make the HPA do. */
  readonly withoutFloors?: boolean;
}

/** One sample per minute, for the chart. */
export interface MinuteSample {
  readonly rps: number;
  readonly replicas: number;
  readonly ready: number;
  /** Requests per second the ready pods serve within the budget. */
  readonly capacityRps: number;
  readonly p95Ms: number;
}

export interface WorkloadReplay {
  readonly maxReplicas: number;
  readonly minutesOverBudget: number;
  readonly minutesAtMax: number;
  readonly replicaHours: number;
  readonly scaleEvents: number;
  readonly peakReplicas: number;
  /** The first instant p95 exceeded the budget. */
  readonly firstShortfall?: Date;
  readonly minutes: readonly MinuteSample[];
}

/** A cron trigger as a metric: KEDA's value (desiredReplicas while active) from the floor steps. */
function cronSources(spec: ScaledObjectSpec, from: Date, to: Date): Record<string, MetricSource> {
  const steps = floorTimeline(spec, from, to);
  const sources: Record<string, MetricSource> = {};
  for (const t of spec.triggers.filter((x) => x.type === "cron")) {
    let i = 0;
    sources[t.name] = ({ at }) => {
      while (i + 1 < steps.length && steps[i + 1].at.getTime() <= at.getTime()) i++;
      return steps[i].active.includes(t.name) ? Number(t.metadata.desiredReplicas) : 0;
    };
  }
  return sources;
}

export function replayWorkload(w: WorkloadScaling, o: ReplayOptions): WorkloadReplay {
  const maxReplicas = o.maxReplicas ?? w.maxReplicas;
  const rendered = scaledObjectManifest({ ...w, maxReplicas }).spec as ScaledObjectSpec & SimulatedScaledObject;
  const spec = o.withoutFloors
    ? { ...rendered, triggers: rendered.triggers.filter((t) => t.type !== "cron") }
    : rendered;
  const start = o.load.start;
  const end = new Date(start.getTime() + o.durationSeconds * 1000);

  // Prometheus windows are fed once per tick, however many triggers read them.
  const rate = slidingMean(o.rateWindowSeconds);
  const latency = slidingMean(o.latencyWindowSeconds);
  let at = Number.NaN;
  let windowed = { rps: 0, ratio: 0 };
  const instant: { seconds: number; rps: number; p95: number }[] = [];
  const read = (tick: TickContext) => {
    if (tick.seconds !== at) {
      at = tick.seconds;
      const rps = loadAt(o.load, tick.at);
      const p95 = p95Ms(w, o.model, rps, tick.readyReplicas);
      instant.push({ seconds: tick.seconds, rps, p95 });
      windowed = { rps: rate(tick.seconds, rps), ratio: latency(tick.seconds, p95) / w.p95BudgetMs };
    }
    return windowed;
  };
  const result = simulateScaling({
    scaledObject: spec,
    metrics: {
      ...cronSources(spec, start, end),
      [TRIGGER_NAMES.rps]: (t) => read(t).rps,
      [TRIGGER_NAMES.latencyGuard]: (t) => latencySignal(read(t).ratio),
    },
    start,
    durationSeconds: o.durationSeconds,
    syncPeriodSeconds: o.syncPeriodSeconds,
    podStartupSeconds: o.podStartupSeconds,
  });

  const sync = o.syncPeriodSeconds ?? 15;
  let over = 0;
  let atMax = 0;
  let replicaSeconds = 0;
  let peak = 0;
  let firstShortfall: Date | undefined;
  const minutes: MinuteSample[] = [];
  result.ticks.forEach((tick, k) => {
    const { rps, p95 } = instant[k];
    if (p95 > w.p95BudgetMs) {
      over += sync;
      firstShortfall ??= tick.at;
    }
    if (tick.currentReplicas >= maxReplicas) atMax += sync;
    replicaSeconds += tick.currentReplicas * sync;
    peak = Math.max(peak, tick.currentReplicas);
    if (tick.seconds % 60 === 0) {
      minutes.push({
        rps,
        replicas: tick.currentReplicas,
        ready: tick.readyReplicas,
        capacityRps: tick.readyReplicas * rpsAtBudget(w, o.model),
        p95Ms: p95,
      });
    }
  });
  return {
    maxReplicas,
    minutesOverBudget: over / 60,
    minutesAtMax: atMax / 60,
    replicaHours: replicaSeconds / 3600,
    scaleEvents: result.changes.length,
    peakReplicas: peak,
    firstShortfall,
    minutes,
  };
}
