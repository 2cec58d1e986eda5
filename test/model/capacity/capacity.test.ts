/** The pre-provisioning calculator and the cost view on cases checked by hand. */
import { expect } from "chai";
import { buildCalendar } from "../../../model/calendar/lanes";
import { buildScalingPlan } from "../../../model/scaling/plan";
import { costView } from "../../../model/capacity/cost";
import { replicasNeeded, seasonNeeds } from "../../../model/capacity/forecast";
import { validateConfig } from "../../../model/config/validate";
import { rawStackConfig } from "../../support/stack-fixtures";

const NOW = new Date("2026-01-01T00:00:00Z");

describe("pre-provisioning calculator", () => {
  it("replicas needed = ⌈forecast ÷ (rps per replica × utilisation)⌉", () => {
    expect(replicasNeeded(240, 80, 0.8)).to.equal(4); // 240 / 64 = 3.75
    expect(replicasNeeded(192, 80, 0.8)).to.equal(3); // exactly 3: no rounding up past a float error
    expect(replicasNeeded(45, 20, 0.8)).to.equal(3); // 45 / 16 = 2.8
    expect(replicasNeeded(22.5, 15, 0.8)).to.equal(2); // 22.5 / 12 = 1.875
    expect(replicasNeeded(0.1, 80, 0.8)).to.equal(1);
    expect(replicasNeeded(300, 80, 0.5)).to.equal(8); // 300 / 40 = 7.5
  });

  it("judges every season × territory × workload of prod against floor and max", () => {
    const needs = seasonNeeds(validateConfig(rawStackConfig("prod")), NOW);
    const row = (t: string, w: string, s: string) =>
      needs.find((n) => n.territory === t && n.workload === w && n.window === s)!;
    expect(row("DE", "queries", "oktoberfest")).to.include({
      forecastRps: 240,
      replicasNeeded: 4,
      floor: 6,
      maxReplicas: 6,
      status: "ok",
    });
    expect(row("DE", "queries", "weihnachten")).to.include({
      forecastRps: 300,
      replicasNeeded: 5,
      floor: 6,
      status: "ok",
    });
    expect(row("CH", "queries", "weihnachten")).to.include({
      forecastRps: 175,
      replicasNeeded: 4,
      floor: 4,
      maxReplicas: 4,
    });
    expect(row("AT", "commands", "weihnachten")).to.include({
      forecastRps: 22.5,
      replicasNeeded: 2,
      floor: 2,
      maxReplicas: 2,
    });
    expect(
      needs.filter((n) => n.territory === "CH" && n.window === "spargel"),
      "spargel is DE only",
    ).to.have.length(0);
    expect(
      needs.map((n) => n.status).filter((s) => s === "shortfall" || s === "waste"),
      "prod has no shortfall at 0.8",
    ).to.deep.equal([]);
    expect(needs).to.have.length(10);
  });

  it("a lower target utilisation turns the same prod seasons into shortfalls", () => {
    const raw = rawStackConfig("prod");
    raw.capacity = { targetUtilisation: 0.5 };
    const shortfalls = seasonNeeds(validateConfig(raw), NOW).filter((n) => n.status === "shortfall");
    // DE queries weihnachten: 300 / 40 = 7.5 → 8 > 6; CH queries: 175 / 30 = 5.8 → 6 > 4.
    expect(
      shortfalls.map((n) => `${n.territory} ${n.workload} ${n.window} ${n.replicasNeeded}>${n.maxReplicas}`),
    ).to.include.members(["DE queries weihnachten 8>6", "CH queries weihnachten 6>4"]);
  });

  it("flags a floor above wasteRatio × need, and a floor below need", () => {
    const raw = rawStackConfig("prod");
    raw.seasons[2].loadMultiplier = 1; // spargel DE queries: need 1, floor 4
    raw.seasons[0].floors.DE.queries = 3; // oktoberfest DE queries: need 4, floor 3
    raw.seasons[0].phases[0].floors.DE.queries = 3;
    const needs = seasonNeeds(validateConfig(raw), NOW);
    expect(needs.find((n) => n.window === "spargel" && n.workload === "queries")!.status).to.equal("waste");
    expect(needs.find((n) => n.window === "oktoberfest" && n.workload === "queries")!.status).to.equal(
      "floor-below-need",
    );
  });

  it("a floor one replica above a tiny need is not waste (wasteMinExcess 2), two above is", () => {
    const raw = rawStackConfig("staging");
    // DE commands oktoberfest: 5 × 4 = 20 rps / (30 × 0.8) → 1 needed, floor 2.
    const row = (cfg: Record<string, any>) =>
      seasonNeeds(validateConfig(cfg), NOW).find(
        (n) => n.territory === "DE" && n.workload === "commands" && n.window === "oktoberfest",
      )!;
    expect(row(raw)).to.include({ replicasNeeded: 1, floor: 2, status: "ok" });
    raw.capacity = { wasteMinExcess: 1 };
    expect(row(raw).status).to.equal("waste");
  });

  it("rejects a target utilisation outside (0, 1], naming the key", () => {
    const raw = rawStackConfig("prod");
    raw.capacity = { targetUtilisation: 1.5 };
    expect(() => validateConfig(raw)).to.throw(/capacity\.targetUtilisation.*1\.5/);
  });

  it("skips campaigns that have ended", () => {
    const raw = rawStackConfig("prod");
    raw.campaigns = [
      { name: "old", firstDay: "2025-03-01", lastDay: "2025-03-05", loadMultiplier: 2, floors: { DE: { queries: 3 } } },
    ];
    expect(seasonNeeds(validateConfig(raw), NOW).filter((n) => n.window === "old")).to.have.length(0);
    expect(
      seasonNeeds(validateConfig(raw), new Date("2025-02-01T00:00:00Z")).filter((n) => n.window === "old"),
    ).to.have.length(2);
  });
});

