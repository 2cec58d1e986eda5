/**
 * What the command-line tools share: how they end (exit 0 when done; a config error lists its problems,
 * anything else says "<tool> failed: …"; exit 1) and how they read their common flags.
 */
import { ConfigError } from "../model/config/issues";
import { CalendarDate, parseCalendarDate } from "../model/time/calendar-date";

export function runCli(tool: string, main: () => unknown): void {
  Promise.resolve()
    .then(main)
    .then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e instanceof ConfigError ? e.message : e instanceof Error ? `${tool} failed: ${e.message}` : e);
        process.exit(1);
      },
    );
}

/** `--from 2026-09-01`: a calendar date that exists, or an error naming the flag. */
export function dateFlag(text: string, flag: string): CalendarDate {
  const date = parseCalendarDate(text);
  if (!date) throw new Error(`${flag} ${text}: expected a date YYYY-MM-DD that exists`);
  return date;
}

/** `--days 3`, `--scale 0.2`: a number > 0 (whole where asked), or an error naming the flag. */
export function positiveFlag(text: string, flag: string, integer = false): number {
  const n = Number(text);
  if (!(n > 0) || (integer && !Number.isInteger(n))) {
    throw new Error(`${flag} ${text}: expected ${integer ? "a whole number" : "a number"} > 0`);
  }
  return n;
}

/** `--territory de` means DE: territory codes are upper case in the config. */
export function territoryFlag(text: string, territories: Readonly<Record<string, unknown>>): string {
  const code = text.toUpperCase();
  if (!territories[code]) {
    throw new Error(`--territory ${text}: not in the stack (${Object.keys(territories).join(", ")})`);
  }
  return code;
}
