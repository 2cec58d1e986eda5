/** The timeline against KEDA's rule instant by instant, the SVG chart, and the CLI end to end. */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { buildCalendar, renderedFloorSpec } from "../../model/calendar/lanes";
import { buildScalingPlan } from "../../model/scaling/plan";
import { calendarSvg } from "../../scripts/render/calendar-svg";
import { floorAtInstant } from "../../model/calendar/timeline";
import { seasonNeeds } from "../../model/capacity/forecast";
import { validateConfig } from "../../model/config/validate";
import { cronFloorAt } from "../../model/keda/cron";
import { rawStackConfig, ROOT } from "../support/stack-fixtures";

const NOW = new Date("2026-01-01T00:00:00Z");
const config = validateConfig(rawStackConfig("prod"));
const cal = buildCalendar(buildScalingPlan(config, NOW), { from: { year: 2026, month: 1, day: 1 }, days: 365 });

/** Enough of XML to catch broken markup: balanced tags, quoted attributes, escaped text. */
function assertWellFormedXml(xml: string) {
  const stack: string[] = [];
  const tokens = xml.replace(/^<\?xml[^>]*\?>/, "").split(/(<[^>]*>)/);
  for (const token of tokens) {
    if (token.startsWith("<")) {
      const m = /^<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>$/.exec(token);
      if (!m) throw new Error(`malformed tag: ${token}`);
      if (m[1]) {
        if (stack.pop() !== m[2]) throw new Error(`unbalanced </${m[2]}>`);
      } else if (!m[4]) stack.push(m[2]);
    } else if (/[<>]|&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(token)) {
      throw new Error(`unescaped text: ${token}`);
    } else if (stack.length === 0 && token.trim()) {
      throw new Error(`text outside the root: ${token}`);
    }
  }
  if (stack.length) throw new Error(`unclosed <${stack.join("><")}>`);
}

describe("capacity calendar outputs", function () {
  this.timeout(30_000);

  it("the step timeline equals cronFloorAt on the rendered ScaledObject at any instant", () => {
    const w = cal.plan.workloads.find((x) => x.name === "freshplan-api-queries-de")!;
    const lane = cal.lanes.find((l) => l.name === w.name)!;
    const spec = renderedFloorSpec(w);
    const start = lane.from.getTime();
    const end = lane.to.getTime();
    fc.assert(
      fc.property(fc.integer({ min: start, max: end - 1 }), (ms) => {
        const at = new Date(ms);
        expect(floorAtInstant(lane.steps, at)!.replicas, at.toISOString()).to.equal(cronFloorAt(spec, at).replicas);
      }),
      { numRuns: 60 },
    );
    for (const s of lane.steps.slice(1, 16)) {
      expect(cronFloorAt(spec, s.at).replicas).to.equal(s.replicas);
      expect(cronFloorAt(spec, new Date(s.at.getTime() - 1)).replicas).to.equal(
        floorAtInstant(lane.steps, new Date(s.at.getTime() - 1))!.replicas,
      );
    }
  });

  it("renders a well-formed SVG with one lane per workload, season labels and max lines", () => {
    const svg = calendarSvg(cal.lanes, "freshplan prod <2026> & co", seasonNeeds(config, NOW));
    assertWellFormedXml(svg);
    expect(() => assertWellFormedXml(svg.replace("</svg>", "")), "the checker can fail").to.throw();
    expect(svg.match(/<g class="lane"/g)).to.have.length(6);
    for (const label of [
      "DE queries",
      "AT commands",
      "oktoberfest lead ≥4",
      "weihnachten ≥2",
      "spargel ≥4",
      "max 6",
      "max 2",
      "Jan 2026",
      "Oct",
      "&lt;2026&gt; &amp; co",
    ]) {
      expect(svg, label).to.contain(label);
    }
    // One horizontal segment per floor step.
    const deQueries = svg.split('<g class="lane"')[1];
    const floorPath = /class="floor" d="([^"]+)"/.exec(deQueries)![1];
    expect(floorPath.match(/H/g)).to.have.length(cal.lanes[0].steps.length);
  });

  const cli = (...args: string[]) =>
    execFileSync(
      process.execPath,
      [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), path.join(ROOT, "scripts", "calendar.ts"), ...args],
      { cwd: ROOT, encoding: "utf8" },
    );

  it("CLI --at answers 'DE queries on 1 October at 09:00' in local time", () => {
    const out = cli("--stack", "prod", "--territory", "DE", "--at", "2026-10-01T09:00");
    expect(out).to.match(/DE\s+queries\s+2026-10-01 09:00 \+02:00\s+6\s+2\s+6\s+oktoberfest, business-hours/);
    expect(out).to.match(/DE\s+commands\s+2026-10-01 09:00 \+02:00\s+4\s+1\s+4\s+oktoberfest/);
  });

  it("CLI --format json lists change points, findings, needs and cost", () => {
    const json = JSON.parse(
      cli("--stack", "prod", "--territory", "CH", "--from", "2026-10-30", "--to", "2027-01-02", "--format", "json"),
    );
    expect(json.lanes.map((l: { workload: string }) => l.workload)).to.deep.equal(["queries", "commands"]);
    expect(json.lanes[0].changePoints.map((p: { at: string; replicas: number }) => [p.at, p.replicas])).to.deep.equal([
      ["2026-10-29T23:00:00.000Z", 1],
      ["2026-10-31T23:00:00.000Z", 4],
      ["2026-12-31T23:00:00.000Z", 1],
    ]);
    expect(json.lanes[0].changePoints[1].causes[0]).to.match(/^weihnachten starts/);
    expect(json.preProvisioning.map((n: { window: string }) => n.window)).to.deep.equal(["weihnachten", "weihnachten"]);
    expect(json.cost.lanes[0]).to.include({ territory: "CH", workload: "queries" });
  });
});
