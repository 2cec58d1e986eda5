/**
 * Staged pre-scaling: phases validated against the window and the other floors, rendered as their own cron triggers,
 * shown by the calendar and its SVG.
 */
import { expect } from "chai";
import { buildCalendar, changePoints } from "../../../model/calendar/lanes";
import { floorAtInstant } from "../../../model/calendar/timeline";
import { ConfigError } from "../../../model/config/issues";
import { validateConfig } from "../../../model/config/validate";
import { buildScalingPlan } from "../../../model/scaling/plan";
import { scaledObjectManifest } from "../../../model/scaling/workload-manifests";
import { calendarSvg } from "../../../scripts/render/calendar-svg";
import { rawStackConfig } from "../../support/stack-fixtures";

const NOW = new Date("2026-01-01T00:00:00Z");

function problems(raw: unknown): string[] {
  try {
    validateConfig(raw);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.message
      .split("\n")
      .slice(1)
      .map((l) => l.replace(/^ {2}- /, ""));
  }
}

/**
 * Prod with a two-phase Christmas (after Oktoberfest ends on 10-15): 4 from 10-18, 5 from 10-25, the peak 6 from 11-01.
 */
function staged(edit: (season: Record<string, any>) => void = () => {}) {
  const raw = rawStackConfig("prod");
  const xmas = raw.seasons[1];
  xmas.leadDays = 14;
  xmas.phases = [
    { name: "early", fromDaysBefore: 14, floors: { DE: { queries: 4 } } },
    { name: "late", fromDaysBefore: 7, floors: { DE: { queries: 5 }, CH: { queries: 3 } } },
  ];
  edit(xmas);
  return raw;
}