describe("cost view in replica-hours", () => {
  // 2026 in Europe/Berlin and Europe/Zurich: 365 days = 8760 h (the two DST changes cancel out);
  // Nov–Dec hold no DST change, so the 61 days of weihnachten are 1464 h.
  const config = validateConfig(rawStackConfig("prod"));
  const cal = buildCalendar(buildScalingPlan(config, NOW), { from: { year: 2026, month: 1, day: 1 }, days: 365 });
  const cost = costView(config, cal.lanes, NOW);
  const lane = (t: string, w: string) => cost.lanes.find((c) => c.territory === t && c.workload === w)!;

  it("CH queries: 1 replica, 4 through weihnachten; static peak 4 all year", () => {
    expect(lane("CH", "queries")).to.include({
      hours: 8760,
      configured: 4 * 1464 + 1 * (8760 - 1464),
      peakReplicas: 4,
      staticPeak: 4 * 8760,
    });
    // Need 175 / 48 → 4 in weihnachten, 35 / 48 → 1 (min 1) otherwise: the calendar is the minimum.
    expect(lane("CH", "queries").forecastMinimum).to.equal(13152);
  });

  it("DE commands: lead days cost replica-hours the forecast does not need", () => {
    // Calendar: min 1; spargel 91 days at 3, oktoberfest's lead 14 days (08-18…08-31) at 2 and 45 days at 4,
    // weihnachten 61 days at 4.
    expect(lane("DE", "commands").configured).to.equal(8760 + 2 * 91 * 24 + 1 * 14 * 24 + 3 * 45 * 24 + 3 * 61 * 24);
    // Forecast: need 3 in spargel (54/24), 3 in oktoberfest 45 days (72/24), 4 in weihnachten (90/24), 1 otherwise.
    expect(lane("DE", "commands").forecastMinimum).to.equal(8760 + 2 * 91 * 24 + 2 * 45 * 24 + 3 * 61 * 24);
    expect(lane("DE", "commands").staticPeak).to.equal(4 * 8760);
    expect(lane("DE", "commands").savingsVsStatic).to.be.closeTo(1 - 21096 / 35040, 1e-9);
  });

  it("totals add the lanes, each derived by hand from the prod config", () => {
    const year = 8760;
    const weihnachten = 61 * 24;
    // DE queries: min 2 all year; spargel 4 (91 days), oktoberfest's lead phase 4 (14 days) then 6 (45 days),
    // weihnachten 6; business hours 3 on the 109 weekdays of 2026 outside those seasons (12 h, 07:00–19:00).
    const deQueries = 2 * year + 2 * 91 * 24 + 2 * 14 * 24 + 4 * 45 * 24 + 4 * weihnachten + 109 * 12;
    // DE commands: min 1; spargel 3, oktoberfest's lead 2 then 4, weihnachten 4.
    const deCommands = year + 2 * 91 * 24 + 1 * 14 * 24 + 3 * 45 * 24 + 3 * weihnachten;
    // The others: min 1 and only weihnachten at their max.
    const onlyWeihnachten = (floor: number) => year + (floor - 1) * weihnachten;
    const expected = {
      "DE queries": deQueries,
      "DE commands": deCommands,
      "CH queries": onlyWeihnachten(4),
      "CH commands": onlyWeihnachten(3),
      "AT queries": onlyWeihnachten(3),
      "AT commands": onlyWeihnachten(2),
    };
    expect(Object.fromEntries(cost.lanes.map((c) => [`${c.territory} ${c.workload}`, c.configured]))).to.deep.equal(
      expected,
    );
    expect(cost.total.configured).to.equal(101_892);
    // Static peak: the peak floors 6 + 4 + 4 + 3 + 3 + 2 held all year.
    expect(cost.total.staticPeak).to.equal(22 * year);
    expect(cost.total.savingsVsStatic).to.be.closeTo(1 - 101_892 / 192_720, 1e-12);
  });

  it("counts a workload without any floor at its minReplicas, not as zero", () => {
    const raw = rawStackConfig("prod");
    raw.seasons = [];
    delete raw.territories.DE.queries.businessHours;
    const bare = validateConfig(raw);
    const lanes = buildCalendar(buildScalingPlan(bare, NOW), {
      from: { year: 2026, month: 1, day: 1 },
      days: 365,
    }).lanes;
    const de = costView(bare, lanes, NOW).lanes.find((c) => c.territory === "DE" && c.workload === "queries")!;
    // No cron trigger at all: minReplicas 2 the whole year, which is also the static peak.
    expect(de).to.include({ configured: 2 * 8760, staticPeak: 2 * 8760, peakReplicas: 2 });
  });
});
