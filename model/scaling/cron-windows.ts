/**
 * Season, campaign and business-hours windows as KEDA cron start/end pairs.
 *
 * KEDA's cron scaler is active exactly when the next `end` comes no later than the next `start`,
 * both evaluated in the trigger's time zone. It accepts 5-field cron only: no year. So:
 * - a window starts at 00:00 local on its first day (minus lead days) and ends at 00:00 local on
 *   the day after its last day (an exclusive end); each cron fires once a year;
 * - a window may wrap the year end (12-15 → 01-06) with no special casing;
 * - a one-off campaign is only correct while its real dates are the next firings of its crons, so
 *   it is emitted only between "its end is less than a year away" and "it has ended".
 */
import type { BusinessHoursConfig, CampaignConfig, SeasonConfig } from "../config/schema";
import { WEEKDAYS } from "../config/schema";
import { TRIGGER_NAMES } from "../conventions";
import type { CronSchedule } from "../keda/triggers";
import {
  CalendarDate,
  MonthDay,
  addDays,
  calendarDateIn,
  daysBetween,
  formatCalendarDate,
  formatMonthDay,
  parseCalendarDate,
  parseMonthDay,
  shiftMonthDay,
} from "../time/calendar-date";

export type WindowKind = "season" | "campaign" | "business-hours";

export interface CronWindow extends CronSchedule {
  /** Trigger name on the ScaledObject (stable: it is the `scaler` label on KEDA's metrics). */
  readonly name: string;
  readonly kind: WindowKind;
  /** The season or campaign name; "business-hours" for the daily floor. */
  readonly label: string;
  /** Human-readable window, e.g. "08-18 → 10-15 (Oktoberfest 09-01…10-15, 14 lead days)". */
  readonly description: string;
  /** The season or campaign this window is a pre-scaling phase of (phases only). */
  readonly phaseOf?: string;
}

export interface CampaignDecision {
  readonly window?: CronWindow;
  /** Why a campaign is not emitted (ended, or too far ahead); preview shows it as a warning. */
  readonly notice?: string;
}

/** A campaign has ended once its last day is over in the territory's zone. */
export function campaignHasEnded(lastDay: CalendarDate, timeZone: string, now: Date): boolean {
  return daysBetween(calendarDateIn(now, timeZone), lastDay) < 0;
}

const dailyCron = (md: MonthDay) => `0 0 ${md.day} ${md.month} *`;

export function seasonWindow(season: SeasonConfig, timeZone: string): CronWindow {
  const first = parseMonthDay(season.firstDay)!;
  const last = parseMonthDay(season.lastDay)!;
  const start = shiftMonthDay(first, -season.leadDays);
  const endExclusive = shiftMonthDay(last, 1);
  const lead = season.leadDays > 0 ? `, ${season.leadDays} lead days` : "";
  const seasonSpan = `${season.name} ${season.firstDay}…${season.lastDay}`;
  return {
    name: TRIGGER_NAMES.season(season.name),
    kind: "season",
    label: season.name,
    start: dailyCron(start),
    end: dailyCron(endExclusive),
    timeZone,
    description: `${formatMonthDay(start)} → ${season.lastDay} (${seasonSpan}${lead})`,
  };
}

export function campaignWindow(campaign: CampaignConfig, index: number, timeZone: string, now: Date): CampaignDecision {
  const first = parseCalendarDate(campaign.firstDay)!;
  const last = parseCalendarDate(campaign.lastDay)!;
  const start = addDays(first, -campaign.leadDays);
  const endExclusive = addDays(last, 1);
  const today = calendarDateIn(now, timeZone);
  const where = `campaigns[${index}] "${campaign.name}"`;
  if (campaignHasEnded(last, timeZone, now)) {
    return {
      notice:
        `${where} ended on ${campaign.lastDay} (${timeZone}); it is no longer emitted — remove it from the ` +
        `stack config`,
    };
  }
  // A cron with no year fires at the next occurrence of its day: the real end must be that occurrence.
  if (daysBetween(today, endExclusive) >= 365) {
    return {
      notice:
        `${where} ends more than a year ahead (${campaign.lastDay}); it is emitted by the first ` +
        `'pulumi up' after ${formatCalendarDate(addDays(endExclusive, -364))}`,
    };
  }
  const lead = campaign.leadDays > 0 ? `, ${campaign.leadDays} lead days` : "";
  return {
    window: {
      name: TRIGGER_NAMES.campaign(campaign.name),
      kind: "campaign",
      label: campaign.name,
      start: dailyCron(start),
      end: dailyCron(endExclusive),
      timeZone,
      description:
        `${formatCalendarDate(start)} → ${campaign.lastDay} (${campaign.name} ` +
        `${campaign.firstDay}…${campaign.lastDay}${lead})`,
    },
  };
}

/**
 * Cron day-of-week field with consecutive days as ranges (`1-5`, `0,2-4`): KEDA before 2.20 built
 * invalid metric names from comma-separated cron fields (kedacore/keda#7448).
 */
export function cronWeekdays(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const d of sorted) {
    const last = runs[runs.length - 1];
    if (last && d === last[1] + 1) last[1] = d;
    else runs.push([d, d]);
  }
  return runs.map(([from, to]) => (from === to ? String(from) : `${from}-${to}`)).join(",");
}

export function businessHoursWindow(hours: BusinessHoursConfig, timeZone: string): CronWindow {
  const days = cronWeekdays(hours.days.map((d) => WEEKDAYS.indexOf(d)));
  const at = (hhmm: string) => {
    const [h, m] = hhmm.split(":").map(Number);
    return `${m} ${h} * * ${days}`;
  };
  return {
    name: TRIGGER_NAMES.businessHours,
    kind: "business-hours",
    label: "business-hours",
    start: at(hours.start),
    end: at(hours.end),
    timeZone,
    description: `${hours.days.join(",")} ${hours.start}–${hours.end}`,
  };
}
