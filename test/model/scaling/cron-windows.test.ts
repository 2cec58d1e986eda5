/** Seasons, campaigns and business hours as KEDA cron windows, judged with KEDA's cron semantics. */
import { expect } from "chai";
import { validateConfig } from "../../../model/config/validate";
import { businessHoursWindow, campaignWindow, cronWeekdays, seasonWindow } from "../../../model/scaling/cron-windows";
import { cronFloorAt, isCronTriggerActive } from "../../../model/keda/cron";
import { buildScalingPlan } from "../../../model/scaling/plan";
import { scaledObjectManifest } from "../../../model/scaling/workload-manifests";
import { rawStackConfig } from "../../support/stack-fixtures";

const season = (firstDay: string, lastDay: string, leadDays = 0) => ({
  name: "s",
  firstDay,
  lastDay,
  leadDays,
  loadMultiplier: 2,
  floors: {},
});
const campaign = (firstDay: string, lastDay: string, leadDays = 0) => ({
  name: "c",
  firstDay,
  lastDay,
  leadDays,
  loadMultiplier: 2,
  floors: {},
});

describe("season → cron window", () => {
  it("starts at 00:00 on the first day and ends at 00:00 the day after the last day", () => {
    const w = seasonWindow(season("09-01", "10-15"), "Europe/Berlin");
    expect([w.start, w.end, w.timeZone, w.name]).to.deep.equal([
      "0 0 1 9 *",
      "0 0 16 10 *",
      "Europe/Berlin",
      "season-s",
    ]);
  });

  it("moves the start back by the lead days, across a month boundary", () => {
    expect(seasonWindow(season("09-01", "10-15", 14), "UTC").start).to.equal("0 0 18 8 *");
    expect(seasonWindow(season("03-01", "03-31", 1), "UTC").start).to.equal("0 0 28 2 *");
  });

  it("wraps the year end: 12-15 → 01-06 ends on 01-07, lead days cross into the old year", () => {
    const w = seasonWindow(season("12-15", "01-06", 3), "Europe/Vienna");
    expect([w.start, w.end]).to.deep.equal(["0 0 12 12 *", "0 0 7 1 *"]);
    const newYear = seasonWindow(season("01-02", "01-10", 5), "UTC");
    expect(newYear.start).to.equal("0 0 28 12 *");
  });

  it("ends a window whose last day is 12-31 on 01-01, and one ending 02-28 on 03-01", () => {
    expect(seasonWindow(season("11-01", "12-31"), "UTC").end).to.equal("0 0 1 1 *");
    expect(seasonWindow(season("02-01", "02-28"), "UTC").end).to.equal("0 0 1 3 *");
    expect(seasonWindow(season("02-01", "02-29"), "UTC").end).to.equal("0 0 1 3 *");
  });

  it("turns business hours into weekday crons at the local start and end", () => {
    const w = businessHoursWindow(
      { days: ["fri", "mon", "tue"], start: "06:30", end: "19:00", floor: 2 },
      "Europe/Zurich",
    );
    expect([w.start, w.end]).to.deep.equal(["30 6 * * 1-2,5", "0 19 * * 1-2,5"]);
  });

  it("writes consecutive weekdays as ranges, not commas (KEDA before 2.20 broke metric names on commas)", () => {
    const w = businessHoursWindow(
      { days: ["mon", "tue", "wed", "thu", "fri"], start: "08:00", end: "18:00", floor: 2 },
      "Europe/Berlin",
    );
    expect([w.start, w.end]).to.deep.equal(["0 8 * * 1-5", "0 18 * * 1-5"]);
    expect(cronWeekdays([0, 6])).to.equal("0,6");
    expect(cronWeekdays([6, 0, 1, 2, 4])).to.equal("0-2,4,6");
  });
});

describe("one-off campaigns", () => {
  const now = new Date("2026-11-23T10:00:00Z");

  it("is emitted while it lies ahead (within a year) or is running", () => {
    const ahead = campaignWindow(campaign("2026-11-27", "2026-11-30", 2), 0, "Europe/Berlin", now);
    expect([ahead.window?.start, ahead.window?.end]).to.deep.equal(["0 0 25 11 *", "0 0 1 12 *"]);
    const running = campaignWindow(campaign("2026-11-20", "2026-11-24"), 0, "Europe/Berlin", now);
    expect(running.window?.end).to.equal("0 0 25 11 *");
    expect(
      isCronTriggerActive(
        { timezone: "Europe/Berlin", start: running.window!.start, end: running.window!.end, desiredReplicas: "3" },
        now,
      ),
    ).to.equal(true);
  });

  it("is dropped with a notice once it has ended", () => {
    const past = campaignWindow(campaign("2026-11-01", "2026-11-22"), 4, "Europe/Berlin", now);
    expect(past.window).to.equal(undefined);
    expect(past.notice).to.match(/^campaigns\[4\] "c" ended on 2026-11-22 .*remove it/);
  });

  it("waits while its end is more than a year ahead (its cron would fire this year)", () => {
    const far = campaignWindow(campaign("2027-11-20", "2027-11-26"), 0, "Europe/Berlin", now);
    expect(far.window).to.equal(undefined);
    expect(far.notice).to.contain("ends more than a year ahead");
  });
});

