/**
 * A simulated API workload for the control-loop tests: request rate, and p95 from a queueing curve over the ready pods,
 * both as Prometheus windows read them.
 */
import type { MetricSource, TickContext } from "../../../model/simulation/control-loop";
import { slidingMean } from "../../../model/simulation/signals";

export interface LatencyCurve {
  /** p95 in seconds of an idle pod. */
  readonly baseSeconds: number;
  /** Requests per second one pod serves at saturation. */
  readonly capacityRps: number;
}

/**
 * p95 ≈ base ÷ (1 − utilisation), the sojourn-time shape of a single queue, capped at 100× base
 * (timeouts) so a saturated workload reads as very slow rather than infinite.
 */
export function p95Seconds(curve: LatencyCurve, rps: number, readyPods: number): number {
  if (readyPods === 0) return curve.baseSeconds * 100;
  const utilisation = rps / (readyPods * curve.capacityRps);
  return utilisation >= 0.99
    ? curve.baseSeconds * 100
    : Math.min(curve.baseSeconds / (1 - utilisation), curve.baseSeconds * 100);
}

export interface SimulatedApi {
  /** The request rate over the rate window. */
  readonly rps: MetricSource;
  /** p95 over the latency window, in seconds. */
  readonly p95: MetricSource;
  /** Windowed p95 (seconds) per tick read, in order. */
  readonly p95History: { seconds: number; p95: number }[];
}

/** Windows are fed once per tick, however many triggers read them. */
export function simulatedApi(
  load: (seconds: number) => number,
  curve: LatencyCurve,
  windows = { rateSeconds: 120, latencySeconds: 300 },
): SimulatedApi {
  const rate = slidingMean(windows.rateSeconds);
  const latency = slidingMean(windows.latencySeconds);
  let at = Number.NaN;
  let current = { rps: 0, p95: 0 };
  const p95History: { seconds: number; p95: number }[] = [];
  const read = (tick: TickContext) => {
    if (tick.seconds !== at) {
      at = tick.seconds;
      const rps = load(tick.seconds);
      current = {
        rps: rate(tick.seconds, rps),
        p95: latency(tick.seconds, p95Seconds(curve, rps, tick.readyReplicas)),
      };
      p95History.push({ seconds: tick.seconds, p95: current.p95 });
    }
    return current;
  };
  return { rps: (t) => read(t).rps, p95: (t) => read(t).p95, p95History };
}
