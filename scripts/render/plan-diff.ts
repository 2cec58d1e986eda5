/**
 * Renders a plan diff as Markdown for a pull-request comment and the job summary: words first, cost and findings, then
 * every object change.
 */
import type { LaneHours } from "../../model/plan-diff/capacity";
import type { FieldChange, ObjectChange } from "../../model/plan-diff/objects";
import type { PlanDiff } from "../../model/plan-diff/plan-diff";
import { addDays, formatCalendarDate } from "../../model/time/calendar-date";

export interface PlanDiffHeading {
  readonly stack: string;
  /** What the plan was compared with, e.g. "origin/main (its Pulumi.prod.yaml, rendered with this code)". */
  readonly base: string;
  /** The instant campaigns were judged at and the cost year starts. */
  readonly planDate: Date;
}

/** Field changes shown per object before the rest is summarised; a PR comment has a size limit. */
const MAX_FIELDS_PER_OBJECT = 40;
const MAX_VALUE_LENGTH = 160;

const hours = (x: number) => Math.round(x).toLocaleString("en-US");
const signed = (x: number) => (x > 0 ? `+${hours(x)}` : x < 0 ? `−${hours(-x)}` : "±0");
const percent = (delta: number, base: number) => {
  if (base === 0 || delta === 0) return "";
  return ` (${delta >= 0 ? "+" : "−"}${Math.abs(Math.round((delta / base) * 1000) / 10)} %)`;
};

/** Inline code that survives any value: backticks inside are doubled-up fences. */
function code(value: unknown): string {
  if (value === undefined) return "*(absent)*";
  let text = typeof value === "string" ? value : JSON.stringify(value);
  text = text.replace(/\s+/g, " ");
  if (text.length > MAX_VALUE_LENGTH) text = `${text.slice(0, MAX_VALUE_LENGTH - 1)}…`;
  const fence = text.includes("`") ? "``" : "`";
  return `${fence}${fence === "``" ? ` ${text} ` : text}${fence}`;
}

function fieldLine(c: FieldChange): string {
  if (c.before === undefined) return `- \`${c.path}\`: added ${code(c.after)}`;
  if (c.after === undefined) return `- \`${c.path}\`: removed (was ${code(c.before)})`;
  return `- \`${c.path}\`: ${code(c.before)} → ${code(c.after)}`;
}

function objectSection(o: ObjectChange): string[] {
  const shown = o.changes.slice(0, MAX_FIELDS_PER_OBJECT).map(fieldLine);
  const more = o.changes.length - shown.length;
  return [
    `<details><summary>${o.kind} ${o.name}: ${o.changes.length} field${o.changes.length === 1 ? "" : "s"}</summary>`,
    "",
    ...shown,
    ...(more > 0 ? [`- … and ${more} more`] : []),
    "",
    "</details>",
  ];
}

function laneRow(l: LaneHours): string {
  const before = l.before ?? 0;
  const after = l.after ?? 0;
  return (
    `| ${l.territory} | ${l.workload} | ` +
    `${l.before === undefined ? "—" : hours(before)} | ${l.after === undefined ? "—" : hours(after)} | ` +
    `${signed(after - before)}${percent(after - before, before)} |`
  );
}

export function renderPlanDiff(diff: PlanDiff, h: PlanDiffHeading): string {
  const lines = [
    `### Plan diff: ${h.stack}`,
    "",
    `Compared with ${h.base}; campaigns judged as of ${h.planDate.toISOString().slice(0, 10)}.`,
    "",
  ];
  if (diff.unchanged)
    return [...lines, "**no changes**: this edit renders the same objects, floors, alerts and capacity.", ""].join(
      "\n",
    );

  const o = diff.objects;
  lines.push(`**Objects:** ${o.added.length} added, ${o.removed.length} removed, ${o.changed.length} changed.`, "");
  if (diff.workloads.length > 0) {
    lines.push("#### What changes", "");
    for (const w of diff.workloads) {
      const who = w.workload ? `${w.territory} ${w.workload}` : w.territory;
      for (const s of w.sentences) lines.push(`- **${who}**: ${s}`);
    }
    lines.push("");
  }
  const c = diff.capacity;
  if (c) {
    const last = addDays(c.period.from, c.period.days - 1);
    const delta = c.total.after - c.total.before;
    lines.push(
      "#### Cost",
      "",
      `Replica-hours the floors hold over ${formatCalendarDate(c.period.from)} … ${formatCalendarDate(last)} ` +
        `(the calendar as configured; reactive scaling on top is not counted): ${hours(c.total.before)} → ` +
        `${hours(c.total.after)}, **${signed(delta)}${percent(delta, c.total.before)}**.`,
      "",
    );
    if (c.lanes.length > 0)
      lines.push(
        "| territory | workload | before | after | change |",
        "| --- | --- | ---: | ---: | ---: |",
        ...c.lanes.map(laneRow),
        "",
      );
    if (c.appeared.length + c.disappeared.length > 0) {
      lines.push("#### Capacity findings", "");
      for (const f of c.appeared) lines.push(`- new: ${f}`);
      for (const f of c.disappeared) lines.push(`- gone: ${f}`);
      lines.push("");
    }
  } else {
    lines.push(
      "*The base plan carries no config (written by an older version), so floors, cost and findings are not compared.*",
      "",
    );
  }
  if (o.added.length + o.removed.length + o.changed.length > 0) {
    lines.push("#### Objects", "");
    for (const a of o.added) lines.push(`- added: ${a.kind} ${a.name}`);
    for (const r of o.removed) lines.push(`- removed: ${r.kind} ${r.name}`);
    if (o.added.length + o.removed.length > 0) lines.push("");
    for (const ch of o.changed) lines.push(...objectSection(ch), "");
  }
  return lines.join("\n");
}
