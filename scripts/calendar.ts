/**
 * The capacity calendar and pre-provisioning calculator:
 * `npm run calendar -- --stack prod [--from DATE] [--to DATE] [--territory DE] [--format table|json|svg] [--at DATETIME] [--out FILE]`.
 * Evaluates the cron triggers of the ScaledObjects the stack renders, with KEDA's semantics.
 */
import * as fs from "node:fs";
import { Command } from "commander";
import { CalendarFinding, calendarFindings } from "../model/calendar/findings";
import { CalendarLane, StackCalendar, buildCalendar, changePoints } from "../model/calendar/lanes";
import { floorAtInstant, floorRange } from "../model/calendar/timeline";
import { CostView, costView } from "../model/capacity/cost";
import { SeasonNeed, seasonNeeds } from "../model/capacity/forecast";
import { buildStackPlan } from "../model/stack-plan";
import {
  CalendarDate,
  addDays,
  calendarDateIn,
  daysBetween,
  formatCalendarDate,
  parseCalendarDate,
} from "../model/time/calendar-date";
import { formatLocal, instantAt, localDays, parseAt } from "../model/time/zoned-time";
import { runCli } from "./cli";
import { calendarSvg } from "./render/calendar-svg";
import { textTable } from "./render/text-table";
import { loadStackConfig, stackFilePath } from "./stack-file";

const percent = (x: number) => `${Math.round(x * 1000) / 10} %`;
const int = (x: number) => Math.round(x).toLocaleString("en-US");

/** Per local day and lane: the floor range "2–3"; equal consecutive days without events collapse. */
export function dailyTable(cal: StackCalendar): string {
  const lanes = cal.lanes;
  const last = addDays(cal.period.from, cal.period.days - 1);
  const perLane = lanes.map((l) => localDays(cal.period.from, last, l.timeZone));
  const rows: { first: CalendarDate; last: CalendarDate; cells: string[]; events: string[] }[] = [];
  for (let d = 0; d < cal.period.days; d++) {
    const cells = lanes.map((lane, i) => {
      const r = floorRange(lane.steps, perLane[i][d].start, perLane[i][d].end);
      return !r ? "" : r.low === r.high ? String(r.high) : `${r.low}–${r.high}`;
    });
    const events = new Set<string>();
    lanes.forEach((lane, i) => {
      for (const s of lane.steps) {
        if (s.at < perLane[i][d].start || s.at >= perLane[i][d].end || s === lane.steps[0]) continue;
        for (const [names, verb] of [
          [s.started, "starts"],
          [s.ended, "ends"],
        ] as const) {
          for (const n of names) {
            const w = lane.windows.find((x) => x.name === n);
            if (w && w.kind !== "business-hours") events.add(`${w.label} ${verb}`);
          }
        }
      }
    });
    const date = perLane[0][d].date;
    const prev = rows[rows.length - 1];
    if (prev && events.size === 0 && prev.cells.join("|") === cells.join("|")) prev.last = date;
    else rows.push({ first: date, last: date, cells, events: [...events] });
  }
  const header = ["days", ...lanes.map((l) => `${l.territory} ${l.workload}`), "events"];
  const body = rows.map((r) => {
    const span =
      daysBetween(r.first, r.last) === 0
        ? formatCalendarDate(r.first)
        : `${formatCalendarDate(r.first)} … ${formatCalendarDate(r.last)}`;
    return [span, ...r.cells, r.events.join("; ")];
  });
  return textTable([header, ...body]);
}

function needsTable(needs: readonly SeasonNeed[]): string {
  const rows = [["territory", "workload", "window", "load", "forecast rps", "needed", "floor", "max", "verdict"]];
  for (const n of needs) {
    rows.push([
      n.territory,
      n.workload,
      n.window,
      `×${n.loadMultiplier}`,
      String(Math.round(n.forecastRps * 10) / 10),
      String(n.replicasNeeded),
      n.floor === undefined ? "—" : String(n.floor),
      String(n.maxReplicas),
      n.status,
    ]);
  }
  return textTable(rows);
}

function costTable(cost: CostView): string {
  const rows = [["territory", "workload", "(a) calendar", "(b) static peak", "(c) forecast min", "a vs b", "a vs c"]];
  for (const c of [...cost.lanes, { territory: "total", workload: "", ...cost.total, peakReplicas: 0 }]) {
    rows.push([
      c.territory,
      c.workload,
      int(c.configured),
      `${int(c.staticPeak)}${c.peakReplicas ? ` (${c.peakReplicas})` : ""}`,
      int(c.forecastMinimum),
      `−${percent(c.savingsVsStatic)}`,
      `+${percent(c.aboveForecast)}`,
    ]);
  }
  return textTable(rows);
}

function atReport(
  lanes: readonly CalendarLane[],
  at: NonNullable<ReturnType<typeof parseAt>>,
): { lane: CalendarLane; instant: Date; replicas?: number; active: readonly string[] }[] {
  return lanes.map((lane) => {
    const instant = instantAt(at, lane.timeZone);
    const step = floorAtInstant(lane.steps, instant);
    const active = step?.active.map((n) => lane.windows.find((w) => w.name === n)?.label ?? n) ?? [];
    return { lane, instant, replicas: step?.replicas, active };
  });
}

