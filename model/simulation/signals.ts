/** Building blocks for simulated metrics: a value as Prometheus reads it over a range window. */

/**
 * The mean of a signal over the last `windowSeconds`, as `rate()` or a quantile over a range window
 * lags the instant: feed it every tick, read it back at the same tick.
 */
export function slidingMean(windowSeconds: number): (seconds: number, value: number) => number {
  const samples: { seconds: number; value: number }[] = [];
  let sum = 0;
  return (seconds, value) => {
    samples.push({ seconds, value });
    sum += value;
    while (samples.length > 1 && samples[0].seconds <= seconds - windowSeconds) sum -= samples.shift()!.value;
    return sum / samples.length;
  };
}