describe("staged pre-scaling (phases)", () => {
  it("renders one cron trigger per phase, named after its season, each holding until the next starts", () => {
    const plan = buildScalingPlan(validateConfig(staged()), NOW);
    const de = plan.workloads.find((w) => w.name === "freshplan-api-queries-de")!;
    const triggers = (
      scaledObjectManifest(de).spec as { triggers: { name: string; metadata: Record<string, string> }[] }
    ).triggers;
    const cron = (name: string) => triggers.find((t) => t.name === name)!.metadata;
    expect(cron("season-weihnachten-early")).to.include({
      start: "0 0 18 10 *",
      end: "0 0 25 10 *",
      desiredReplicas: "4",
    });
    expect(cron("season-weihnachten-late")).to.include({
      start: "0 0 25 10 *",
      end: "0 0 1 11 *",
      desiredReplicas: "5",
    });
    // With phases the season's own floor starts on its first day.
    expect(cron("season-weihnachten")).to.include({ start: "0 0 1 11 *", desiredReplicas: "6" });
    // A phase applies only to the territories it names.
    const chCommands = plan.workloads.find((w) => w.name === "freshplan-api-commands-ch")!;
    expect(chCommands.floors.map((f) => f.name)).not.to.include("season-weihnachten-late");
  });

  const calendarSteps =
    "the calendar steps 4 → 5 → 6 at local midnights and names each phase; the SVG draws each phase as a band";
  it(calendarSteps, () => {
    const cal = buildCalendar(
      buildScalingPlan(validateConfig(staged()), NOW),
      { from: { year: 2026, month: 10, day: 16 }, days: 20 },
      "DE",
    );
    const lane = cal.lanes.find((l) => l.workload === "queries")!;
    const floor = (iso: string) => floorAtInstant(lane.steps, new Date(iso))?.replicas;
    expect(floor("2026-10-17T21:59:00Z")).to.equal(2); // Saturday 23:59: no window, minReplicas
    expect(floor("2026-10-17T22:00:00Z")).to.equal(4); // 10-18 00:00 CEST
    expect(floor("2026-10-24T22:00:00Z")).to.equal(5); // 10-25 00:00 CEST (DST ends that night)
    expect(floor("2026-10-31T23:00:00Z")).to.equal(6); // 11-01 00:00 CET
    const causes = changePoints(lane).flatMap((p) => p.causes);
    expect(causes.some((c) => c.startsWith("weihnachten early starts"))).to.equal(true);
    expect(causes.some((c) => c.startsWith("weihnachten late starts"))).to.equal(true);
    const svg = calendarSvg(cal.lanes, "phases");
    expect(svg).to.include("weihnachten early ≥4");
    expect(svg).to.include("weihnachten late ≥5").and.include("weihnachten ≥6");
  });

  it("keeps phases within the lead days, on distinct days, starting the lead", () => {
    expect(problems(staged())).to.deep.equal([]);
    expect(problems(staged((s) => (s.phases[0].fromDaysBefore = 20)))).to.include(
      'seasons[1].phases[0].fromDaysBefore (season "weihnachten") = 20: expected at most seasons[1].leadDays = ' +
        "14: phases lie within the lead days",
    );
    expect(problems(staged((s) => (s.phases[1].fromDaysBefore = 14)))).to.include(
      'seasons[1].phases[1].fromDaysBefore (season "weihnachten") = 14: expected a day not already used by phases[0]',
    );
    expect(problems(staged((s) => (s.leadDays = 20)))).to.include(
      'seasons[1].leadDays (season "weihnachten") = 20: expected 14, the earliest phase\'s fromDaysBefore: with ' +
        "phases, the lead days are the phases'",
    );
  });

  it("checks phase floors against [min, max] and the territories, and wants them rising unless explained", () => {
    expect(problems(staged((s) => (s.phases[0].floors.DE.queries = 7)))).to.include(
      'seasons[1].phases[0].floors.DE.queries (season "weihnachten") = 7: expected at most ' +
        "territories.DE.queries.maxReplicas = 6; raise the max or lower the floor",
    );
    expect(problems(staged((s) => (s.phases[0].floors.XX = { queries: 2 })))[0]).to.match(
      /^seasons\[1\]\.phases\[0\]\.floors\.XX \(season "weihnachten"\) = .*a territory defined under territories/,
    );
    const falling = problems(staged((s) => (s.phases[0].floors.DE.queries = 6)));
    expect(falling).to.include(
      'seasons[1].phases[0].floors.DE.queries (season "weihnachten") = 6: expected at most 5 (phase "late"): ' +
        "floors rise towards the peak; give the phase a reason if this is intended",
    );
    expect(
      problems(
        staged((s) =>
          Object.assign(s.phases[0], {
            reason: "the catalogue import runs in early October",
            floors: { DE: { queries: 6 } },
          }),
        ),
      ),
    ).to.deep.equal([]);
    expect(problems(staged((s) => (s.phases[1].floors.CH.queries = 5)))).to.include(
      'seasons[1].phases[1].floors.CH.queries (season "weihnachten") = 5: expected at most 4 (the peak floors): ' +
        "floors rise towards the peak; give the phase a reason if this is intended",
    );
  });

  it("refuses a phase whose trigger name another season already has", () => {
    const raw = staged();
    raw.seasons.push({
      name: "weihnachten-late",
      firstDay: "01-10",
      lastDay: "01-20",
      loadMultiplier: 2,
      floors: { DE: { queries: 3 } },
    });
    expect(problems(raw)).to.include(
      'seasons[1].phases[1].name (season "weihnachten") = "late": expected a name whose trigger does not collide ' +
        'with the season "weihnachten-late"',
    );
  });

  it("stages a campaign the same way, relative to its dates", () => {
    const raw = rawStackConfig("prod");
    raw.campaigns = [
      {
        name: "relaunch",
        firstDay: "2026-03-10",
        lastDay: "2026-03-20",
        leadDays: 7,
        loadMultiplier: 2,
        floors: { DE: { queries: 5 } },
        phases: [{ name: "warm", fromDaysBefore: 7, floors: { DE: { queries: 4 } } }],
      },
    ];
    const de = buildScalingPlan(validateConfig(raw), NOW).workloads.find((w) => w.name === "freshplan-api-queries-de")!;
    expect(de.floors.find((f) => f.name === "campaign-relaunch-warm")).to.include({
      start: "0 0 3 3 *",
      end: "0 0 10 3 *",
      floor: 4,
    });
    expect(de.floors.find((f) => f.name === "campaign-relaunch")).to.include({ start: "0 0 10 3 *", floor: 5 });
  });
});