function parseDate(text: string, flag: string): CalendarDate {
  const d = parseCalendarDate(text);
  if (!d) throw new Error(`${flag} ${text}: expected a date YYYY-MM-DD`);
  return d;
}

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
  if (o.territory && !config.territories[o.territory])
    throw new Error(`--territory ${o.territory}: not in the stack (${Object.keys(config.territories).join(", ")})`);
  const now = new Date();
  const firstZone = Object.values(config.territories)[0]?.timeZone ?? "UTC";
  const at = o.at === undefined ? undefined : parseAt(o.at);
  if (o.at !== undefined && !at)
    throw new Error(`--at ${o.at}: expected 2026-10-01T09:00 (local) or an ISO instant with Z or an offset`);
  const atDay = at && ("instant" in at ? calendarDateIn(at.instant, firstZone) : at.local.date);
  const from = o.from ? parseDate(o.from, "--from") : atDay && !o.to ? atDay : calendarDateIn(now, firstZone);
  const days = o.to ? daysBetween(from, parseDate(o.to, "--to")) + 1 : atDay ? 2 : 365;
  if (days < 1) throw new Error(`--to ${o.to}: must not lie before --from ${formatCalendarDate(from)}`);

  const plan = buildStackPlan(config, now);
  const cal = buildCalendar(plan.scaling, { from, days }, o.territory);
  const findings: CalendarFinding[] = calendarFindings(cal.lanes, plan.scaling.notices);
  const needs = seasonNeeds(config, plan.now).filter((n) => !o.territory || n.territory === o.territory);
  const cost = costView(config, cal.lanes, plan.now);
  const period = `${formatCalendarDate(from)} … ${formatCalendarDate(addDays(from, days - 1))}`;
  const emit = (text: string) => (o.out ? fs.writeFileSync(o.out, text) : process.stdout.write(text));

  if (at) {
    const report = atReport(cal.lanes, at);
    if (o.format === "json")
      return emit(
        JSON.stringify(
          report.map((r) => ({
            territory: r.lane.territory,
            workload: r.lane.workload,
            at: r.instant.toISOString(),
            local: formatLocal(r.instant, r.lane.timeZone),
            replicas: r.replicas,
            active: r.active,
          })),
          null,
          2,
        ) + "\n",
      );
    const rows = [["territory", "workload", "local time", "floor", "min", "max", "active windows"]];
    for (const r of report)
      rows.push([
        r.lane.territory,
        r.lane.workload,
        formatLocal(r.instant, r.lane.timeZone),
        String(r.replicas ?? "?"),
        String(r.lane.minReplicas),
        String(r.lane.maxReplicas),
        r.active.join(", ") || "—",
      ]);
    return emit(
      `Replica floors at ${o.at} (stack ${o.stack}; reactive scaling may add replicas above the floor)\n${textTable(rows)}\n`,
    );
  }
  if (o.format === "svg") return emit(calendarSvg(cal.lanes, `freshplan ${o.stack}: replica floors ${period}`, needs));
  if (o.format === "json") {
    return emit(
      JSON.stringify(
        {
          stack: o.stack,
          period: { from: formatCalendarDate(from), days },
          capacity: config.capacity,
          lanes: cal.lanes.map((l) => ({
            territory: l.territory,
            workload: l.workload,
            scaledObject: l.name,
            timeZone: l.timeZone,
            minReplicas: l.minReplicas,
            maxReplicas: l.maxReplicas,
            changePoints: changePoints(l),
          })),
          findings,
          preProvisioning: needs,
          cost: {
            unit: "replica-hours",
            note: "(a) counts the floors the cron triggers hold; reactive scaling above them is not counted",
            ...cost,
          },
        },
        null,
        2,
      ) + "\n",
    );
  }
  const lines = [
    `Capacity calendar: stack ${o.stack} (${file}), ${period}`,
    "Replica floors held by the cron triggers of the rendered ScaledObjects (a–b: lowest–highest floor that day); reactive scaling may add more.",
    "",
    dailyTable(cal),
    "",
    `Findings (${findings.length})`,
    ...(findings.length ? findings.map((f) => `  ${f.severity}: ${f.message}`) : ["  none"]),
    "",
    `Pre-provisioning (target utilisation ${config.capacity.targetUtilisation}; waste: floor above ${config.capacity.wasteRatio}× need and ${config.capacity.wasteMinExcess}+ replicas over it)`,
    needsTable(needs),
    ...needs.filter((n) => n.status === "shortfall" || n.status === "waste").map((n) => `  warning: ${n.message}`),
    "",
    `Cost in replica-hours over ${int(cost.total.hours)} h: (a) the calendar's floors (reactive scaling on top not counted), (b) the peak floor all the time, (c) the forecast need hour by hour`,
    costTable(cost),
    "",
  ];
  emit(lines.join("\n"));
}

if (require.main === module) runCli("calendar", main);
