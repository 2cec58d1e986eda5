/**
 * The capacity calendar and pre-provisioning calculator:
 * `npm run calendar -- --stack prod [--from DATE] [--to DATE] [--territory DE] [--format table|json|svg]
 * [--at DATETIME] [--out FILE]`.
 * Evaluates the cron triggers of the ScaledObjects the stack renders, with KEDA's semantics.
 */
import * as fs from "node:fs";
import { Command } from "commander";
import { calendarDateIn, daysBetween, formatCalendarDate } from "../model/time/calendar-date";
import { localTimeProblem, parseAt } from "../model/time/zoned-time";
import { dateFlag, runCli, territoryFlag } from "./cli";
import { progressReporter } from "./progress";
import { CalendarRequest, calendarReport } from "./render/calendar-report";
import { loadStackConfig, stackFilePath } from "./stack-file";

async function main() {
  const cli = new Command("calendar")
    .description("Replica floors over time, capacity findings, pre-provisioning needs and the cost view of a stack")
    .option("--stack <name>", "stack whose Pulumi.<stack>.yaml to use", "prod")
    .option("--config-file <path>", "stack config file (default Pulumi.<stack>.yaml)")
    .option("--from <date>", "first day (YYYY-MM-DD, local to each territory), default today")
    .option("--to <date>", "last day, inclusive (default: 365 days in all)")
    .option("--territory <code>", "only this territory")
    .option("--format <format>", "table | json | svg", "table")
    .option("--at <datetime>", "replicas at this instant: 2026-10-01T09:00 (local to each territory) or with Z/offset")
    .option("--out <file>", "write json/svg to this file instead of stdout")
    .parse(process.argv);
  const o = cli.opts<{
    stack: string;
    configFile?: string;
    from?: string;
    to?: string;
    territory?: string;
    format: string;
    at?: string;
    out?: string;
  }>();
  if (!["table", "json", "svg"].includes(o.format))
    throw new Error(`--format ${o.format}: expected table, json or svg`);
  const file = o.configFile ?? stackFilePath(o.stack);
  const config = loadStackConfig(o.stack, file);
  if (o.territory !== undefined) o.territory = territoryFlag(o.territory, config.territories);
  const now = new Date();
  const firstZone = Object.values(config.territories)[0]?.timeZone ?? "UTC";
  const at = o.at === undefined ? undefined : parseAt(o.at);
  if (o.at !== undefined && !at)
    throw new Error(`--at ${o.at}: expected 2026-10-01T09:00 (local) or an ISO instant with Z or an offset`);
  if (at && "local" in at) {
    const zones = [
      ...new Set(
        Object.entries(config.territories)
          .filter(([code]) => !o.territory || code === o.territory)
          .map(([, t]) => t.timeZone),
      ),
    ];
    const problems = zones
      .map((z) => localTimeProblem(at.local.date, at.local.hour, at.local.minute, z))
      .filter((p) => p !== undefined);
    if (problems.length) throw new Error(`--at ${o.at}:\n  - ${problems.join("\n  - ")}`);
  }
  const atDay = at && ("instant" in at ? calendarDateIn(at.instant, firstZone) : at.local.date);
  const from = o.from ? dateFlag(o.from, "--from") : atDay && !o.to ? atDay : calendarDateIn(now, firstZone);
  const days = o.to ? daysBetween(from, dateFlag(o.to, "--to")) + 1 : atDay ? 2 : 365;
  if (days < 1) throw new Error(`--to ${o.to}: must not lie before --from ${formatCalendarDate(from)}`);

  const format = o.format as CalendarRequest["format"];
  const { text, period } = calendarReport(config, {
    stack: o.stack,
    file,
    from,
    days,
    territory: o.territory,
    format,
    atText: o.at,
    at,
    now,
    progress: progressReporter("calendar"),
  });
  if (!o.out) return void process.stdout.write(text);
  fs.writeFileSync(o.out, text);
  const what = at
    ? `floors at ${o.at}`
    : format === "svg"
      ? "chart"
      : format === "json"
        ? "calendar"
        : "calendar table";
  console.error(`wrote the ${what} (${format}, ${period}) to ${o.out}`);
}

if (require.main === module) runCli("calendar", main);
