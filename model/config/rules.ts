/**
 * Rules that relate one config field to another. They read the raw config defensively, so they
 * still run (and report) when an unrelated field failed its schema check: ops get every problem
 * in one go instead of fixing them one preview at a time.
 */
import { daysBetween, parseCalendarDate, parseMonthDay, recurringLengthDays } from "../time/calendar-date";
import { timeZoneProblem } from "../time/time-zones";
import { DEFAULT_SLO_BUCKETS_MS } from "./alert-settings";
import { minutesOf, numberFrom as num } from "./fields";
import { ConfigIssue, PathSegment, formatPath } from "./issues";
import { phaseIssues } from "./phase-rules";
import { WORKLOADS } from "./schema";

type Dict = Record<string, unknown>;

const isDict = (v: unknown): v is Dict => v !== null && typeof v === "object" && !Array.isArray(v);
const entries = (v: unknown): [string, unknown][] => (isDict(v) ? Object.entries(v) : []);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function crossFieldIssues(raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: PathSegment[], value: unknown, expected: string, context?: string) =>
    issues.push({ path: formatPath(path), value, expected, context });
  const root = isDict(raw) ? raw : {};

  const territories = entries(root.territories);
  const territoryByCode = new Map(territories);

  // Territory codes become lower-case resource names: DE and de would collide.
  const seenLower = new Map<string, string>();
  for (const [code] of territories) {
    const other = seenLower.get(code.toLowerCase());
    if (other !== undefined)
      add(["territories", code], code, `a territory code distinct from "${other}" (names are lower-cased)`);
    seenLower.set(code.toLowerCase(), code);
  }

  for (const [code, t] of territories) {
    if (!isDict(t)) continue;
    const zoneProblem = typeof t.timeZone === "string" ? timeZoneProblem(t.timeZone) : undefined;
    if (zoneProblem) add(["territories", code, "timeZone"], t.timeZone, zoneProblem);
    for (const w of WORKLOADS) {
      const tw = t[w];
      if (!isDict(tw)) continue;
      const min = num(tw.minReplicas);
      const max = num(tw.maxReplicas);
      if (min !== undefined && max !== undefined && min > max) {
        add(
          ["territories", code, w, "minReplicas"],
          tw.minReplicas,
          `at most territories.${code}.${w}.maxReplicas = ${max}`,
        );
      }
      const bh = tw.businessHours;
      if (isDict(bh)) {
        const start = minutesOf(bh.start);
        const end = minutesOf(bh.end);
        if (start !== undefined && end !== undefined && end <= start) {
          add(
            ["territories", code, w, "businessHours", "end"],
            bh.end,
            `a time after businessHours.start = "${bh.start}" (windows do not wrap midnight)`,
          );
        }
        checkFloor(["territories", code, w, "businessHours", "floor"], bh.floor, code, w, undefined);
        const days = list(bh.days).map((d) => (typeof d === "string" ? d.toLowerCase() : d));
        const dup = days.find((d, i) => days.indexOf(d) !== i);
        if (dup !== undefined)
          add(["territories", code, w, "businessHours", "days"], bh.days, `each weekday once ("${dup}" repeats)`);
      }
    }
  }

  // A floor must lie within the workload's [minReplicas, maxReplicas] in that territory.
  function checkFloor(path: PathSegment[], floorValue: unknown, code: string, w: string, context: string | undefined) {
    const floor = num(floorValue);
    const tw = (territoryByCode.get(code) as Dict | undefined)?.[w];
    if (floor === undefined || !isDict(tw)) return;
    const min = num(tw.minReplicas);
    const max = num(tw.maxReplicas);
    if (max !== undefined && floor > max) {
      add(
        path,
        floorValue,
        `at most territories.${code}.${w}.maxReplicas = ${max}; raise the max or lower the floor`,
        context,
      );
    } else if (min !== undefined && floor < min && (max === undefined || min <= max)) {
      add(
        path,
        floorValue,
        `at least territories.${code}.${w}.minReplicas = ${min}; a lower floor has no effect`,
        context,
      );
    }
  }

  // Season and campaign names become trigger names on the same ScaledObject: they must be unique.
  const names = new Map<string, string>();
  const windows: [string, unknown[]][] = [
    ["seasons", list(root.seasons)],
    ["campaigns", list(root.campaigns)],
  ];
  for (const [kind, items] of windows) {
    items.forEach((item, i) => {
      if (!isDict(item)) return;
      const context =
        typeof item.name === "string" ? `${kind === "seasons" ? "season" : "campaign"} "${item.name}"` : undefined;
      if (typeof item.name === "string") {
        const first = names.get(item.name);
        if (first !== undefined) add([kind, i, "name"], item.name, `a name not already used by ${first}`, context);
        else names.set(item.name, `${kind}[${i}]`);
      }
      for (const [code, byWorkload] of entries(item.floors)) {
        if (!territoryByCode.has(code)) {
          add(
            [kind, i, "floors", code],
            byWorkload,
            `a territory defined under territories (${[...territoryByCode.keys()].join(", ") || "none"})`,
            context,
          );
          continue;
        }
        for (const w of WORKLOADS) {
          if (isDict(byWorkload) && byWorkload[w] !== undefined)
            checkFloor([kind, i, "floors", code, w], byWorkload[w], code, w, context);
        }
      }
      if (entries(item.floors).length === 0 && isDict(item.floors)) {
        add([kind, i, "floors"], item.floors, "at least one territory with a floor", context);
      }
      const siblingNames = items
        .filter((x, k) => k !== i && isDict(x) && typeof x.name === "string")
        .map((x) => (x as Dict).name as string);
      phaseIssues({
        kind: kind as "seasons" | "campaigns",
        index: i,
        item,
        siblingNames,
        territories: [...territoryByCode.keys()],
        add,
        checkFloor,
        context,
      });
      const lead = num(item.leadDays) ?? 0;
      if (kind === "seasons") {
        const first = typeof item.firstDay === "string" ? parseMonthDay(item.firstDay) : undefined;
        const last = typeof item.lastDay === "string" ? parseMonthDay(item.lastDay) : undefined;
        if (first && first.month === 2 && first.day === 29) {
          add(
            [kind, i, "firstDay"],
            item.firstDay,
            "a day every year has (02-29 would start the window only in leap years)",
            context,
          );
        } else if (first && last && recurringLengthDays(first, last) + lead >= 365) {
          add(
            [kind, i, "lastDay"],
            item.lastDay,
            "a window (with leadDays) shorter than a year; a floor for the whole year is minReplicas",
            context,
          );
        }
      } else {
        const first = typeof item.firstDay === "string" ? parseCalendarDate(item.firstDay) : undefined;
        const last = typeof item.lastDay === "string" ? parseCalendarDate(item.lastDay) : undefined;
        if (first && last && daysBetween(first, last) < 0) {
          add([kind, i, "lastDay"], item.lastDay, `a date on or after firstDay = "${item.firstDay}"`, context);
        } else if (first && last && daysBetween(first, last) + 1 + lead >= 365) {
          add(
            [kind, i, "lastDay"],
            item.lastDay,
            "a campaign (with leadDays) shorter than a year; use a season for recurring windows",
            context,
          );
        }
      }
    });
  }

  // Fallback replicas are a stack-wide setting per workload; they must fit every territory.
  for (const w of WORKLOADS) {
    const fallbackValue = (((root.workloads as Dict | undefined)?.[w] as Dict | undefined)?.scaling as Dict | undefined)
      ?.fallbackReplicas;
    const fallback = num(fallbackValue);
    if (fallback === undefined) continue;
    for (const [code, t] of territories) {
      const max = num(((t as Dict | undefined)?.[w] as Dict | undefined)?.maxReplicas);
      if (max !== undefined && fallback > max) {
        add(
          ["workloads", w, "scaling", "fallbackReplicas"],
          fallbackValue,
          `at most territories.${code}.${w}.maxReplicas = ${max}`,
        );
      }
    }
  }

  // The latency SLO counts the requests in bucket `le=<budget>`; a budget between two buckets would
  // silently count against the next lower one, so it must be one of the exported boundaries.
  const alerts = isDict(root.alerts) ? root.alerts : {};
  const bucketsValue = alerts.sloBucketsMs ?? DEFAULT_SLO_BUCKETS_MS;
  const buckets = Array.isArray(bucketsValue) ? bucketsValue.map(num) : [];
  if (buckets.length > 0 && buckets.every((b) => b !== undefined)) {
    for (const [code, t] of territories) {
      for (const w of WORKLOADS) {
        const budgetValue = isDict(t) && isDict(t[w]) ? t[w].p95BudgetMs : undefined;
        const budget = num(budgetValue);
        if (budget === undefined || buckets.includes(budget)) continue;
        add(
          ["territories", code, w, "p95BudgetMs"],
          budgetValue,
          `one of the SLO buckets the API exports (alerts.sloBucketsMs: ${buckets.join(", ")} ms); ` +
            `the latency SLO counts requests with le="${budget / 1000}", so add the bucket to the API and to ` +
            `alerts.sloBucketsMs first`,
        );
      }
    }
  }
  const notifyWarning = num(alerts.notifyQueueWarning ?? 0.7);
  const notifyCritical = num(alerts.notifyQueueCritical ?? 0.95);
  if (notifyWarning !== undefined && notifyCritical !== undefined && notifyWarning >= notifyCritical) {
    add(
      ["alerts", "notifyQueueWarning"],
      alerts.notifyQueueWarning ?? 0.7,
      `below alerts.notifyQueueCritical = ${notifyCritical}`,
    );
  }

  // A territory is either served or drained: draining one that is still configured would do nothing.
  const drained = list(isDict(root.journal) ? root.journal.drainTerritories : undefined);
  drained.forEach((code, i) => {
    if (typeof code !== "string") return;
    if (territoryByCode.has(code)) {
      add(
        ["journal", "drainTerritories", i],
        code,
        `a territory no longer under territories (${code} is still configured: remove it here or there)`,
      );
    } else if (drained.indexOf(code) !== i) {
      add(["journal", "drainTerritories", i], code, `each territory once ("${code}" repeats)`);
    }
  });

  const worker = ((root.journal as Dict | undefined)?.worker as Dict | undefined) ?? {};
  const workerMin = num(worker.minReplicas);
  const workerMax = num(worker.maxReplicas);
  if (workerMin !== undefined && workerMax !== undefined && workerMin > workerMax) {
    add(["journal", "worker", "minReplicas"], worker.minReplicas, `at most journal.worker.maxReplicas = ${workerMax}`);
  }
  const workerFallback = num((worker.scaling as Dict | undefined)?.fallbackReplicas);
  if (workerFallback !== undefined && workerMax !== undefined && workerFallback > workerMax) {
    add(
      ["journal", "worker", "scaling", "fallbackReplicas"],
      workerFallback,
      `at most journal.worker.maxReplicas = ${workerMax}`,
    );
  }

  return issues;
}
