/** The calendar's day table: one row per run of days with the same floors, where weeks that only
 * alternate between business hours and the rest fold into one row ("Mon–Fri 07–19 → 3, else 2"),
 * and season starts, ends and the start of their pre-scaling lead days are named.
 */
import type { StackCalendar } from "../../model/calendar/lanes";
import type { BusinessHoursConfig, FreshplanConfig, WorkloadName } from "../../model/config/schema";
import { WEEKDAYS } from "../../model/config/schema";
import { CalendarDate, addDays, daysBetween, formatCalendarDate, formatMonthDay } from "../../model/time/calendar-date";
import { localDays } from "../../model/time/zoned-time";
import { textTable } from "./text-table";

interface Day {
  readonly date: CalendarDate;
  readonly cells: string[];
  /** Per lane: whether business hours apply that weekday. */
  readonly businessDay: boolean[];
  readonly events: string[];
}

const NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** "Mon–Fri 07–19" for [mon…fri] 07:00–19:00. */
export function describeBusinessHours(hours: BusinessHoursConfig): string {
  const days = [...new Set(hours.days.map((d) => WEEKDAYS.indexOf(d)))].sort((a, b) => a - b);
  const contiguous = days.length > 2 && days.every((d, i) => i === 0 || d === days[i - 1] + 1);
  const dayText = contiguous
    ? `${NAMES[days[0]]}–${NAMES[days[days.length - 1]]}`
    : days.map((d) => NAMES[d]).join(", ");
  const time = (t: string) => (t.endsWith(":00") ? t.slice(0, 2) : t);
  return `${dayText} ${time(hours.start)}–${time(hours.end)}`;
}

/**
 * Events by local date (YYYY-MM-DD) in one lane: window starts and ends, and where a season itself begins after its
 * lead days.
 */
function laneEvents(
  cal: StackCalendar,
  config: FreshplanConfig,
  laneIndex: number,
  days: { date: CalendarDate; start: Date; end: Date }[],
): Map<string, string[]> {
  const lane = cal.lanes[laneIndex];
  const events = new Map<string, string[]>();
  const add = (date: CalendarDate, text: string) =>
    events.set(formatCalendarDate(date), [...(events.get(formatCalendarDate(date)) ?? []), text]);
  const lead = new Map([...config.seasons, ...config.campaigns].map((w) => [w.name, w]));
  let d = 0;
  for (const s of lane.steps.slice(1)) {
    while (d < days.length && days[d].end.getTime() <= s.at.getTime()) d++;
    if (d >= days.length) break;
    for (const [names, verb] of [
      [s.started, "starts"],
      [s.ended, "ends"],
    ] as const) {
      for (const n of names) {
        const w = lane.windows.find((x) => x.name === n);
        if (!w || w.kind === "business-hours") continue;
        if (w.phaseOf !== undefined) {
          // A phase's end is the next phase's (or the season's) start: only its start is news.
          const phases = lead.get(w.phaseOf)?.phases ?? [];
          const earliest = Math.max(...phases.map((p) => p.fromDaysBefore));
          const phase = phases.find((p) => w.label === `${w.phaseOf} ${p.name}`);
          if (verb === "starts") {
            add(
              days[d].date,
              phase?.fromDaysBefore === earliest ? `${w.phaseOf} pre-scale starts` : `${w.label} starts`,
            );
          }
          continue;
        }
        // With phases the window's own trigger starts on its first day; without, its lead days come first.
        const window = lead.get(w.label);
        const preScales = verb === "starts" && (window?.leadDays ?? 0) > 0 && !window?.phases?.length;
        add(days[d].date, preScales ? `${w.label} pre-scale starts` : `${w.label} ${verb}`);
      }
    }
  }
  // The day a season with lead days begins: nothing changes in the floor, but ops look for it.
  for (const w of lane.windows) {
    const window = lead.get(w.label);
    if (!window || window.leadDays === 0 || window.phases?.length) continue;
    for (const day of days) {
      const text = formatCalendarDate(day.date);
      if (window.firstDay === text || window.firstDay === formatMonthDay(day.date)) add(day.date, `${w.label} starts`);
    }
  }
  return events;
}

