/**
 * The calendar evaluates the triggers the program sends, and the calculator's warnings reach
 * `pulumi preview`: both checked by running the real index.ts under the SDK's mock runtime.
 */
import { expect } from "chai";
import { calendarLane } from "../../../model/calendar/lanes";
import { validateConfig } from "../../../model/config/validate";
import type { ScaledObjectSpec } from "../../../model/keda/types";
import { buildScalingPlan } from "../../../model/scaling/plan";
import { RecordedResource, runStack } from "../../../scripts/mock-runtime";
import { rawStackConfig, stackFileFrom } from "../../support/stack-fixtures";

const NOW = new Date("2026-06-01T00:00:00Z");
const YEAR_2026 = { from: { year: 2026, month: 1, day: 1 }, days: 365 };
const isScaledObject = (r: RecordedResource) => r.inputs.kind === "ScaledObject";
const nameOf = (r: RecordedResource) => (r.inputs.metadata as { name: string }).name;

async function run(raw: Record<string, unknown>) {
  const savedPlanDate = process.env.FRESHPLAN_PLAN_DATE;
  process.env.FRESHPLAN_PLAN_DATE = NOW.toISOString();
  try {
    const result = await runStack(stackFileFrom("prod", raw));
    return { run: result, warnings: result.warnings };
  } finally {
    if (savedPlanDate === undefined) delete process.env.FRESHPLAN_PLAN_DATE;
    else process.env.FRESHPLAN_PLAN_DATE = savedPlanDate;
  }
}

function oktoberfestStart(spec: ScaledObjectSpec, raw: Record<string, unknown>) {
  const w = buildScalingPlan(validateConfig(raw), NOW).workloads.find((x) => x.name === "freshplan-api-commands-de")!;
  const lane = calendarLane(w, YEAR_2026, spec);
  return lane.steps.find((s) => s.started.includes("season-oktoberfest"))?.at.toISOString();
}

describe("capacity calendar: the triggers the stack renders", function () {
  this.timeout(60_000);

  it("follows a season edit exactly as the rendered ScaledObject does", async () => {
    const shipped = rawStackConfig("prod");
    const edited = rawStackConfig("prod");
    // The shift of a lead without phases (the shipped lead phase is its own trigger).
    for (const raw of [shipped, edited]) delete raw.seasons[0].phases;
    edited.seasons[0].firstDay = "09-15"; // oktoberfest, 14 lead days → floors from 09-01

    const before = (await run(shipped)).run.resources
      .filter(isScaledObject)
      .find((r) => nameOf(r) === "freshplan-api-commands-de")!;
    const after = (await run(edited)).run.resources
      .filter(isScaledObject)
      .find((r) => nameOf(r) === "freshplan-api-commands-de")!;
    const trigger = (r: RecordedResource) =>
      (r.inputs.spec as ScaledObjectSpec).triggers.find((t) => t.name === "season-oktoberfest")!.metadata;
    expect(trigger(before).start).to.equal("0 0 18 8 *");
    expect(trigger(after).start).to.equal("0 0 1 9 *");

    // The calendar fed with the recorded specs, and the calendar from the plan, agree.
    const recordedBefore = oktoberfestStart(before.inputs.spec as ScaledObjectSpec, shipped);
    const recordedAfter = oktoberfestStart(after.inputs.spec as ScaledObjectSpec, edited);
    expect(recordedBefore).to.equal("2026-08-17T22:00:00.000Z");
    expect(recordedAfter).to.equal("2026-08-31T22:00:00.000Z");
    const planned = calendarLane(
      buildScalingPlan(validateConfig(edited), NOW).workloads.find((x) => x.name === "freshplan-api-commands-de")!,
      YEAR_2026,
    );
    expect(planned.steps.find((s) => s.started.includes("season-oktoberfest"))?.at.toISOString()).to.equal(
      recordedAfter,
    );
  });

  const previewWarnings =
    "warns at preview about a shortfall and a wasteful floor, naming territory, workload, season and numbers";
  it(previewWarnings, async () => {
    const raw = rawStackConfig("prod");
    raw.seasons[1].loadMultiplier = 8; // weihnachten: DE queries 60 × 8 = 480 rps / (80 × 0.8) = 7.5 → 8 > max 6
    raw.seasons[2].loadMultiplier = 1; // spargel: DE queries needs 1, floor 4 > 1.5 × 1
    const { run: result, warnings } = await run(raw);
    expect(result.resources.some(isScaledObject)).to.equal(true);
    const shortfall = warnings.filter((w) => w.includes("shortfall"));
    expect(
      shortfall.some(
        (w) =>
          w.includes("DE queries") &&
          w.includes("weihnachten") &&
          w.includes("needs 8") &&
          w.includes("maxReplicas is 6"),
      ),
      shortfall.join("\n"),
    ).to.equal(true);
    const waste = warnings.filter((w) => w.includes("over-provisioned"));
    expect(
      waste.some(
        (w) => w.includes("DE queries") && w.includes("spargel") && w.includes("floor of 4") && w.includes("needs 1"),
      ),
      waste.join("\n"),
    ).to.equal(true);
  });

  it("stays quiet at preview for the shipped prod capacities", async () => {
    const { warnings } = await run(rawStackConfig("prod"));
    expect(warnings.filter((w) => /shortfall|over-provisioned/.test(w))).to.deep.equal([]);
  });
});
