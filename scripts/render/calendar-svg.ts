/**
 * The capacity calendar as one SVG: a lane per territory/workload with the cron floor as steps,
 * maxReplicas as a dashed line, and season/campaign bands labelled. Plain markup, no library.
 */
import type { CalendarLane } from "../../model/calendar/lanes";
import { stepSpans } from "../../model/calendar/timeline";
import type { SeasonNeed } from "../../model/capacity/forecast";

const WIDTH = 1200;
const LEFT = 150;
const RIGHT = 20;
const TOP = 46;
const LANE = 84;
const GAP = 14;
const BAND_COLOURS = ["#f6c85f", "#9dd866", "#6fc7f0", "#ca8bdb", "#ffa056", "#8dddd0"];

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function calendarSvg(lanes: readonly CalendarLane[], title: string, needs: readonly SeasonNeed[] = []): string {
  if (lanes.length === 0)
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="60"><text x="10" y="30">${escapeXml(title)}: no workloads</text></svg>\n`;
  const from = Math.min(...lanes.map((l) => l.from.getTime()));
  const to = Math.max(...lanes.map((l) => l.to.getTime()));
  const x = (t: number) => LEFT + ((t - from) / (to - from)) * (WIDTH - LEFT - RIGHT);
  const height = TOP + lanes.length * (LANE + GAP) + 30;
  const labels = [
    ...new Set(lanes.flatMap((l) => l.windows.filter((w) => w.kind !== "business-hours").map((w) => w.label))),
  ];
  const colour = (label: string) => BAND_COLOURS[labels.indexOf(label) % BAND_COLOURS.length];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="18" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${WIDTH - RIGHT}" y="18" text-anchor="end" fill="#555">floor held by cron triggers (steps) · maxReplicas (dashed red) · season bands</text>`,
  ];
  // Month grid: the first of each month, UTC (a few hours' shift is invisible at this scale).
  const start = new Date(from);
  for (
    let m = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    m.getTime() < to;
    m = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1))
  ) {
    const mx = x(m.getTime()).toFixed(1);
    out.push(`<line x1="${mx}" y1="${TOP - 6}" x2="${mx}" y2="${height - 26}" stroke="#e3e3e3"/>`);
    const name = m.getUTCMonth() === 0 ? `${MONTHS[0]} ${m.getUTCFullYear()}` : MONTHS[m.getUTCMonth()];
    out.push(`<text x="${mx}" y="${height - 12}" text-anchor="middle" fill="#555">${name}</text>`);
  }
  lanes.forEach((lane, i) => {
    const top = TOP + i * (LANE + GAP);
    const scaleMax = lane.maxReplicas + 1;
    const y = (r: number) => top + LANE - (r / scaleMax) * LANE;
    const spans = stepSpans(lane.steps, lane.to);
    out.push(`<g class="lane" data-lane="${escapeXml(`${lane.territory}/${lane.workload}`)}">`);
    out.push(
      `<rect x="${LEFT}" y="${top}" width="${WIDTH - LEFT - RIGHT}" height="${LANE}" fill="none" stroke="#bbb"/>`,
    );
    // Season bands: the spans in which the window's trigger is active, as KEDA evaluates it.
    for (const w of lane.windows.filter((w) => w.kind !== "business-hours")) {
      const active = spans.filter((s) => s.step.active.includes(w.name));
      for (const run of mergeRuns(active.map((s) => [s.start.getTime(), s.end.getTime()]))) {
        const [a, b] = run.map(x);
        out.push(
          `<rect x="${a.toFixed(1)}" y="${top}" width="${(b - a).toFixed(1)}" height="${LANE}" fill="${colour(w.label)}" fill-opacity="0.35"/>`,
        );
        out.push(
          `<text x="${((a + b) / 2).toFixed(1)}" y="${top + 12}" text-anchor="middle" fill="#333">${escapeXml(`${w.label} ≥${w.floor}`)}</text>`,
        );
      }
    }
    const d = spans
      .map(
        (s, k) =>
          `${k === 0 ? "M" : "L"}${x(s.start.getTime()).toFixed(1)},${y(s.step.replicas).toFixed(1)} H${x(s.end.getTime()).toFixed(1)}`,
      )
      .join(" ");
    const area = `${d} V${y(0).toFixed(1)} H${x(lane.from.getTime()).toFixed(1)} Z`;
    out.push(`<path d="${area}" fill="#2b6cb0" fill-opacity="0.18" stroke="none"/>`);
    out.push(`<path class="floor" d="${d}" fill="none" stroke="#2b6cb0" stroke-width="1.2"/>`);
    out.push(
      `<line class="max" x1="${LEFT}" y1="${y(lane.maxReplicas).toFixed(1)}" x2="${WIDTH - RIGHT}" y2="${y(lane.maxReplicas).toFixed(1)}" stroke="#c53030" stroke-dasharray="6 4"/>`,
    );
    out.push(
      `<text x="${LEFT + 4}" y="${(y(lane.maxReplicas) - 3).toFixed(1)}" fill="#c53030">max ${lane.maxReplicas}</text>`,
    );
    for (const r of [0, lane.minReplicas, lane.maxReplicas])
      out.push(`<text x="${LEFT - 4}" y="${(y(r) + 4).toFixed(1)}" text-anchor="end" fill="#777">${r}</text>`);
    out.push(
      `<text x="10" y="${top + 22}" font-size="13" font-weight="bold">${escapeXml(`${lane.territory} ${lane.workload}`)}</text>`,
    );
    out.push(
      `<text x="10" y="${top + 38}" fill="#555">${escapeXml(`min ${lane.minReplicas} · max ${lane.maxReplicas}`)}</text>`,
    );
    out.push(`<text x="10" y="${top + 52}" fill="#555">${escapeXml(lane.timeZone)}</text>`);
    const short = needs.filter(
      (n) => n.territory === lane.territory && n.workload === lane.workload && n.status === "shortfall",
    );
    if (short.length)
      out.push(
        `<text x="10" y="${top + 68}" fill="#c53030" font-weight="bold">${escapeXml(`⚠ shortfall: ${short.map((n) => `${n.window} needs ${n.replicasNeeded}`).join(", ")}`)}</text>`,
      );
    out.push(`</g>`);
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

/** Adjacent [start, end) spans joined into runs. */
function mergeRuns(spans: [number, number][]): [number, number][] {
  const runs: [number, number][] = [];
  for (const [a, b] of spans) {
    const last = runs[runs.length - 1];
    if (last && last[1] === a) last[1] = b;
    else runs.push([a, b]);
  }
  return runs;
}