export function dailyTable(cal: StackCalendar, config: FreshplanConfig): string {
  const lanes = cal.lanes;
  const last = addDays(cal.period.from, cal.period.days - 1);
  const byZone = new Map<string, ReturnType<typeof localDays>>();
  const perLane = lanes.map((l) => {
    if (!byZone.has(l.timeZone)) byZone.set(l.timeZone, localDays(cal.period.from, last, l.timeZone));
    return byZone.get(l.timeZone)!;
  });
  const hoursOf = lanes.map((l) => config.territories[l.territory]?.[l.workload as WorkloadName]?.businessHours);
  const events = lanes.map((_, i) => laneEvents(cal, config, i, perLane[i]));

  // Per lane, walk the steps once alongside the days: lowest and highest floor of each day.
  const cellsByLane = lanes.map((lane, i) => {
    const cells: string[] = [];
    let k = 0;
    for (const day of perLane[i]) {
      while (k + 1 < lane.steps.length && lane.steps[k + 1].at.getTime() <= day.start.getTime()) k++;
      let low = Infinity;
      let high = -Infinity;
      // The step in force at the day's start (k), and every step that begins during the day.
      for (let j = k; j < lane.steps.length && lane.steps[j].at.getTime() < day.end.getTime(); j++) {
        low = Math.min(low, lane.steps[j].replicas);
        high = Math.max(high, lane.steps[j].replicas);
      }
      cells.push(low === Infinity ? "" : low === high ? String(high) : `${low}–${high}`);
    }
    return cells;
  });

  const days: Day[] = perLane[0].map((day, d) => {
    const weekday = WEEKDAYS[new Date(Date.UTC(day.date.year, day.date.month - 1, day.date.day)).getUTCDay()];
    const text = formatCalendarDate(day.date);
    return {
      date: day.date,
      cells: lanes.map((_, i) => cellsByLane[i][d]),
      businessDay: hoursOf.map((h) => h?.days.includes(weekday) ?? false),
      events: [...new Set(events.flatMap((e) => e.get(text) ?? []))],
    };
  });

  // Segments: a new one at every event; within one only business hours make the floors differ.
  const segments: Day[][] = [];
  for (const day of days) {
    if (segments.length === 0 || day.events.length > 0) segments.push([day]);
    else segments[segments.length - 1].push(day);
  }
  const header = ["days", ...lanes.map((l) => `${l.territory} ${l.workload}`), "events"];
  const rows = segments.map((seg) => {
    const first = seg[0].date;
    const end = seg[seg.length - 1].date;
    const span =
      daysBetween(first, end) === 0
        ? formatCalendarDate(first)
        : `${formatCalendarDate(first)} … ${formatCalendarDate(end)}`;
    const cells = lanes.map((_, i) =>
      foldCell(
        seg.map((d) => d.cells[i]),
        seg.map((d) => d.businessDay[i]),
        hoursOf[i],
      ),
    );
    return [span, ...cells, seg[0].events.join("; ")];
  });
  return textTable([header, ...rows]);
}

/** One lane's cell for a run of days: the floor, or business hours' floor over the rest. */
function foldCell(cells: string[], businessDays: boolean[], hours: BusinessHoursConfig | undefined): string {
  const on = [...new Set(cells.filter((_, d) => businessDays[d]))];
  const off = [...new Set(cells.filter((_, d) => !businessDays[d]))];
  // Business days ranging from the rest's floor up to the business-hours floor: say so once.
  const [low, high] = on.length === 1 ? on[0].split("–") : [];
  if (hours && high !== undefined && (off.length === 0 || (off.length === 1 && off[0] === low))) {
    return `${describeBusinessHours(hours)} → ${high}, else ${low}`;
  }
  return [...new Set(cells)].join(" / ");
}
