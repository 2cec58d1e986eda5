/**
 * The calendar chart reads well: a legend, labels that never overlap, lead days apart from the season, business hours
 * and floors on the axis.
 */
import { expect } from "chai";
import { buildCalendar } from "../../model/calendar/lanes";
import { seasonNeeds } from "../../model/capacity/forecast";
import { validateConfig } from "../../model/config/validate";
import { buildScalingPlan } from "../../model/scaling/plan";
import { calendarSvg } from "../../scripts/render/calendar-svg";
import { rawStackConfig } from "../support/stack-fixtures";

const NOW = new Date("2026-11-23T00:00:00Z");

function chart(stack: string) {
  const config = validateConfig(rawStackConfig(stack));
  const cal = buildCalendar(buildScalingPlan(config, NOW), { from: { year: 2026, month: 11, day: 23 }, days: 365 });
  return calendarSvg(cal.lanes, `freshplan ${stack}`, seasonNeeds(config, NOW), config);
}

interface Box {
  readonly text: string;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** Every <text> of a lane with a generous box for 11 px sans-serif (bold 13 px for the lane title). */
function textBoxes(group: string): Box[] {
  return [...group.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)].map(([, attrs, text]) => {
    const attr = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(attrs)?.[1];
    const size = Number(attr("font-size") ?? 11);
    const width = text.replace(/&\w+;/g, "x").length * size * 0.6;
    const x = Number(attr("x"));
    const y = Number(attr("y"));
    const anchor = attr("text-anchor") ?? "start";
    const left = anchor === "end" ? x - width : anchor === "middle" ? x - width / 2 : x;
    return { text, left, right: left + width, top: y - size * 0.8, bottom: y + size * 0.2 };
  });
}

const overlap = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

describe("calendar chart", () => {
  for (const stack of ["prod", "staging"]) {
    it(`${stack}: no two labels of a lane overlap`, () => {
      const lanes = chart(stack).split('<g class="lane"').slice(1);
      expect(lanes.length).to.be.greaterThan(3);
      for (const lane of lanes) {
        const boxes = textBoxes(lane);
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++)
            expect(overlap(boxes[i], boxes[j]), `"${boxes[i].text}" overlaps "${boxes[j].text}"`).to.equal(false);
        }
      }
    });
  }

  it("has a legend naming every mark", () => {
    const svg = chart("prod");
    for (const entry of [
      "floor the cron triggers hold",
      "season or campaign",
      "lead days (pre-scaling)",
      "business-hours floor",
      "maxReplicas",
    ])
      expect(svg).to.contain(entry);
  });

  it("starts the season band on its first day and draws the lead days as their own lighter band", () => {
    const lane = chart("prod").split('<g class="lane"')[1]; // DE queries: oktoberfest 09-01…10-15 with 14 lead days
    const lead = /<rect class="lead" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(lane);
    expect(lead, "a lead band").to.not.equal(null);
    const leadEnd = Number(lead![1]) + Number(lead![2]);
    const seasons = [...lane.matchAll(/<rect class="season" x="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(
      seasons.some((x) => Math.abs(x - leadEnd) < 0.2),
      `a season band starting where the lead band ends (${leadEnd})`,
    ).to.equal(true);
    // 14 of 365 days on a 1010 px wide plot.
    expect(Number(lead![2])).to.be.closeTo((14 / 365) * 1010, 2);
  });

  it("labels the business-hours floor and puts min, every floor and max on the y axis", () => {
    const lane = chart("prod").split('<g class="lane"')[1];
    const ticks = [...lane.matchAll(/<text class="tick"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(ticks).to.include.members(["max 6", "min 2", "4", "3"]);
    expect(lane).to.contain('class="business-hours"');
    expect(lane).to.contain("business hours ≥3").and.contain("Mon–Fri 07–19");
  });
});
