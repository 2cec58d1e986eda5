/**
 * The capacity calendar as one SVG: a lane per territory/workload with the cron floor as steps,
 * maxReplicas as a dashed line, the business-hours floor dotted, season and campaign bands (their
 * lead days lighter) labelled above the plot so no label sits on another, and a legend.
 * Plain markup, no library.
 */
import type { CalendarLane } from "../../model/calendar/lanes";
import { stepSpans } from "../../model/calendar/timeline";
import type { SeasonNeed } from "../../model/capacity/forecast";
import type { FreshplanConfig, WorkloadName } from "../../model/config/schema";
import { addDays, calendarDateIn, parseCalendarDate, parseMonthDay } from "../../model/time/calendar-date";
import { localMidnight } from "../../model/time/zoned-time";
import { describeBusinessHours } from "./daily-table";

const WIDTH = 1200;
const LEFT = 170;
const RIGHT = 20;
const TOP = 70;
const STRIP = 16; // season labels above each lane's plot
const PLOT = 88;
const LANE = STRIP + PLOT;
const GAP = 16;
const BAND_COLOURS = ["#f6c85f", "#9dd866", "#6fc7f0", "#ca8bdb", "#ffa056", "#8dddd0"];
const FLOOR = "#2b6cb0";
const MAX = "#c53030";
const HOURS = "#2f855a";
/** Width of a label in the 11 px sans-serif the chart uses, generously estimated. */
const textWidth = (text: string) => text.length * 6.3;

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Within [a, b), where the window itself begins after its lead days (undefined: no lead part in the run). */
function leadEnd(
  config: FreshplanConfig | undefined,
  label: string,
  timeZone: string,
  a: number,
  b: number,
): number | undefined {
  const window = [...(config?.seasons ?? []), ...(config?.campaigns ?? [])].find((w) => w.name === label);
  if (!window || window.leadDays === 0) return undefined;
  const year = calendarDateIn(new Date(a), timeZone).year;
  const md = parseMonthDay(window.firstDay);
  const candidates = md ? [year, year + 1].map((y) => ({ year: y, ...md })) : [parseCalendarDate(window.firstDay)!];
  for (const date of candidates) {
    const t = localMidnight(addDays(date, 0), timeZone).getTime();
    if (t > a && t < b) return t;
  }
  return undefined;
}

function legend(out: string[]): void {
  let x = 10;
  const y = 40;
  const item = (swatch: string, text: string) => {
    out.push(swatch.replace(/X/g, String(x)));
    out.push(`<text x="${x + 26}" y="${y + 4}" fill="#333">${escapeXml(text)}</text>`);
    x += 34 + textWidth(text);
  };
  item(
    `<line x1="X" y1="${y}" x2="${"X"}" y2="${y}" stroke="${FLOOR}" stroke-width="2" ` +
      `transform="translate(0,0)"/><rect x="X" y="${y - 5}" width="20" height="10" fill="${FLOOR}" ` +
      `fill-opacity="0.25" stroke="${FLOOR}"/>`,
    "floor the cron triggers hold",
  );
  item(
    `<rect x="X" y="${y - 5}" width="20" height="10" fill="${BAND_COLOURS[0]}" fill-opacity="0.45"/>`,
    "season or campaign (≥ its floor)",
  );
  item(
    `<rect x="X" y="${y - 5}" width="20" height="10" fill="${BAND_COLOURS[0]}" fill-opacity="0.18" ` +
      `stroke="${BAND_COLOURS[0]}" stroke-dasharray="2 2"/>`,
    "lead days (pre-scaling)",
  );
  item(
    `<line x1="X" y1="${y}" x2="X" y2="${y}"/><path d="MX,${y} h20" stroke="${HOURS}" stroke-dasharray="2 2" ` +
      `stroke-width="1.5"/>`,
    "business-hours floor",
  );
  item(`<path d="MX,${y} h20" stroke="${MAX}" stroke-dasharray="6 4"/>`, "maxReplicas");
}

