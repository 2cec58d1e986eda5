/** The capacity calendar's outputs (table, json, svg, the floors at an instant) from a validated
 * config: what `npm run calendar` prints.
 */
import { CalendarFinding, calendarFindings } from "../../model/calendar/findings";
import { CalendarLane, buildCalendar, changePoints } from "../../model/calendar/lanes";
import { floorAtInstant } from "../../model/calendar/timeline";
import { CostView, costView } from "../../model/capacity/cost";
import { SeasonNeed, seasonNeeds } from "../../model/capacity/forecast";
import type { FreshplanConfig } from "../../model/config/schema";
import { buildStackPlan } from "../../model/stack-plan";
import { CalendarDate, addDays, formatCalendarDate } from "../../model/time/calendar-date";
import { formatLocal, instantAt, parseAt } from "../../model/time/zoned-time";
import { calendarSvg } from "./calendar-svg";
import { dailyTable } from "./daily-table";
import { textTable } from "./text-table";

const percent = (x: number) => `${Math.round(x * 1000) / 10} %`;
const int = (x: number) => Math.round(x).toLocaleString("en-US");

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

export interface CalendarRequest {
  readonly stack: string;
  /** The stack file, as named in the table's heading. */
  readonly file: string;
  readonly from: CalendarDate;
  readonly days: number;
  readonly territory?: string;
  readonly format: "table" | "json" | "svg";
  /** `--at` as given, and parsed. */
  readonly atText?: string;
  readonly at?: NonNullable<ReturnType<typeof parseAt>>;
  readonly now: Date;
  /** Hears what the report is working on (the CLI shows it on long runs). */
  readonly progress?: (message: string) => void;
}

/** The text `npm run calendar` writes for a request, and the period it covers ("2026-11-23 … 2027-11-22"). */
export function calendarReport(config: FreshplanConfig, request: CalendarRequest): { text: string; period: string } {
  const { from, days, at } = request;
  const o = { stack: request.stack, territory: request.territory, format: request.format, at: request.atText };
  const file = request.file;
  const now = request.now;
  const plan = buildStackPlan(config, now);
  const cal = buildCalendar(plan.scaling, { from, days }, o.territory, (done, total) =>
    request.progress?.(`evaluated ${done} of ${total} territory workloads`),
  );
  request.progress?.("findings, pre-provisioning and cost");
  const findings: CalendarFinding[] = calendarFindings(cal.lanes, plan.scaling.notices);
  const needs = seasonNeeds(config, plan.now).filter((n) => !o.territory || n.territory === o.territory);
  const cost = costView(config, cal.lanes, plan.now);
  const period = `${formatCalendarDate(from)} … ${formatCalendarDate(addDays(from, days - 1))}`;
  const done = (text: string) => ({ text, period });
  if (at) {
    const report = atReport(cal.lanes, at);
    if (o.format === "json")
      return done(
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
    return done(
      `Replica floors at ${o.at} (stack ${o.stack}; reactive scaling may add replicas above the ` +
        `floor)\n${textTable(rows)}\n`,
    );
  }
  if (o.format === "svg")
    return done(calendarSvg(cal.lanes, `freshplan ${o.stack}: replica floors ${period}`, needs, config));
  if (o.format === "json") {
    return done(
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
    "Replica floors held by the cron triggers of the rendered ScaledObjects (a–b: lowest–highest floor that " +
      "day); reactive scaling may add more.",
    "",
    dailyTable(cal, config),
    "",
    `Findings (${findings.length})`,
    ...(findings.length ? findings.map((f) => `  ${f.severity}: ${f.message}`) : ["  none"]),
    "",
    `Pre-provisioning (target utilisation ${config.capacity.targetUtilisation}; waste: floor above ` +
      `${config.capacity.wasteRatio}× need and ${config.capacity.wasteMinExcess}+ replicas over it)`,
    needsTable(needs),
    ...needs.filter((n) => n.status === "shortfall" || n.status === "waste").map((n) => `  warning: ${n.message}`),
    "",
    `Cost in replica-hours over ${int(cost.total.hours)} h: (a) the calendar's floors (reactive scaling on top ` +
      `not counted), (b) the peak floor all the time, (c) the forecast need hour by hour`,
    costTable(cost),
    "",
  ];
  return done(lines.join("\n"));
}
