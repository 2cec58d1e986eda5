/** Time zone names as KEDA reads them: Go's time.LoadLocation looks the name up case-sensitively in
 * the tz database, while Intl (and cron-parser) resolve any spelling. A name must therefore be
 * spelled exactly as ICU lists its canonical zones, or the cron triggers fail in the cluster.
 */

let canonical: Map<string, string> | undefined;

/** Canonical zone names (Intl.supportedValuesOf) plus UTC, keyed by their lower-case spelling. */
function canonicalZones(): Map<string, string> {
  canonical ??= new Map([...Intl.supportedValuesOf("timeZone"), "UTC"].map((z) => [z.toLowerCase(), z]));
  return canonical;
}

/** The zone Intl resolves a spelling to (canonical name), or undefined if it knows none. */
function resolvedZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * Undefined for a name the stack accepts; otherwise what was expected, with the canonical spelling
 * when one is recognisable ("did you mean Europe/Berlin?"). Links (Europe/Kyiv, US/Eastern,
 * Etc/UTC) and fixed offsets are not accepted: the canonical name says the same and every tz
 * database KEDA may load has it.
 */
export function timeZoneProblem(name: string): string | undefined {
  const zones = canonicalZones();
  if (zones.get(name.toLowerCase()) === name) return undefined;
  const expected = "an IANA time zone spelled exactly as in the tz database, such as Europe/Berlin or Europe/Zurich";
  const sameLetters = zones.get(name.toLowerCase());
  if (sameLetters) return `${expected} (KEDA reads zone names case-sensitively; did you mean ${sameLetters}?)`;
  const resolved = resolvedZone(name);
  if (resolved && zones.get(resolved.toLowerCase()) === resolved && /\//.test(name)) {
    return `${expected}; "${name}" is an alias (did you mean its canonical name ${resolved}?)`;
  }
  if (resolved && resolved === "UTC") return `${expected} (did you mean UTC?)`;
  return expected;
}
