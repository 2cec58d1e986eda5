/** All firings of a cron trigger over a period, computed once and shared. cron-parser steps through
 * time with luxon offset arithmetic for every candidate day, far too slow for a calendar of a
 * hundred lanes; the crons the stack renders are simpler than that. Yearly (`0 0 16 10 *`) and weekly
 * (`0 7 * * 1,2,3,4,5`) crons are computed from calendar dates in the zone, each firing checked to
 * name exactly one instant; any other cron, and any local time a DST change skips or repeats,
 * goes to cron-parser, so the result is cron-parser's in every case.
 */
import { CronExpressionParser } from "cron-parser";
import { CalendarDate, addDays, calendarDateIn, daysInMonth } from "../time/calendar-date";
import { localTimeProblem, zonedInstant } from "../time/zoned-time";

/** Every firing of a 5-field cron in (after, before), in the zone, with cron-parser. */
function parsedFirings(cron: string, timeZone: string, after: Date, before: Date): number[] {
  const schedule = CronExpressionParser.parse(cron, { currentDate: after, tz: timeZone });
  const firings: number[] = [];
  for (;;) {
    const t = schedule.next().toDate().getTime();
    if (t >= before.getTime()) return firings;
    firings.push(t);
  }
}

interface SimpleCron {
  readonly minute: number;
  readonly hour: number;
  readonly day?: number;
  readonly month?: number;
  readonly weekdays?: ReadonlySet<number>;
}

/** The crons the stack renders: fixed minute and hour, then either a day and month or weekdays. */
function simpleCron(cron: string): SimpleCron | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 || !fields.slice(0, 2).every((f) => /^\d{1,2}$/.test(f))) return undefined;
  const [minute, hour] = fields.slice(0, 2).map(Number);
  const [dom, month, dow] = fields.slice(2);
  if (minute > 59 || hour > 23) return undefined;
  if (/^\d{1,2}$/.test(dom) && /^\d{1,2}$/.test(month) && dow === "*")
    return { minute, hour, day: Number(dom), month: Number(month) };
  if (dom === "*" && month === "*" && /^[0-6](,[0-6])*$/.test(dow))
    return { minute, hour, weekdays: new Set(dow.split(",").map(Number)) };
  return undefined;
}

const weekday = (d: CalendarDate) => new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();

function matches(c: SimpleCron, d: CalendarDate): boolean {
  if (c.weekdays) return c.weekdays.has(weekday(d));
  return d.month === c.month && d.day === c.day && c.day! <= daysInMonth(d.year, d.month);
}

/** Firings from calendar dates; undefined when one of them falls on a skipped or repeated local time. */
function simpleFirings(c: SimpleCron, timeZone: string, after: Date, before: Date): number[] | undefined {
  const firings: number[] = [];
  const last = calendarDateIn(before, timeZone);
  // A day either side: the zone's date at `after` may differ from the date of a firing just after it.
  for (
    let d = addDays(calendarDateIn(after, timeZone), -1);
    Date.UTC(d.year, d.month - 1, d.day) <= Date.UTC(last.year, last.month - 1, last.day + 1);
    d = addDays(d, 1)
  ) {
    if (!matches(c, d)) continue;
    if (localTimeProblem(d, c.hour, c.minute, timeZone)) return undefined;
    const t = zonedInstant(d, c.hour, c.minute, timeZone).getTime();
    if (t > after.getTime() && t < before.getTime()) firings.push(t);
  }
  return firings;
}

/** Every firing (epoch ms, ascending) of a 5-field cron in (after, before), in the zone. */
export function cronFiringTimes(cron: string, timeZone: string, after: Date, before: Date): number[] {
  const simple = simpleCron(cron);
  return (simple && simpleFirings(simple, timeZone, after, before)) ?? parsedFirings(cron, timeZone, after, before);
}

/** cronFiringTimes with `parsedFirings` only: the reference a test holds the fast path to. */
export const cronParserFiringTimes = parsedFirings;
