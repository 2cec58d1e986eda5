/**
 * The words half of a plan diff: per territory and workload, floors and windows that moved, min/max changes, alerts
 * added or removed.
 */
import type { AlertingRule, RuleGroup } from "../alerts/rule-types";
import { alertingRules } from "../alerts/rules";
import type { FloorWindow, ScalingPlan, WorkloadScaling } from "../scaling/plan";

export interface WorkloadChange {
  readonly territory: string;
  /** undefined: the change concerns the whole territory (added or removed) or the whole stack. */
  readonly workload?: string;
  readonly sentences: readonly string[];
}

/** "oktoberfest", "campaign spring-promo", "business hours". */
function windowLabel(w: FloorWindow): string {
  if (w.kind === "campaign") return `campaign ${w.label}`;
  if (w.kind === "business-hours") return "business hours";
  return w.label;
}

/** The window's span: "08-18 → 10-15" for a season or campaign, the days and hours for business hours. */
function span(w: FloorWindow): { from: string; to: string } | { text: string } {
  const m = /^(\S+) → (\S+) \(/.exec(w.description);
  return m && w.kind !== "business-hours" ? { from: m[1], to: m[2] } : { text: w.description };
}
const spanText = (w: FloorWindow) => {
  const s = span(w);
  return "text" in s ? s.text : `${s.from} → ${s.to}`;
};

function windowSentences(before: readonly FloorWindow[], after: readonly FloorWindow[]): string[] {
  const out: string[] = [];
  const old = new Map(before.map((w) => [w.name, w]));
  for (const w of after) {
    const was = old.get(w.name);
    if (!was) {
      out.push(`${windowLabel(w)} floor ${w.floor} added (${spanText(w)})`);
      continue;
    }
    if (was.floor !== w.floor) out.push(`${windowLabel(w)} floor ${was.floor} → ${w.floor} (${spanText(w)})`);
    const a = span(was);
    const b = span(w);
    if ("from" in a && "from" in b) {
      if (a.from !== b.from && a.to !== b.to)
        out.push(`${windowLabel(w)} floor ${w.floor} now ${b.from} → ${b.to} instead of ${a.from} → ${a.to}`);
      else if (a.from !== b.from)
        out.push(`${windowLabel(w)} floor ${w.floor} now from ${b.from} instead of ${a.from}`);
      else if (a.to !== b.to) out.push(`${windowLabel(w)} floor ${w.floor} now until ${b.to} instead of ${a.to}`);
    } else if (spanText(was) !== spanText(w)) {
      out.push(`${windowLabel(w)} floor ${w.floor} now ${spanText(w)} instead of ${spanText(was)}`);
    }
  }
  const now = new Set(after.map((w) => w.name));
  for (const w of before)
    if (!now.has(w.name)) out.push(`${windowLabel(w)} floor ${w.floor} removed (was ${spanText(w)})`);
  return out;
}

const changed = <T>(label: string, a: T, b: T, unit = "") => (a === b ? [] : [`${label} ${a}${unit} → ${b}${unit}`]);

function laneSentences(a: WorkloadScaling, b: WorkloadScaling): string[] {
  return [
    ...changed("minReplicas", a.minReplicas, b.minReplicas),
    ...changed("maxReplicas", a.maxReplicas, b.maxReplicas),
    ...changed("target", a.targetRpsPerReplica, b.targetRpsPerReplica, " rps/replica"),
    ...changed("p95 budget", a.p95BudgetMs, b.p95BudgetMs, " ms"),
    ...changed("baseline peak", a.baselinePeakRps, b.baselinePeakRps, " rps"),
    ...windowSentences(a.floors, b.floors),
  ];
}

const describeLane = (w: WorkloadScaling) =>
  `${w.workload} ${w.minReplicas}–${w.maxReplicas} replicas at ${w.targetRpsPerReplica} rps/replica` +
  (w.floors.length
    ? `, floors ${w.floors.map((f) => `${windowLabel(f)} ${f.floor} (${spanText(f)})`).join(", ")}`
    : "");

const alertKey = (r: AlertingRule) =>
  `${r.labels.territory ?? ""}|${r.labels.workload ?? ""}|${r.alert}|${r.labels.severity}`;

/**
 * Per scope (`territory|workload`, empty parts for stack-wide rules): one sentence per verb, e.g. "alerts added: A
 * (critical), B (warning)".
 */
function alertSentences(before: readonly RuleGroup[], after: readonly RuleGroup[]): Map<string, string[]> {
  const byScope = new Map<string, Map<string, string[]>>();
  const add = (r: AlertingRule, verb: string) => {
    const scope = `${r.labels.territory ?? ""}|${r.labels.workload ?? ""}`;
    const verbs = byScope.get(scope) ?? new Map<string, string[]>();
    verbs.set(verb, [...(verbs.get(verb) ?? []), `${r.alert} (${r.labels.severity})`]);
    byScope.set(scope, verbs);
  };
  const old = new Map(alertingRules(before).map((r) => [alertKey(r), r]));
  const now = new Map(alertingRules(after).map((r) => [alertKey(r), r]));
  for (const [k, r] of now) {
    const was = old.get(k);
    if (!was) add(r, "added");
    else if (was.expr !== r.expr || was.for !== r.for) add(r, "changed (expression or duration)");
  }
  for (const [k, r] of old) if (!now.has(k)) add(r, "removed");
  const sentences = new Map<string, string[]>();
  for (const [scope, verbs] of byScope) {
    sentences.set(
      scope,
      [...verbs].map(([verb, alerts]) => `${alerts.length === 1 ? "alert" : "alerts"} ${verb}: ${alerts.join(", ")}`),
    );
  }
  return sentences;
}

/** Per territory and workload, what the edit does; territories that appear or disappear as one entry. */
export function workloadChanges(
  before: ScalingPlan,
  beforeAlerts: readonly RuleGroup[],
  after: ScalingPlan,
  afterAlerts: readonly RuleGroup[],
): WorkloadChange[] {
  const alerts = alertSentences(beforeAlerts, afterAlerts);
  const territories = [...new Set([...after.workloads, ...before.workloads].map((w) => w.territory))];
  const out: WorkloadChange[] = [];
  const takeAlerts = (territory: string, workload = "") => {
    const found = alerts.get(`${territory}|${workload}`) ?? [];
    alerts.delete(`${territory}|${workload}`);
    return found;
  };
  for (const territory of territories) {
    const a = before.workloads.filter((w) => w.territory === territory);
    const b = after.workloads.filter((w) => w.territory === territory);
    // A territory that appears or disappears is one sentence; its alerts follow per workload.
    const whole = (sentence: string) => {
      out.push({ territory, sentences: [sentence, ...takeAlerts(territory)] });
      for (const workload of new Set([...a, ...b].map((w) => w.workload))) {
        const alertsOfWorkload = takeAlerts(territory, workload);
        if (alertsOfWorkload.length > 0) out.push({ territory, workload, sentences: alertsOfWorkload });
      }
    };
    if (a.length === 0) {
      whole(`new territory (${b[0].timeZone}): ${b.map(describeLane).join("; ")}`);
      continue;
    }
    if (b.length === 0) {
      whole(`territory removed (was ${a.map(describeLane).join("; ")})`);
      continue;
    }
    for (const w of b) {
      const was = a.find((x) => x.workload === w.workload);
      const sentences = was ? laneSentences(was, w) : [`new workload: ${describeLane(w)}`];
      sentences.push(...takeAlerts(territory, w.workload));
      if (sentences.length > 0) out.push({ territory, workload: w.workload, sentences });
    }
    const territoryAlerts = takeAlerts(territory);
    if (territoryAlerts.length > 0) out.push({ territory, sentences: territoryAlerts });
  }
  // Alerts of the whole stack (journal, KEDA) and of workloads outside the scaling plan (event workers).
  for (const [scope, sentences] of alerts) {
    const [territory, workload] = scope.split("|");
    out.push({ territory: territory || "stack", workload: workload || undefined, sentences });
  }
  return out;
}
