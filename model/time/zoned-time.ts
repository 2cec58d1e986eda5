/**
 * Wall-clock time in an IANA zone ↔ instants. The calendar reads dates and `--at 2026-10-01T09:00`
 * the way ops mean them: local to the territory, across DST changes.
 */
import { CalendarDate, addDays, parseCalendarDate } from "./calendar-date";

// Building a formatter costs far more than using one; the calendar asks for thousands of offsets.
const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClockMs(instant: Date, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  const parts = format.formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
}

/** The zone's offset from UTC at an instant, in minutes (Europe/Berlin: 60 in winter, 120 in summer). */
export function utcOffsetMinutes(instant: Date, timeZone: string): number {
  return Math.round((wallClockMs(instant, timeZone) - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The instant a wall clock in the zone shows the given local time. A local time skipped by a DST
 * change (02:30 on the last Sunday of March in Berlin) resolves to the instant one hour later.
 */
export function zonedInstant(date: CalendarDate, hour: number, minute: number, timeZone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const first = wall - utcOffsetMinutes(new Date(wall), timeZone) * 60_000;
  return new Date(wall - utcOffsetMinutes(new Date(first), timeZone) * 60_000);
}

export const localMidnight = (date: CalendarDate, timeZone: string) => zonedInstant(date, 0, 0, timeZone);

/** "2026-10-01 09:00 +02:00": local time with its offset, unambiguous across DST. */
export function formatLocal(instant: Date, timeZone: string): string {
  const offset = utcOffsetMinutes(instant, timeZone);
  const wall = new Date(instant.getTime() + offset * 60_000).toISOString();
  const sign = offset < 0 ? "-" : "+";
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0");
  const mm = String(Math.abs(offset) % 60).padStart(2, "0");
  return `${wall.slice(0, 10)} ${wall.slice(11, 16)} ${sign}${hh}:${mm}`;
}

/**
 * Parses `--at`: with an offset or Z it is one instant everywhere; without one
 * ("2026-10-01T09:00") it is that wall-clock time in each territory's own zone.
 */
export function parseAt(
  text: string,
): { instant: Date } | { local: { date: CalendarDate; hour: number; minute: number } } | undefined {
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const d = new Date(text);
    return Number.isNaN(d.getTime()) ? undefined : { instant: d };
  }
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(text);
  const date = m && parseCalendarDate(m[1]);
  if (!m || !date) return undefined;
  const hour = Number(m[2] ?? 0);
  const minute = Number(m[3] ?? 0);
  if (hour > 23 || minute > 59) return undefined;
  return { local: { date, hour, minute } };
}

/**
 * Why a wall-clock time cannot name one instant in the zone: skipped by a DST change (02:30 on the
 * last Sunday of March in Berlin) or shown twice (02:30 on the last Sunday of October). Undefined
 * when it names exactly one instant.
 */
export function localTimeProblem(
  date: CalendarDate,
  hour: number,
  minute: number,
  timeZone: string,
): string | undefined {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  // The offsets in force a day either side cover every DST change of the day.
  const offsets = new Set([-1, 1].map((days) => utcOffsetMinutes(new Date(wall + days * 86_400_000), timeZone)));
  const instants = [...offsets]
    .map((o) => wall - o * 60_000)
    .filter((t) => utcOffsetMinutes(new Date(t), timeZone) * 60_000 === wall - t);
  const local =
    `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")} on ` +
    `${date.year}-${String(date.month).padStart(2, "0")}-${String(date.day).padStart(2, "0")}`;
  if (instants.length === 0) {
    return (
      `${local} does not exist in ${timeZone} (the clocks skip it at a DST change); ` +
      `give another time, or an instant with Z or an offset`
    );
  }
  if (instants.length > 1) {
    const both = instants.sort((a, b) => a - b).map((t) => formatLocal(new Date(t), timeZone).slice(17));
    return (
      `${local} exists twice in ${timeZone} (at ${both.join(" and then at ")}, ` +
      `a DST change); add the offset you mean`
    );
  }
  return undefined;
}

export function instantAt(at: NonNullable<ReturnType<typeof parseAt>>, timeZone: string): Date {
  return "instant" in at ? at.instant : zonedInstant(at.local.date, at.local.hour, at.local.minute, timeZone);
}

/** Local calendar days [from, to] (inclusive) as [start, end) instants in the zone. */
export function localDays(
  from: CalendarDate,
  to: CalendarDate,
  timeZone: string,
): { date: CalendarDate; start: Date; end: Date }[] {
  const days = [];
  for (
    let d = from;
    Date.UTC(d.year, d.month - 1, d.day) <= Date.UTC(to.year, to.month - 1, to.day);
    d = addDays(d, 1)
  ) {
    days.push({ date: d, start: localMidnight(d, timeZone), end: localMidnight(addDays(d, 1), timeZone) });
  }
  return days;
}
