/**
 * A simulated season before it arrives:
 * `npm run rehearse -- --stack prod [--season oktoberfest] [--from DATE] [--days 3] [--multiplier 5] [--territory DE]
 * [--format table|json|svg] [--out FILE]`.
 * Replays the load through the workloads' ScaledObjects as rendered, with KEDA's and the HPA's rules.
 */
import * as fs from "node:fs";
import { Command } from "commander";
import {
  RehearsalPeriod,
  StackRehearsal,
  ordinaryPeriod,
  rehearseStack,
  seasonPeriod,
} from "../model/rehearsal/rehearse";
import { buildStackPlan } from "../model/stack-plan";
import { addDays, calendarDateIn, formatCalendarDate } from "../model/time/calendar-date";
import { formatLocal } from "../model/time/zoned-time";
import { dateFlag, positiveFlag, runCli, territoryFlag } from "./cli";
import { rehearsalSvg } from "./render/rehearsal-svg";
import { textTable } from "./render/text-table";
import { loadStackConfig, stackFilePath } from "./stack-file";

const round = (x: number, digits = 1) => String(Math.round(x * 10 ** digits) / 10 ** digits);

export function rehearsalTable(r: StackRehearsal): string {
  const rows = [
    [
      "territory",
      "workload",
      "min over p95",
      "min at max",
      "replica-h",
      "scale events",
      "peak",
      "max",
      "holding max",
      "first shortfall (local)",
    ],
  ];
  for (const w of r.workloads) {
    rows.push([
      w.territory,
      w.workload,
      round(w.minutesOverBudget),
      round(w.minutesAtMax),
      round(w.replicaHours),
      String(w.scaleEvents),
      String(w.peakReplicas),
      String(w.maxReplicas),
      w.recommendedMaxReplicas === undefined ? "none ≤ limit" : String(w.recommendedMaxReplicas),
      w.firstShortfall ? formatLocal(w.firstShortfall, w.timeZone) : "—",
    ]);
  }
  return textTable(rows);
}

export function rehearsalJson(stack: string, r: StackRehearsal): string {
  return (
    JSON.stringify(
      {
        stack,
        period: {
          from: formatCalendarDate(r.period.from),
          days: r.period.days,
          label: r.period.label,
          multiplier: r.period.multiplier,
          peak: r.period.peak && { from: formatCalendarDate(r.period.peak.from), days: r.period.peak.days },
        },
        workloads: r.workloads.map(({ minutes, firstShortfall, start, ...w }) => ({
          ...w,
          start: start.toISOString(),
          firstShortfall: firstShortfall?.toISOString() ?? null,
        })),
      },
      null,
      2,
    ) + "\n"
  );
}

async function main() {
  const cli = new Command("rehearse")
    .description("Replay a season's load through the rendered ScaledObjects and report where the p95 budget breaks")
    .option("--stack <name>", "stack whose Pulumi.<stack>.yaml to use", "prod")
    .option("--config-file <path>", "stack config file (default Pulumi.<stack>.yaml)")
    .option(
      "--season <name>",
      "the season to rehearse (its next window, lead days included); default: ordinary days from today",
    )
    .option(
      "--from <date>",
      "first day to rehearse (YYYY-MM-DD, local to each territory); default: the season's first lead day, or today",
    )
    .option("--days <n>", "days to rehearse (default: the whole season window, or 3)")
    .option("--multiplier <x>", "load multiplier (default: the season's loadMultiplier, or 1)")
    .option("--territory <code>", "only this territory")
    .option("--format <format>", "table | json | svg", "table")
    .option("--out <file>", "write to this file instead of stdout")
    .parse(process.argv);
  const o = cli.opts<{
    stack: string;
    configFile?: string;
    season?: string;
    from?: string;
    days?: string;
    multiplier?: string;
    territory?: string;
    format: string;
    out?: string;
  }>();
  if (!["table", "json", "svg"].includes(o.format))
    throw new Error(`--format ${o.format}: expected table, json or svg`);
  const file = o.configFile ?? stackFilePath(o.stack);
  const config = loadStackConfig(o.stack, file);
  const territory = o.territory === undefined ? undefined : territoryFlag(o.territory, config.territories);
  const days = o.days === undefined ? undefined : positiveFlag(o.days, "--days", true);
  const multiplier = o.multiplier === undefined ? undefined : positiveFlag(o.multiplier, "--multiplier");
  const now = new Date();
  const from = o.from === undefined ? undefined : dateFlag(o.from, "--from");
  let period: RehearsalPeriod;
  if (o.season !== undefined) {
    const season = config.seasons.find((s) => s.name === o.season);
    if (!season)
      throw new Error(
        `--season ${o.season}: not in the stack (${config.seasons.map((s) => s.name).join(", ") || "none"})`,
      );
    // The season's window that has not ended by the first rehearsed day.
    const window = seasonPeriod(
      season,
      from ?? calendarDateIn(now, Object.values(config.territories)[0]?.timeZone ?? "UTC"),
      days,
      multiplier,
    );
    period = from ? { ...window, from, days: days ?? 3 } : window;
  } else {
    period = { ...ordinaryPeriod(config, now, days ?? 3, multiplier), ...(from && { from }) };
  }
  const plan = buildStackPlan(config, now);
  const rehearsal = rehearseStack(config, plan.scaling, period, {}, territory);
  const span = `${formatCalendarDate(period.from)} … ${formatCalendarDate(addDays(period.from, period.days - 1))}`;
  const emit = (text: string) => (o.out ? fs.writeFileSync(o.out, text) : process.stdout.write(text));
  if (o.format === "json") return emit(rehearsalJson(o.stack, rehearsal));
  if (o.format === "svg")
    return emit(
      rehearsalSvg(rehearsal, `freshplan ${o.stack}: rehearsal of ${period.label} × ${period.multiplier}, ${span}`),
    );
  emit(
    [
      `Rehearsal: stack ${o.stack} (${file}), ${period.label}, ${span}, load × ` +
        `${period.multiplier}${period.peak ? ` from ${formatCalendarDate(period.peak.from)}` : ""}`,
      "Minutes are simulated minutes with p95 over the budget (capacity model: README, Season rehearsal); " +
        "holding max: the smallest maxReplicas with none.",
      "",
      rehearsalTable(rehearsal),
      "",
    ].join("\n"),
  );
}

if (require.main === module) runCli("rehearse", main);