describe("KEDA cron semantics on the rendered ScaledObjects", () => {
  const prod = buildScalingPlan(validateConfig(rawStackConfig("prod")), new Date("2026-06-01T00:00:00Z"));
  const staging = buildScalingPlan(validateConfig(rawStackConfig("staging")), new Date("2026-06-01T00:00:00Z"));
  const spec = (plan: typeof prod, name: string) =>
    scaledObjectManifest(plan.workloads.find((w) => w.name === name)!).spec as Parameters<typeof cronFloorAt>[0];
  // Instants written as local wall-clock times with their UTC offset, checked by hand.
  const at = (iso: string) => new Date(iso);

  it("holds DE queries in Oktoberfest from the first day (and the lead days), not after the last", () => {
    const deQueries = spec(prod, "freshplan-api-queries-de");
    expect(cronFloorAt(deQueries, at("2026-09-01T00:00:00+02:00")).active).to.include("season-oktoberfest");
    expect(cronFloorAt(deQueries, at("2026-08-18T00:00:00+02:00")).active).to.include("season-oktoberfest-lead");
    expect(cronFloorAt(deQueries, at("2026-08-17T23:59:00+02:00")).active).not.to.include("season-oktoberfest-lead");
    expect(cronFloorAt(deQueries, at("2026-09-01T00:00:00+02:00")).active).not.to.include("season-oktoberfest-lead");
    expect(cronFloorAt(deQueries, at("2026-10-15T23:59:00+02:00")).active).to.include("season-oktoberfest");
    expect(cronFloorAt(deQueries, at("2026-10-16T00:00:00+02:00")).active).not.to.include("season-oktoberfest");
  });

  it("holds Weihnachten until the last minute of the year in Berlin, not on New Year", () => {
    const deQueries = spec(prod, "freshplan-api-queries-de");
    const lateNight = cronFloorAt(deQueries, at("2026-12-31T23:59:00+01:00"));
    expect(lateNight.active).to.include("season-weihnachten");
    expect(lateNight.replicas).to.equal(6);
    const newYear = cronFloorAt(deQueries, at("2027-01-01T00:00:00+01:00"));
    expect(newYear.active).not.to.include("season-weihnachten");
  });

  it("evaluates each territory in its own time zone", () => {
    const chQueries = spec(prod, "freshplan-api-queries-ch");
    // 2026-10-31T23:30Z is already 11-01 00:30 in Zurich (CET, +01:00).
    expect(cronFloorAt(chQueries, at("2026-10-31T23:30:00Z")).replicas).to.equal(4);
    expect(cronFloorAt(chQueries, at("2026-10-31T22:30:00Z")).replicas).to.equal(1);
  });

  it("keeps a window that wraps the year end active across New Year", () => {
    const atQueries = spec(staging, "freshplan-api-queries-at");
    expect(cronFloorAt(atQueries, at("2026-12-12T00:00:00+01:00")).active).to.include("season-weihnachten");
    expect(cronFloorAt(atQueries, at("2027-01-03T12:00:00+01:00")).active).to.include("season-weihnachten");
    expect(cronFloorAt(atQueries, at("2027-01-07T00:00:00+01:00")).active).not.to.include("season-weihnachten");
  });

  it("holds the business-hours floor on weekdays only, in local time", () => {
    const deQueries = spec(prod, "freshplan-api-queries-de");
    // 2026-07-03 is a Friday, 2026-07-04 a Saturday (CEST, +02:00), outside every season.
    expect(cronFloorAt(deQueries, at("2026-07-03T07:00:00+02:00"))).to.deep.equal({
      replicas: 3,
      active: ["business-hours"],
    });
    expect(cronFloorAt(deQueries, at("2026-07-03T18:59:00+02:00")).replicas).to.equal(3);
    expect(cronFloorAt(deQueries, at("2026-07-03T19:00:00+02:00"))).to.deep.equal({ replicas: 2, active: [] });
    expect(cronFloorAt(deQueries, at("2026-07-04T10:00:00+02:00"))).to.deep.equal({ replicas: 2, active: [] });
    expect(cronFloorAt(deQueries, at("2026-07-03T06:59:00+02:00")).replicas).to.equal(2);
  });

  it("takes the highest active floor when windows overlap", () => {
    const deQueries = spec(prod, "freshplan-api-queries-de");
    // Spargel (4) and business hours (3) on Wednesday 2026-05-13 at noon.
    const noon = cronFloorAt(deQueries, at("2026-05-13T12:00:00+02:00"));
    expect(noon.active).to.have.members(["season-spargel", "business-hours"]);
    expect(noon.replicas).to.equal(4);
  });
});
