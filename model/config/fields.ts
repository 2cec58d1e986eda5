/** Building blocks of the config schema: numeric-string coercion and the field patterns several keys share. */
import { z } from "zod";

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;

/**
 * A number, or its string form: `pulumi config set --path territories.DE.queries.maxReplicas 8`
 * may store "8". Returns undefined for anything else.
 */
export function numberFrom(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && NUMERIC.test(value)) return Number(value);
  return undefined;
}

/** zod preprocess step: numeric strings become numbers, everything else is left for the schema to judge. */
export const numericString = (value: unknown) => (typeof value === "string" ? (numberFrom(value) ?? value) : value);

export function int(min: number, max?: number) {
  const expected = max === undefined ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  let n = z.number({ error: expected }).int({ error: expected }).min(min, { error: expected });
  if (max !== undefined) n = n.max(max, { error: expected });
  return z.preprocess(numericString, n);
}

export function positive(what = "a number") {
  const expected = `${what} > 0`;
  return z.preprocess(numericString, z.number({ error: expected }).positive({ error: expected }));
}

/** A number in [min, max] (or (min, max] with exclusiveMin), with the range in the message. */
export function between(min: number, max: number, what: string, exclusiveMin = false) {
  const expected = `${what} ${exclusiveMin ? ">" : "≥"} ${Number(min.toFixed(2))} and ≤ ${max}`;
  const n = z.number({ error: expected });
  return z.preprocess(
    numericString,
    (exclusiveMin ? n.gt(min, { error: expected }) : n.min(min, { error: expected })).max(max, { error: expected }),
  );
}

export function text(pattern: RegExp, expected: string) {
  return z.string({ error: expected }).regex(pattern, { error: expected });
}

/** A Prometheus duration as the rules and triggers use it: 15s, 2m, 1h. */
export const promDuration = text(/^\d+[smh]$/, "a Prometheus duration such as 2m");

/** `HH:MM` → minutes after midnight; undefined for anything else. */
export function minutesOf(value: unknown): number | undefined {
  const m = typeof value === "string" ? /^(\d{2}):(\d{2})$/.exec(value) : null;
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}
