/**
 * Calendar days without a year ("09-01") and with one ("2026-11-27"), and the small amount of
 * date arithmetic season windows need. Everything here works in whole days; the time zone is
 * applied later, by the cron trigger that KEDA evaluates.
 */

export interface MonthDay {
  readonly month: number; // 1..12
  readonly day: number; // 1..31
}

export interface CalendarDate extends MonthDay {
  readonly year: number;
}

const MONTH_DAY = /^(\d{2})-(\d{2})$/;
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

// Days per month in a leap year: a recurring window may end on 02-29.
const MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 && !isLeapYear(year) ? 28 : MAX_DAYS[month - 1];
}

/** Parses "MM-DD"; returns undefined for anything that is not a day some year has. */
export function parseMonthDay(text: string): MonthDay | undefined {
  const m = MONTH_DAY.exec(text);
  if (!m) return undefined;
  const month = Number(m[1]);
  const day = Number(m[2]);
  if (month < 1 || month > 12 || day < 1 || day > MAX_DAYS[month - 1]) return undefined;
  return { month, day };
}

/** Parses "YYYY-MM-DD"; returns undefined for impossible dates such as 2026-02-29. */
export function parseCalendarDate(text: string): CalendarDate | undefined {
  const m = CALENDAR_DATE.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/** Day arithmetic on a real calendar date (UTC midnight as the carrier, no time zone involved). */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const t = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/**
 * Shifts a recurring day by whole days. The cron that carries it has no year, so the shift is
 * computed in a common year (2025): "03-01" minus one day is "02-28", never "02-29", which would
 * only fire in leap years. "02-29" itself is shifted as "03-01" minus one day.
 */
export function shiftMonthDay(md: MonthDay, days: number): MonthDay {
  const base = md.month === 2 && md.day === 29 ? { year: 2025, month: 3, day: 1 } : { year: 2025, ...md };
  const shifted = addDays(base, md.month === 2 && md.day === 29 ? days - 1 : days);
  return { month: shifted.month, day: shifted.day };
}

export function formatMonthDay(md: MonthDay): string {
  return `${String(md.month).padStart(2, "0")}-${String(md.day).padStart(2, "0")}`;
}

export function formatCalendarDate(d: CalendarDate): string {
  return `${d.year}-${formatMonthDay(d)}`;
}

/** Days from a to b (b - a), both calendar dates. */
export function daysBetween(a: CalendarDate, b: CalendarDate): number {
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000);
}

/** Length in days of a recurring window first..last (inclusive), wrapping the year end if needed. */
export function recurringLengthDays(first: MonthDay, last: MonthDay): number {
  const a = { year: 2025, ...first };
  const lastInYear = first.month > last.month || (first.month === last.month && first.day > last.day) ? 2026 : 2025;
  const b =
    last.month === 2 && last.day === 29 ? { year: lastInYear, month: 2, day: 28 } : { year: lastInYear, ...last };
  return daysBetween(a, b) + 1;
}

/** The calendar date, in the given IANA time zone, of an instant. */
export function calendarDateIn(instant: Date, timeZone: string): CalendarDate {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get("year"), month: get("month"), day: get("day") };
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    // Intl accepts fixed offsets such as "+01:00"; KEDA wants an IANA name (Area/Location or UTC).
    return /^([A-Za-z_]+(\/[A-Za-z0-9_+-]+)+|UTC)$/.test(timeZone);
  } catch {
    return false;
  }
}
