/** Calendar findings: each built from a config edit that plants exactly the mistake looked for. */
import { expect } from "chai";
import { buildCalendar, calendarLane, renderedFloorSpec } from "../../../model/calendar/lanes";
import { CalendarFinding, calendarFindings, laneFindings } from "../../../model/calendar/findings";
import { validateConfig } from "../../../model/config/validate";
import { buildScalingPlan } from "../../../model/scaling/plan";
import { rawStackConfig } from "../../support/stack-fixtures";

const NOW = new Date("2026-01-01T00:00:00Z");
const YEAR = { from: { year: 2026, month: 1, day: 1 }, days: 365 };

function findings(edit: (raw: Record<string, any>) => void, period = YEAR, now = NOW): CalendarFinding[] {
  const raw = rawStackConfig("prod");
  edit(raw);
  const cal = buildCalendar(buildScalingPlan(validateConfig(raw), now), period, "DE");
  return calendarFindings(cal.lanes, cal.plan.notices);
}
const ofKind = (all: CalendarFinding[], kind: string) => all.filter((f) => f.kind === kind);

describe("capacity calendar findings", function () {
  this.timeout(20_000);
  it("the shipped prod calendar: only notes about business hours under a season, and which floor wins", () => {
    const all = findings(() => {});
    expect(all.filter((f) => f.severity === "warning")).to.deep.equal([]);
    const overlaps = ofKind(all, "overlap").map((f) => f.message);
    expect(overlaps).to.have.length(4);
    expect(overlaps.find((m) => m.includes("oktoberfest (floor"))).to.match(
      /oktoberfest \(floor 6\) and business-hours \(floor 3\).*so 6 wins/,
    );
  });

  it("a window always covered by a higher floor is masked", () => {
    const all = findings((raw) => {
      raw.seasons.push({
        name: "wiesn-extra",
        firstDay: "09-10",
        lastDay: "09-20",
        loadMultiplier: 1,
        floors: { DE: { commands: 3 } },
      });
    });
    const masked = ofKind(all, "masked");
    expect(masked).to.have.length(1);
    expect(masked[0].message)
      .to.contain("DE commands")
      .and.contain("wiesn-extra (floor 3) never takes effect")
      .and.contain("oktoberfest");
  });

  it("a window that raises the floor for part of its time is not masked", () => {
    const all = findings((raw) => {
      raw.seasons.push({
        name: "late-wiesn",
        firstDay: "10-10",
        lastDay: "10-25",
        loadMultiplier: 1,
        floors: { DE: { commands: 3 } },
      });
    });
    expect(ofKind(all, "masked")).to.deep.equal([]);
  });

  it("a floor equal to minReplicas never raises anything", () => {
    const all = findings((raw) => {
      raw.seasons.push({
        name: "flat",
        firstDay: "02-01",
        lastDay: "02-10",
        loadMultiplier: 1,
        floors: { DE: { commands: 1 } },
      });
    });
    expect(ofKind(all, "no-effect").map((f) => f.message)).to.deep.equal([
      "DE commands: flat floor 1 is not above minReplicas 1; it never raises the floor",
    ]);
  });

  it("a trigger whose end only fires in leap years (03-01 → 02-29) never activates in 2026", () => {
    // KEDA: next start (03-01) always comes before the next end (2028-02-29). Config validation
    // refuses such a window; the calendar still judges any ScaledObject it is handed.
    const plan = buildScalingPlan(validateConfig(rawStackConfig("prod")), NOW);
    const w = plan.workloads.find((x) => x.name === "freshplan-api-queries-de")!;
    const spec = renderedFloorSpec(w);
    const leap = {
      type: "cron",
      name: "season-leap-day",
      metadata: { timezone: "Europe/Berlin", start: "0 0 1 3 *", end: "0 0 29 2 *", desiredReplicas: "4" },
    };
    const windows = [
      ...w.floors,
      {
        name: "season-leap-day",
        kind: "season" as const,
        label: "leap-day",
        start: "0 0 1 3 *",
        end: "0 0 29 2 *",
        timeZone: "Europe/Berlin",
        description: "03-01 → 02-28",
        floor: 4,
      },
    ];
    const lane = calendarLane({ ...w, floors: windows }, YEAR, { ...spec, triggers: [...spec.triggers, leap] });
    const never = laneFindings(lane).filter((f) => f.kind === "never-active");
    expect(never).to.have.length(1);
    expect(never[0].message).to.contain("DE queries: leap-day").and.contain("never active");
  });

  it("over a period shorter than a year, a season outside it is not a finding", () => {
    expect(
      ofKind(
        findings(() => {}, { from: YEAR.from, days: 31 }),
        "never-active",
      ),
    ).to.deep.equal([]);
  });

  it("a campaign that is over is reported, not planned", () => {
    const all = findings((raw) => {
      raw.campaigns = [
        {
          name: "last-year",
          firstDay: "2025-05-01",
          lastDay: "2025-05-03",
          loadMultiplier: 2,
          floors: { DE: { queries: 4 } },
        },
      ];
    });
    const campaign = ofKind(all, "campaign");
    expect(campaign).to.have.length(1);
    expect(campaign[0].message).to.contain("last-year").and.contain("ended");
  });

  it("a floor step within the HPA's 10 % tolerance (11 over 10) is flagged; 12 over 10 is not", () => {
    const all = findings((raw) => {
      const q = raw.territories.DE.queries;
      Object.assign(q, { minReplicas: 10, maxReplicas: 12, businessHours: { ...q.businessHours, floor: 10 } });
      delete raw.seasons[0].phases;
      raw.seasons[0].floors.DE.queries = 12; // oktoberfest: 10 → 12, ratio 1.2
      raw.seasons[1].floors.DE.queries = 12;
      raw.seasons[2].floors.DE.queries = 11; // spargel: 10 → 11, ratio 1.1
    });
    const rises = ofKind(all, "hpa-tolerance")
      .filter((f) => f.severity === "warning")
      .map((f) => f.message);
    expect(rises).to.have.length(1);
    expect(rises[0]).to.contain("from 10 to 11").and.contain("spargel");
  });
});
