/**
 * A rehearsal as one SVG: per workload, load and the capacity of the ready pods (req/s) and the replicas over the
 * rehearsed days.
 */
import type { StackRehearsal, WorkloadRehearsal } from "../../model/rehearsal/rehearse";
import { escapeXml } from "./calendar-svg";

const WIDTH = 1200;
const LEFT = 170;
const RIGHT = 60;
const TOP = 46;
const LANE = 130;
const GAP = 18;

/** Every n-th point is enough for a path: a season of minutes is ~1,000 pixels wide. */
function path(values: readonly number[], x: (i: number) => number, y: (v: number) => number, step: number): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; i += step)
    parts.push(`${parts.length === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(values[i]).toFixed(1)}`);
  return parts.join(" ");
}

function lane(r: WorkloadRehearsal, top: number): string[] {
  const n = r.minutes.length;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const step = Math.max(1, Math.floor(n / (plotWidth * 2)));
  const x = (i: number) => LEFT + (i / Math.max(1, n - 1)) * plotWidth;
  const rpsMax = Math.max(1, ...r.minutes.map((m) => Math.max(m.rps, m.capacityRps))) * 1.1;
  const replicaMax = Math.max(r.maxReplicas, r.peakReplicas) + 1;
  const yRps = (v: number) => top + LANE - (v / rpsMax) * LANE;
  const yReplicas = (v: number) => top + LANE - (v / replicaMax) * LANE;
  const out = [
    `<g class="lane" data-lane="${escapeXml(`${r.territory}/${r.workload}`)}">`,
    `<rect x="${LEFT}" y="${top}" width="${plotWidth}" height="${LANE}" fill="none" stroke="#bbb"/>`,
  ];
  // Minutes over budget as red ticks along the bottom edge.
  r.minutes.forEach((m, i) => {
    if (m.p95Ms > r.p95BudgetMs)
      out.push(`<rect class="over" x="${x(i).toFixed(1)}" y="${top + LANE - 6}" width="1" height="6" fill="#c53030"/>`);
  });
  out.push(
    `<path class="capacity" d="${path(
      r.minutes.map((m) => m.capacityRps),
      x,
      yRps,
      step,
    )}" fill="none" stroke="#38a169" stroke-width="1.2"/>`,
  );
  out.push(
    `<path class="load" d="${path(
      r.minutes.map((m) => m.rps),
      x,
      yRps,
      step,
    )}" fill="none" stroke="#dd6b20" stroke-width="1.2"/>`,
  );
  out.push(
    `<path class="replicas" d="${path(
      r.minutes.map((m) => m.replicas),
      x,
      yReplicas,
      step,
    )}" fill="none" stroke="#2b6cb0" stroke-width="1" stroke-dasharray="3 2"/>`,
  );
  out.push(
    `<line x1="${LEFT}" y1="${yReplicas(r.maxReplicas).toFixed(1)}" x2="${LEFT + plotWidth}" ` +
      `y2="${yReplicas(r.maxReplicas).toFixed(1)}" stroke="#c53030" stroke-dasharray="6 4"/>`,
  );
  out.push(
    `<text x="${LEFT + plotWidth + 4}" y="${(yReplicas(r.maxReplicas) + 4).toFixed(1)}" fill="#c53030">max ` +
      `${r.maxReplicas}</text>`,
  );
  out.push(`<text x="${LEFT + 4}" y="${top + 12}" fill="#777">${Math.round(rpsMax)} req/s</text>`);
  out.push(
    `<text x="10" y="${top + 18}" font-size="13" ` +
      `font-weight="bold">${escapeXml(`${r.territory} ${r.workload}`)}</text>`,
  );
  const lines = [
    `${r.minutesOverBudget} min over ${r.p95BudgetMs} ms`,
    `${r.minutesAtMax} min at max · peak ${r.peakReplicas}`,
    `${Math.round(r.replicaHours)} replica-h`,
    `${r.scaleEvents} scale event${r.scaleEvents === 1 ? "" : "s"}`,
    ...(r.recommendedMaxReplicas === undefined
      ? ["no max ≤ 8× holds:", "raise the floor"]
      : [r.recommendedMaxReplicas === r.maxReplicas ? "max holds" : `max ${r.recommendedMaxReplicas} would hold`]),
  ];
  lines.forEach((l, k) =>
    out.push(
      `<text x="10" y="${top + 36 + k * 15}" ` +
        `fill="${k === 0 && r.minutesOverBudget > 0 ? "#c53030" : "#555"}">${escapeXml(l)}</text>`,
    ),
  );
  out.push(`</g>`);
  return out;
}

export function rehearsalSvg(rehearsal: StackRehearsal, title: string): string {
  const height = TOP + rehearsal.workloads.length * (LANE + GAP) + 30;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ` +
      `${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="18" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${WIDTH - RIGHT}" y="18" text-anchor="end" fill="#555">load (orange) · capacity within budget ` +
      `(green) · replicas (blue, dashed) · minutes over budget (red)</text>`,
  ];
  // Day grid from the first workload's local midnights (all lanes share the period).
  const first = rehearsal.workloads[0];
  if (first) {
    const days = Math.round((first.minutes.length - 1) / 1440);
    const every = Math.max(1, Math.ceil(days / 20));
    for (let d = 0; d <= days; d += every) {
      const gx = (LEFT + (d / Math.max(1, days)) * (WIDTH - LEFT - RIGHT)).toFixed(1);
      out.push(`<line x1="${gx}" y1="${TOP - 6}" x2="${gx}" y2="${height - 26}" stroke="#eee"/>`);
      out.push(`<text x="${gx}" y="${height - 12}" text-anchor="middle" fill="#555">day ${d}</text>`);
    }
  }
  rehearsal.workloads.forEach((r, i) => out.push(...lane(r, TOP + i * (LANE + GAP))));
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
