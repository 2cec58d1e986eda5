// How long a rehearsal of a whole season takes for the prod stack: every season's full window
// (lead days included) through every workload it applies to, with the search for a holding max,
// against a one-day rehearsal of the same workloads measured in the same run as the baseline.
//
//   npm run bench:rehearsal [-- --stack prod --rounds 3]
import { Command } from "commander";
import { RehearsalPeriod, rehearseStack, seasonPeriod } from "../model/rehearsal/rehearse";
import { buildScalingPlan } from "../model/scaling/plan";
import { loadStackConfig, stackFilePath } from "../scripts/stack-file";

const o = new Command("bench:rehearsal")
  .option("--stack <name>", "stack", "prod")
  .option("--rounds <n>", "rounds per measurement (the median is reported)", "3")
  .parse(process.argv)
  .opts<{ stack: string; rounds: string }>();

const config = loadStackConfig(o.stack, stackFilePath(o.stack));
const now = new Date("2026-01-15T00:00:00Z");
const scaling = buildScalingPlan(config, now);
const today = { year: 2026, month: 1, day: 15 };

function median(period: RehearsalPeriod): { ms: number; minutesOverBudget: number; workloads: number } {
  const times: number[] = [];
  let result = rehearseStack(config, scaling, period);
  for (let r = 0; r < Number(o.rounds); r++) {
    const t = process.hrtime.bigint();
    result = rehearseStack(config, scaling, period);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return {
    ms: times[Math.floor(times.length / 2)],
    minutesOverBudget: result.workloads.reduce((s, w) => s + w.minutesOverBudget, 0),
    workloads: result.workloads.length,
  };
}

console.log(
  `rehearsal benchmark: stack ${o.stack}, ${scaling.workloads.length} workloads, median of ${o.rounds} rounds ` +
    `(after one warm-up)`,
);
for (const season of config.seasons) {
  const full = seasonPeriod(season, today);
  const baseline = median({ ...full, days: 1 });
  const whole = median(full);
  console.log(
    `${season.name.padEnd(12)} ${String(full.days).padStart(3)} days × ${whole.workloads} workloads: ` +
      `${whole.ms.toFixed(0).padStart(6)} ms` +
      `  (one day: ${baseline.ms.toFixed(0)} ms; ratio ${(whole.ms / baseline.ms).toFixed(1)}× for ${full.days}× ` +
      `the days)` +
      `  · ${whole.minutesOverBudget} min over budget`,
  );
}
