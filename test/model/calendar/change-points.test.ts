/**
 * Change points of the shipped prod and staging calendars against instants worked out by hand
 * (Europe/Berlin: UTC+1 in winter, UTC+2 from the last Sunday of March, 2026-03-29, to the last
 * Sunday of October, 2026-10-25; Europe/Vienna the same).
 */
import { expect } from "chai";
import { CalendarLane, buildCalendar, changePoints } from "../../../model/calendar/lanes";
import { buildScalingPlan } from "../../../model/scaling/plan";
import { floorAtInstant } from "../../../model/calendar/timeline";
import { validateConfig } from "../../../model/config/validate";
import { rawStackConfig } from "../../support/stack-fixtures";

const NOW = new Date("2026-01-01T00:00:00Z");
const prod = buildCalendar(buildScalingPlan(validateConfig(rawStackConfig("prod")), NOW), {
  from: { year: 2026, month: 1, day: 1 },
  days: 366,
});
const lane = (cal: { lanes: readonly CalendarLane[] }, territory: string, workload: string) =>
  cal.lanes.find((l) => l.territory === territory && l.workload === workload)!;
const floorAt = (l: CalendarLane, iso: string) => floorAtInstant(l.steps, new Date(iso))?.replicas;
const changesBetween = (l: CalendarLane, from: string, to: string) =>
  changePoints(l)
    .filter((p) => p.at >= from && p.at < to)
    .map((p) => [p.at, p.replicas]);

describe("capacity calendar: change points of the prod stack", () => {
  it("DE commands: every season boundary at local midnight, lead days included", () => {
    expect(changePoints(lane(prod, "DE", "commands")).map((p) => [p.at, p.replicas])).to.deep.equal([
      ["2025-12-31T23:00:00.000Z", 1], // the period starts 2026-01-01 00:00 CET
      ["2026-03-31T22:00:00.000Z", 3], // spargel 04-01 00:00 CEST
      ["2026-06-30T22:00:00.000Z", 1], // spargel ends: 07-01 00:00 CEST
      ["2026-08-17T22:00:00.000Z", 2], // oktoberfest's lead phase: 09-01 minus 14 days = 08-18
      ["2026-08-31T22:00:00.000Z", 4], // oktoberfest's peak floor from 09-01
      ["2026-10-15T22:00:00.000Z", 1], // oktoberfest ends: 10-16 00:00 CEST
      ["2026-10-31T23:00:00.000Z", 4], // weihnachten 11-01 00:00 CET (after the DST change)
      ["2026-12-31T23:00:00.000Z", 1], // year end: 2027-01-01 00:00 CET
    ]);
  });

  it("names the window behind each change", () => {
    const causes = changePoints(lane(prod, "DE", "commands")).map((p) => p.causes.join(" "));
    expect(causes[3]).to.match(/^oktoberfest lead starts/);
    expect(causes[3]).to.contain("from 14 days before 09-01");
    expect(causes[4]).to.match(/^oktoberfest starts/);
    expect(causes[7]).to.match(/^weihnachten ends/);
  });

  it("CH and AT: weihnachten in Europe/Zurich and Europe/Vienna", () => {
    for (const [t, w, floor] of [
      ["CH", "queries", 4],
      ["CH", "commands", 3],
      ["AT", "queries", 3],
      ["AT", "commands", 2],
    ] as const) {
      expect(
        changesBetween(lane(prod, t, w), "2026-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"),
        `${t} ${w}`,
      ).to.deep.equal([
        ["2026-10-31T23:00:00.000Z", floor],
        ["2026-12-31T23:00:00.000Z", 1],
      ]);
    }
  });

  it("DE queries business hours 07:00–19:00 Berlin move in UTC across the March DST change", () => {
    const de = lane(prod, "DE", "queries");
    // Fri 03-27 in CET (06:00Z–18:00Z), no change at the weekend, Mon 03-30 in CEST (05:00Z–17:00Z).
    expect(changesBetween(de, "2026-03-27T00:00:00.000Z", "2026-03-31T00:00:00.000Z")).to.deep.equal([
      ["2026-03-27T06:00:00.000Z", 3],
      ["2026-03-27T18:00:00.000Z", 2],
      ["2026-03-30T05:00:00.000Z", 3],
      ["2026-03-30T17:00:00.000Z", 2],
    ]);
  });

  it("... and back across the October DST change", () => {
    const de = lane(prod, "DE", "queries");
    expect(changesBetween(de, "2026-10-23T00:00:00.000Z", "2026-10-27T00:00:00.000Z")).to.deep.equal([
      ["2026-10-23T05:00:00.000Z", 3],
      ["2026-10-23T17:00:00.000Z", 2],
      ["2026-10-26T06:00:00.000Z", 3],
      ["2026-10-26T18:00:00.000Z", 2],
    ]);
  });

  it("business-hours edges: the start instant is inside, the end instant outside", () => {
    const de = lane(prod, "DE", "queries");
    expect(floorAt(de, "2026-03-30T04:59:59Z")).to.equal(2);
    expect(floorAt(de, "2026-03-30T05:00:00Z")).to.equal(3);
    expect(floorAt(de, "2026-03-30T16:59:59Z")).to.equal(3);
    expect(floorAt(de, "2026-03-30T17:00:00Z")).to.equal(2);
    expect(floorAt(de, "2026-03-28T10:00:00Z"), "Saturday").to.equal(2);
  });

  it("a season masks business hours; at its end the weekday floor returns that morning", () => {
    const de = lane(prod, "DE", "queries");
    expect(floorAt(de, "2026-10-01T07:00:00Z"), "1 October 09:00 CEST").to.equal(6);
    expect(changesBetween(de, "2026-10-15T00:00:00.000Z", "2026-10-17T00:00:00.000Z")).to.deep.equal([
      ["2026-10-15T22:00:00.000Z", 2], // Fri 10-16 00:00 CEST: oktoberfest over, before office hours
      ["2026-10-16T05:00:00.000Z", 3],
      ["2026-10-16T17:00:00.000Z", 2],
    ]);
    expect(changesBetween(de, "2026-10-31T00:00:00.000Z", "2026-11-03T00:00:00.000Z")).to.deep.equal([
      ["2026-10-31T23:00:00.000Z", 6],
    ]);
  });
});

describe("capacity calendar: staging (year-end wrap, Vienna business hours)", () => {
  const staging = buildCalendar(buildScalingPlan(validateConfig(rawStackConfig("staging")), NOW), {
    from: { year: 2026, month: 11, day: 30 },
    days: 45,
  });

  it("AT queries business hours 08:00–17:30 Europe/Vienna in winter are 07:00Z–16:30Z", () => {
    const at = lane(staging, "AT", "queries");
    expect(changesBetween(at, "2026-11-30T00:00:00.000Z", "2026-12-01T00:00:00.000Z")).to.deep.equal([
      ["2026-11-30T07:00:00.000Z", 2],
      ["2026-11-30T16:30:00.000Z", 1],
    ]);
  });

  it("weihnachten 12-15…01-06 with 3 lead days wraps the year end in DE commands", () => {
    expect(changePoints(lane(staging, "DE", "commands")).map((p) => [p.at, p.replicas])).to.deep.equal([
      ["2026-11-29T23:00:00.000Z", 1],
      ["2026-12-11T23:00:00.000Z", 2], // 12-12 00:00 CET
      ["2027-01-06T23:00:00.000Z", 1], // 01-07 00:00 CET
    ]);
  });
});
