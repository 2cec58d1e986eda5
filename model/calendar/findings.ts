/**
 * Mistakes in a season calendar that are easy to miss by reading the YAML: windows whose floor
 * never takes effect, overlapping windows with different floors, floor steps inside the HPA's
 * 10 % tolerance, and one-off campaigns that are over. All judged on the evaluated floor steps.
 */
import { formatLocal } from "../time/zoned-time";
import type { CalendarLane } from "./lanes";
import { stepSpans } from "./timeline";

export type FindingKind =
  "never-active" | "masked" | "no-effect" | "clamped" | "overlap" | "hpa-tolerance" | "campaign";

export interface CalendarFinding {
  readonly kind: FindingKind;
  /** "warning": likely a mistake; "note": worth knowing, often intended (business hours under a season). */
  readonly severity: "warning" | "note";
  readonly territory?: string;
  readonly workload?: string;
  readonly message: string;
}

/** The HPA leaves the replica count alone while desired/current stays within this ratio. */
export const HPA_TOLERANCE = 0.1;

const hours = (ms: number) => Math.round(ms / 3_600_000);

export function laneFindings(lane: CalendarLane): CalendarFinding[] {
  const findings: CalendarFinding[] = [];
  const add = (kind: FindingKind, severity: CalendarFinding["severity"], message: string) =>
    findings.push({
      kind,
      severity,
      territory: lane.territory,
      workload: lane.workload,
      message: `${lane.territory} ${lane.workload}: ${message}`,
    });
  const spans = stepSpans(lane.steps, lane.to);
  const floorOf = new Map(lane.windows.map((w) => [w.name, w.floor]));
  const labelOf = (name: string) => lane.windows.find((w) => w.name === name)?.label ?? name;

  for (const w of lane.windows) {
    const active = spans.filter((s) => s.step.active.includes(w.name));
    if (active.length === 0) {
      // Over a shorter period an inactive season is just outside it; over a year it never fires.
      if (lane.to.getTime() - lane.from.getTime() < 365 * 86_400_000 - 3_600_000) continue;
      add(
        "never-active",
        "warning",
        `${w.label} (${w.description}) is never active between ${formatLocal(lane.from, lane.timeZone)} and ` +
          `${formatLocal(lane.to, lane.timeZone)}`,
      );
      continue;
    }
    if (w.floor <= lane.minReplicas) {
      add(
        "no-effect",
        "warning",
        `${w.label} floor ${w.floor} is not above minReplicas ${lane.minReplicas}; it never raises the floor`,
      );
      continue;
    }
    if (w.floor > lane.maxReplicas)
      add("clamped", "warning", `${w.label} floor ${w.floor} is clamped to maxReplicas ${lane.maxReplicas}`);
    const effective = active.some((s) => Math.max(...s.step.active.map((n) => floorOf.get(n) ?? 0)) <= w.floor);
    if (!effective) {
      const maskers = new Set(
        active.flatMap((s) => s.step.active.filter((n) => (floorOf.get(n) ?? 0) > w.floor)).map(labelOf),
      );
      add(
        "masked",
        "warning",
        `${w.label} (floor ${w.floor}) never takes effect: whenever it is active, ${[...maskers].join(", ")} ` +
          `holds a higher floor`,
      );
    }
  }

  // One line per pair of windows with different floors that are active together.
  const overlaps = new Map<string, { first: Date; ms: number }>();
  for (const s of spans) {
    const names = [...s.step.active].sort();
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        if (floorOf.get(names[i]) === floorOf.get(names[j])) continue;
        const key = `${names[i]}|${names[j]}`;
        const o = overlaps.get(key) ?? { first: s.start, ms: 0 };
        o.ms += s.end.getTime() - s.start.getTime();
        overlaps.set(key, o);
      }
    }
  }
  for (const [key, o] of overlaps) {
    const [a, b] = key.split("|");
    const [hi, lo] = (floorOf.get(a) ?? 0) >= (floorOf.get(b) ?? 0) ? [a, b] : [b, a];
    add(
      "overlap",
      "note",
      `${labelOf(hi)} (floor ${floorOf.get(hi)}) and ${labelOf(lo)} (floor ${floorOf.get(lo)}) overlap for ` +
        `${hours(o.ms)} h from ${formatLocal(o.first, lane.timeZone)}; ` +
        `the HPA takes the max of all triggers, so ${floorOf.get(hi)} wins`,
    );
  }

  // A rise the HPA may ignore: desired/current within 1 + tolerance, e.g. a floor of 11 over 10 running.
  const ignoredRises = new Map<string, string>();
  lane.steps.forEach((s, i) => {
    const before = lane.steps[i - 1]?.replicas;
    if (before === undefined || s.replicas <= before || s.replicas / before > 1 + HPA_TOLERANCE) return;
    const cause = s.started.map(labelOf).join(", ") || "a window ending";
    if (!ignoredRises.has(cause))
      ignoredRises.set(
        cause,
        `the floor rises from ${before} to ${s.replicas} at ${formatLocal(s.at, lane.timeZone)} (${cause})`,
      );
  });
  for (const text of ignoredRises.values())
    add("hpa-tolerance", "warning", `${text}: a ratio within the HPA's 10 % tolerance, so the HPA may not act on it`);
  for (const w of lane.windows) {
    const within = Math.ceil(w.floor / (1 + HPA_TOLERANCE));
    if (within < w.floor) {
      add(
        "hpa-tolerance",
        "note",
        `${w.label} floor ${w.floor} may not be reached from ${within}–${w.floor - 1} running replicas (within ` +
          `the HPA's 10 % tolerance)`,
      );
    }
  }
  return findings;
}

/** Findings for all lanes, plus the plan's notices about campaigns that are over or far ahead. */
export function calendarFindings(lanes: readonly CalendarLane[], planNotices: readonly string[]): CalendarFinding[] {
  return [
    ...planNotices.map((message) => ({ kind: "campaign" as const, severity: "warning" as const, message })),
    ...lanes.flatMap(laneFindings),
  ];
}
