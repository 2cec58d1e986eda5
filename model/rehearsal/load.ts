/** The load a rehearsal replays: baseline peak RPS × a daily profile × a season multiplier, one value per minute. */
import type { DailyProfile } from "../config/rehearsal-settings";
import { utcOffsetMinutes } from "../time/zoned-time";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Share of the day's peak at a local wall-clock time; weekends are Saturday and Sunday. Each weight
 * holds for its whole hour, so load rises in steps at the full hour: the login wave at 08:00 is the
 * hard case a rehearsal is for, and a smooth ramp would hide the HPA's reaction time.
 */
export function profileWeight(profile: DailyProfile, localWeekday: number, localMinuteOfDay: number): number {
  const weights = localWeekday === 0 || localWeekday === 6 ? profile.weekend : profile.workday;
  return weights[Math.floor(localMinuteOfDay / 60)];
}

/** Where the season's multiplier applies: [from, to); outside it the load is an ordinary day's. */
export interface PeakWindow {
  readonly from: Date;
  readonly to: Date;
  readonly multiplier: number;
}

export interface LoadSeries {
  readonly start: Date;
  /** Requests per second, one value per minute from `start`. */
  readonly rps: Float64Array;
}

/**
 * Per minute: peakRps × profile weight (in the territory's zone) × the multiplier of the peak
 * window it falls in. The zone's offset is read once per hour: it only changes on the hour.
 */
export function loadSeries(
  peakRps: number,
  profile: DailyProfile,
  timeZone: string,
  start: Date,
  minutes: number,
  peaks: readonly PeakWindow[],
): LoadSeries {
  const rps = new Float64Array(minutes);
  let offsetHour = Number.NaN;
  let offset = 0;
  for (let m = 0; m < minutes; m++) {
    const t = start.getTime() + m * MINUTE;
    const hour = Math.floor(t / HOUR);
    if (hour !== offsetHour) [offsetHour, offset] = [hour, utcOffsetMinutes(new Date(t), timeZone)];
    const local = new Date(t + offset * MINUTE);
    const weight = profileWeight(profile, local.getUTCDay(), local.getUTCHours() * 60 + local.getUTCMinutes());
    const peak = peaks.find((p) => t >= p.from.getTime() && t < p.to.getTime());
    rps[m] = peakRps * weight * (peak?.multiplier ?? 1);
  }
  return { start, rps };
}

/** The load at an instant (the minute it falls in; 0 outside the series). */
export function loadAt(series: LoadSeries, at: Date): number {
  const m = Math.floor((at.getTime() - series.start.getTime()) / MINUTE);
  return m >= 0 && m < series.rps.length ? series.rps[m] : 0;
}
