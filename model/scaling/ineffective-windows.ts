/** Seasons and campaigns whose floor never takes effect: on every day they hold, another window
 * already holds the same or a higher floor, or the floor is no more than minReplicas. Such a
 * window is almost always a mistake (a floor typed too low, a campaign inside a bigger season), so
 * preview and the plan warn about it. Windows are whole local days in one zone per territory, so
 * comparing days is exact; business hours cover parts of days and never mask a whole day.
 */
import type { FreshplanConfig, WorkloadName } from "../config/schema";
import { WORKLOADS } from "../config/schema";
import {
  MonthDay,
  addDays,
  daysBetween,
  parseCalendarDate,
  parseMonthDay,
  recurringLengthDays,
  shiftMonthDay,
} from "../time/calendar-date";
import { campaignWindow } from "./cron-windows";

interface DayWindow {
  readonly kind: "season" | "campaign";
  readonly name: string;
  readonly floor: number;
  /** Recurring windows: day-of-year indices in a common year. */
  readonly recurring?: ReadonlySet<number>;
  /** One-off windows: absolute days (days since 1970-01-01). */
  readonly absolute?: ReadonlySet<number>;
}

const EPOCH = { year: 1970, month: 1, day: 1 };

/** Day of a common year, 0–364; 02-29 counts as 02-28, which a window holding it also holds. */
function dayOfYear(md: MonthDay): number {
  const day = md.month === 2 && md.day === 29 ? 28 : md.day;
  return daysBetween({ year: 2025, month: 1, day: 1 }, { year: 2025, month: md.month, day });
}

function seasonDays(firstDay: string, lastDay: string, leadDays: number): Set<number> {
  const first = parseMonthDay(firstDay)!;
  const start = dayOfYear(shiftMonthDay(first, -leadDays));
  const length = Math.min(365, recurringLengthDays(first, parseMonthDay(lastDay)!) + leadDays);
  return new Set(Array.from({ length }, (_, k) => (start + k) % 365));
}

function campaignDays(firstDay: string, lastDay: string, leadDays: number): Set<number> {
  const start = addDays(parseCalendarDate(firstDay)!, -leadDays);
  const length = daysBetween(start, parseCalendarDate(lastDay)!) + 1;
  const first = daysBetween(EPOCH, start);
  return new Set(Array.from({ length }, (_, k) => first + k));
}

function windowsOf(config: FreshplanConfig, code: string, workload: WorkloadName, now: Date): DayWindow[] {
  const zone = config.territories[code].timeZone;
  const windows: DayWindow[] = [];
  for (const s of config.seasons) {
    const floor = s.floors[code]?.[workload];
    if (floor !== undefined)
      windows.push({ kind: "season", name: s.name, floor, recurring: seasonDays(s.firstDay, s.lastDay, s.leadDays) });
  }
  config.campaigns.forEach((c, i) => {
    const floor = c.floors[code]?.[workload];
    // Campaigns that are over or too far ahead are not emitted; plan notices cover them.
    if (floor === undefined || !campaignWindow(c, i, zone, now).window) return;
    windows.push({ kind: "campaign", name: c.name, floor, absolute: campaignDays(c.firstDay, c.lastDay, c.leadDays) });
  });
  return windows;
}

/** Whether `other` holds `day` of `w` (an absolute day for campaigns, a day of the year for seasons). */
function holds(other: DayWindow, w: DayWindow, day: number): boolean {
  if (w.recurring) return other.recurring?.has(day) ?? false;
  if (other.absolute) return other.absolute.has(day);
  const date = addDays(EPOCH, day);
  return other.recurring!.has(dayOfYear(date));
}

/** One warning per season/campaign, territory and workload whose floor never raises what runs. */
export function ineffectiveWindowWarnings(config: FreshplanConfig, now: Date): string[] {
  const warnings: string[] = [];
  for (const [code, territory] of Object.entries(config.territories)) {
    for (const workload of WORKLOADS) {
      const min = territory[workload].minReplicas;
      const windows = windowsOf(config, code, workload, now);
      windows.forEach((w, i) => {
        const what = `${code} ${workload}: ${w.kind} "${w.name}" (floor ${w.floor})`;
        if (w.floor <= min) {
          warnings.push(
            `${what} never takes effect: its floor is not above territories.${code}.${workload}.minReplicas = ${min}`,
          );
          return;
        }
        // Of two windows with equal floors over the same days, the one listed later is the redundant one.
        const maskers = windows.filter((o, j) => j !== i && (o.floor > w.floor || (o.floor === w.floor && j < i)));
        const days = [...(w.recurring ?? w.absolute!)];
        const covering = new Set<string>();
        for (const day of days) {
          const by = maskers.filter((o) => holds(o, w, day));
          if (by.length === 0) return;
          by.forEach((o) => covering.add(`${o.kind} "${o.name}" (floor ${o.floor})`));
        }
        warnings.push(
          `${what} never takes effect: on every day it holds, ${[...covering].join(", ")} already holds the same ` +
            `or a higher floor; remove it or raise its floor`,
        );
      });
    }
  }
  return warnings;
}
