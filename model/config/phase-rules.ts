/**
 * Cross-field rules of staged pre-scaling (`phases` of a season or campaign): phases lie within the
 * lead days and start at its first, start on distinct days, and their floors rise towards the peak
 * floor unless a phase gives its reason. Floors against [min, max] are checked by the caller.
 */
import { numberFrom as num } from "./fields";
import type { PathSegment } from "./issues";
import { WORKLOADS } from "./schema";

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => v !== null && typeof v === "object" && !Array.isArray(v);

export interface PhaseRuleContext {
  readonly kind: "seasons" | "campaigns";
  readonly index: number;
  readonly item: Dict;
  /** Names of the other seasons (or campaigns): `<name>-<phase>` must not be one of them (trigger names). */
  readonly siblingNames: readonly string[];
  readonly add: (path: PathSegment[], value: unknown, expected: string, context?: string) => void;
  readonly territories: readonly string[];
  /** The caller's floor check (within [min, max]). */
  readonly checkFloor: (
    path: PathSegment[],
    floor: unknown,
    territory: string,
    workload: string,
    context?: string,
  ) => void;
  readonly context?: string;
}

export function phaseIssues(c: PhaseRuleContext): void {
  const { kind, index: i, item, add, context } = c;
  if (!Array.isArray(item.phases)) return;
  const phases = item.phases.map((p, j) => ({ p: isDict(p) ? p : {}, j }));
  const lead = num(item.leadDays) ?? 0;
  const at = (j: number, ...rest: PathSegment[]): PathSegment[] => [kind, i, "phases", j, ...rest];

  const byDay = new Map<number, number>();
  const byName = new Map<string, number>();
  for (const { p, j } of phases) {
    const from = num(p.fromDaysBefore);
    if (from !== undefined) {
      if (from > lead)
        add(
          at(j, "fromDaysBefore"),
          p.fromDaysBefore,
          `at most ${kind}[${i}].leadDays = ${lead}: phases lie within the lead days`,
          context,
        );
      const other = byDay.get(from);
      if (other !== undefined)
        add(at(j, "fromDaysBefore"), p.fromDaysBefore, `a day not already used by phases[${other}]`, context);
      else byDay.set(from, j);
    }
    if (typeof p.name === "string") {
      const other = byName.get(p.name);
      if (other !== undefined) add(at(j, "name"), p.name, `a name not already used by phases[${other}]`, context);
      else byName.set(p.name, j);
      if (typeof item.name === "string" && c.siblingNames.includes(`${item.name}-${p.name}`)) {
        add(
          at(j, "name"),
          p.name,
          `a name whose trigger does not collide with the ${kind === "seasons" ? "season" : "campaign"} ` +
            `"${item.name}-${p.name}"`,
          context,
        );
      }
    }
    for (const [code, byWorkload] of Object.entries(isDict(p.floors) ? p.floors : {})) {
      if (!c.territories.includes(code)) {
        add(
          at(j, "floors", code),
          byWorkload,
          `a territory defined under territories (${c.territories.join(", ") || "none"})`,
          context,
        );
        continue;
      }
      for (const w of WORKLOADS)
        if (isDict(byWorkload) && byWorkload[w] !== undefined)
          c.checkFloor(at(j, "floors", code, w), byWorkload[w], code, w, context);
    }
  }
  const earliest = Math.max(...byDay.keys());
  if (byDay.size > 0 && earliest < lead) {
    add(
      [kind, i, "leadDays"],
      item.leadDays,
      `${earliest}, the earliest phase's fromDaysBefore: with phases, the lead days are the phases'`,
      context,
    );
  }

  // Floors rise towards the peak: each phase's floor at most the next floor set for the same workload.
  const ordered = phases
    .filter(({ p }) => num(p.fromDaysBefore) !== undefined)
    .sort((a, b) => num(b.p.fromDaysBefore)! - num(a.p.fromDaysBefore)!);
  const floorOf = (floors: unknown, code: string, w: string) =>
    isDict(floors) && isDict(floors[code]) ? num(floors[code][w]) : undefined;
  const codes = new Set(ordered.flatMap(({ p }) => (isDict(p.floors) ? Object.keys(p.floors) : [])));
  for (const code of codes) {
    for (const w of WORKLOADS) {
      ordered.forEach(({ p, j }, k) => {
        const floor = floorOf(p.floors, code, w);
        if (floor === undefined || typeof p.reason === "string") return;
        const later = ordered
          .slice(k + 1)
          .map((x) => ({ floor: floorOf(x.p.floors, code, w), where: `phase "${String(x.p.name)}"` }));
        const next = [...later, { floor: floorOf(item.floors, code, w), where: "the peak floors" }].find(
          (x) => x.floor !== undefined,
        );
        if (next && floor > next.floor!) {
          add(
            at(j, "floors", code, w),
            floor,
            `at most ${next.floor} (${next.where}): floors rise towards the peak; give the phase a reason if ` +
              `this is intended`,
            context,
          );
        }
      });
    }
  }
}