export function calendarSvg(
  lanes: readonly CalendarLane[],
  title: string,
  needs: readonly SeasonNeed[] = [],
  config?: FreshplanConfig,
): string {
  if (lanes.length === 0)
    return (
      `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="60"><text x="10" ` +
      `y="30">${escapeXml(title)}: no workloads</text></svg>\n`
    );
  const from = Math.min(...lanes.map((l) => l.from.getTime()));
  const to = Math.max(...lanes.map((l) => l.to.getTime()));
  const x = (t: number) => LEFT + ((t - from) / (to - from)) * (WIDTH - LEFT - RIGHT);
  const height = TOP + lanes.length * (LANE + GAP) + 30;
  const labels = [
    ...new Set(lanes.flatMap((l) => l.windows.filter((w) => w.kind !== "business-hours").map((w) => w.label))),
  ];
  const colour = (label: string) => BAND_COLOURS[labels.indexOf(label) % BAND_COLOURS.length];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ` +
      `${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  legend(out);
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
    const plotTop = top + STRIP;
    const scaleMax = lane.maxReplicas + 1;
    const y = (r: number) => plotTop + PLOT - (r / scaleMax) * PLOT;
    const spans = stepSpans(lane.steps, lane.to);
    out.push(`<g class="lane" data-lane="${escapeXml(`${lane.territory}/${lane.workload}`)}">`);
    out.push(
      `<rect x="${LEFT}" y="${plotTop}" width="${WIDTH - LEFT - RIGHT}" height="${PLOT}" fill="none" stroke="#bbb"/>`,
    );
    // Season bands: the spans in which the window's trigger is active, as KEDA evaluates it; the
    // lead days lighter, the label in the strip above the plot.
    const placed: [number, number][] = [];
    for (const w of lane.windows.filter((w) => w.kind !== "business-hours")) {
      const active = spans.filter((s) => s.step.active.includes(w.name));
      for (const [a, b] of mergeRuns(active.map((s) => [s.start.getTime(), s.end.getTime()]))) {
        // A pre-scaling phase is lead time as a whole; a season's own lead days end on its first day.
        const mid = w.phaseOf !== undefined ? b : leadEnd(config, w.label, lane.timeZone, a, b);
        if (mid !== undefined) {
          out.push(
            `<rect class="lead" x="${x(a).toFixed(1)}" y="${plotTop}" width="${(x(mid) - x(a)).toFixed(1)}" ` +
              `height="${PLOT}" fill="${colour(w.phaseOf ?? w.label)}" fill-opacity="0.18"/>`,
          );
        }
        const [ba, bb] = [x(mid ?? a), x(b)];
        if (bb > ba) {
          out.push(
            `<rect class="season" x="${ba.toFixed(1)}" y="${plotTop}" width="${(bb - ba).toFixed(1)}" ` +
              `height="${PLOT}" fill="${colour(w.label)}" fill-opacity="0.45"/>`,
          );
        }
        // Centred over the band, kept inside the plot, dropped to its floor alone (or left out) where it would overlap
        // another.
        for (const text of [`${w.label} ≥${w.floor}`, `≥${w.floor}`]) {
          const width = textWidth(text);
          const left = Math.min(Math.max((x(a) + bb) / 2 - width / 2, LEFT + 2), WIDTH - RIGHT - 2 - width);
          if (placed.some(([p, q]) => left < q + 4 && left + width > p - 4)) continue;
          placed.push([left, left + width]);
          out.push(`<text x="${left.toFixed(1)}" y="${top + 12}" fill="#333">${escapeXml(text)}</text>`);
          break;
        }
      }
    }
    const d = spans
      .map(
        (s, k) =>
          `${k === 0 ? "M" : "L"}${x(s.start.getTime()).toFixed(1)},${y(s.step.replicas).toFixed(1)} ` +
          `H${x(s.end.getTime()).toFixed(1)}`,
      )
      .join(" ");
    const area = `${d} V${y(0).toFixed(1)} H${x(lane.from.getTime()).toFixed(1)} Z`;
    out.push(`<path d="${area}" fill="${FLOOR}" fill-opacity="0.18" stroke="none"/>`);
    out.push(`<path class="floor" d="${d}" fill="none" stroke="${FLOOR}" stroke-width="1.2"/>`);
    out.push(
      `<line class="max" x1="${LEFT}" y1="${y(lane.maxReplicas).toFixed(1)}" x2="${WIDTH - RIGHT}" ` +
        `y2="${y(lane.maxReplicas).toFixed(1)}" stroke="${MAX}" stroke-dasharray="6 4"/>`,
    );
    const hours = config?.territories[lane.territory]?.[lane.workload as WorkloadName]?.businessHours;
    const hoursFloor = Math.min(hours?.floor ?? 0, lane.maxReplicas);
    if (hours && hoursFloor > lane.minReplicas) {
      out.push(
        `<line class="business-hours" x1="${LEFT}" y1="${y(hoursFloor).toFixed(1)}" x2="${WIDTH - RIGHT}" ` +
          `y2="${y(hoursFloor).toFixed(1)}" stroke="${HOURS}" stroke-dasharray="2 2" stroke-width="1.5"/>`,
      );
    }
    // Y ticks at min, every floor and max; a tick too close to a more important one is left out.
    const floors = [...new Set(lane.windows.map((w) => Math.min(w.floor, lane.maxReplicas)))].filter(
      (f) => f > lane.minReplicas && f < lane.maxReplicas,
    );
    const ticks: { r: number; text: string; fill: string }[] = [
      { r: lane.maxReplicas, text: `max ${lane.maxReplicas}`, fill: MAX },
      { r: lane.minReplicas, text: `min ${lane.minReplicas}`, fill: "#555" },
      ...(hours && hoursFloor > lane.minReplicas && hoursFloor < lane.maxReplicas
        ? [{ r: hoursFloor, text: String(hoursFloor), fill: HOURS }]
        : []),
      ...floors
        .filter((f) => f !== hoursFloor)
        .sort((p, q) => q - p)
        .map((f) => ({ r: f, text: String(f), fill: "#555" })),
    ];
    const tickYs: number[] = [];
    for (const t of ticks) {
      const ty = y(t.r);
      if (tickYs.some((o) => Math.abs(o - ty) < 11)) continue;
      tickYs.push(ty);
      out.push(`<line x1="${LEFT - 3}" y1="${ty.toFixed(1)}" x2="${LEFT}" y2="${ty.toFixed(1)}" stroke="#777"/>`);
      out.push(
        `<text class="tick" x="${LEFT - 5}" y="${(ty + 4).toFixed(1)}" text-anchor="end" ` +
          `fill="${t.fill}">${escapeXml(t.text)}</text>`,
      );
    }
    out.push(
      `<text x="10" y="${top + 24}" font-size="13" ` +
        `font-weight="bold">${escapeXml(`${lane.territory} ${lane.workload}`)}</text>`,
    );
    out.push(`<text x="10" y="${top + 40}" fill="#555">${escapeXml(lane.timeZone)}</text>`);
    if (hours)
      out.push(
        `<text x="10" y="${top + 55}" fill="${HOURS}">${escapeXml(`business hours ≥${hours.floor}`)}</text><text ` +
          `x="10" y="${top + 68}" fill="${HOURS}">${escapeXml(describeBusinessHours(hours))}</text>`,
      );
    const short = needs.filter(
      (n) => n.territory === lane.territory && n.workload === lane.workload && n.status === "shortfall",
    );
    if (short.length) {
      const shortfall = short.map((n) => `${n.window} needs ${n.replicasNeeded}`).join(", ");
      out.push(
        `<text x="10" y="${top + (hours ? 82 : 70)}" fill="${MAX}" ` +
          `font-weight="bold">${escapeXml(`⚠ shortfall: ${shortfall}`)}</text>`,
      );
    }
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
