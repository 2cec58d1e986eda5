/**
 * Staged pre-scaling as cron windows: each phase of a season or campaign holds its floors from
 * `fromDaysBefore` days before the first day until the next phase starts (the last one until the
 * first day, where the owner's own floors take over). One trigger per phase, named after its owner.
 */
import type { CampaignConfig, PhaseConfig, SeasonConfig } from "../config/schema";
import { TRIGGER_NAMES } from "../conventions";
import {
  addDays,
  formatCalendarDate,
  formatMonthDay,
  parseCalendarDate,
  parseMonthDay,
  shiftMonthDay,
} from "../time/calendar-date";
import type { CronWindow } from "./cron-windows";

/** A phase's window with the phase it came from (its floors are picked per territory and workload). */
export interface PhaseWindow extends CronWindow {
  readonly phase: PhaseConfig;
}

const dailyCron = (md: { month: number; day: number }) => `0 0 ${md.day} ${md.month} *`;

/** Phases in the order they start, each with the day offset at which it ends (0: the first day). */
function spans(phases: readonly PhaseConfig[]): { phase: PhaseConfig; from: number; to: number }[] {
  const sorted = [...phases].sort((a, b) => b.fromDaysBefore - a.fromDaysBefore);
  return sorted.map((phase, i) => ({
    phase,
    from: -phase.fromDaysBefore,
    to: i + 1 < sorted.length ? -sorted[i + 1].fromDaysBefore : 0,
  }));
}

export function seasonPhaseWindows(season: SeasonConfig, timeZone: string): PhaseWindow[] {
  const first = parseMonthDay(season.firstDay)!;
  return spans(season.phases ?? []).map(({ phase, from, to }) => {
    const start = shiftMonthDay(first, from);
    const end = shiftMonthDay(first, to);
    return {
      name: TRIGGER_NAMES.phase(TRIGGER_NAMES.season(season.name), phase.name),
      kind: "season",
      label: `${season.name} ${phase.name}`,
      phaseOf: season.name,
      start: dailyCron(start),
      end: dailyCron(end),
      timeZone,
      description:
        `${formatMonthDay(start)} → ${formatMonthDay(shiftMonthDay(end, -1))} (${season.name} phase ` +
        `${phase.name}, from ${phase.fromDaysBefore} days before ${season.firstDay})`,
      phase,
    };
  });
}

/** Only for a campaign whose own window is emitted (the same one-year rule holds for its phases). */
export function campaignPhaseWindows(campaign: CampaignConfig, timeZone: string): PhaseWindow[] {
  const first = parseCalendarDate(campaign.firstDay)!;
  return spans(campaign.phases ?? []).map(({ phase, from, to }) => {
    const start = addDays(first, from);
    const end = addDays(first, to);
    return {
      name: TRIGGER_NAMES.phase(TRIGGER_NAMES.campaign(campaign.name), phase.name),
      kind: "campaign",
      label: `${campaign.name} ${phase.name}`,
      phaseOf: campaign.name,
      start: dailyCron(start),
      end: dailyCron(end),
      timeZone,
      description:
        `${formatCalendarDate(start)} → ${formatCalendarDate(addDays(end, -1))} (${campaign.name} ` +
        `phase ${phase.name}, from ${phase.fromDaysBefore} days before ${campaign.firstDay})`,
      phase,
    };
  });
}
