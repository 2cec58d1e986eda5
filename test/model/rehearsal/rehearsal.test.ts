/**
 * Rehearsals of prod's Oktoberfest: a config that holds, a max too low and the max that holds, floors against no
 * floors.
 */
import { expect } from "chai";
import { DEFAULT_DAILY_PROFILE } from "../../../model/config/rehearsal-settings";
import { validateConfig } from "../../../model/config/validate";
import { p95Ms, rpsAtBudget } from "../../../model/rehearsal/capacity-model";
import { profileWeight } from "../../../model/rehearsal/load";
import { RehearsalPeriod, rehearseWorkload, seasonPeriod } from "../../../model/rehearsal/rehearse";
import { buildScalingPlan } from "../../../model/scaling/plan";
import { rawStackConfig } from "../../support/stack-fixtures";

const NOW = new Date("2026-08-01T00:00:00Z");
const TODAY = { year: 2026, month: 8, day: 1 };

function deWorkload(raw: Record<string, any>, workload: "queries" | "commands") {
  const config = validateConfig(raw);
  const w = buildScalingPlan(config, NOW).workloads.find((x) => x.territory === "DE" && x.workload === workload)!;
  return { config, w };
}

/** The first `days` of the season itself (lead days skipped), at `multiplier`. */
function seasonStart(raw: Record<string, any>, days: number, multiplier?: number): RehearsalPeriod {
  const season = validateConfig(raw).seasons.find((s) => s.name === "oktoberfest")!;
  const period = seasonPeriod(season, TODAY, undefined, multiplier);
  return { ...period, from: period.peak!.from, days };
}

describe("season rehearsal", function () {
  this.timeout(120_000);

  const calibration =
    "calibrates p95 to the budget at budgetAtTargetMultiple × the target and shapes weekdays apart from weekends";
  it(calibration, () => {
    const config = validateConfig(rawStackConfig("prod"));
    const w = { targetRpsPerReplica: 80, p95BudgetMs: 300 };
    expect(rpsAtBudget(w, config.rehearsal)).to.equal(100);
    expect(p95Ms(w, config.rehearsal, 300, 3)).to.be.closeTo(300, 1e-9);
    expect(p95Ms(w, config.rehearsal, 240, 3)).to.be.below(300);
    expect(p95Ms(w, config.rehearsal, 330, 3)).to.be.above(300);
    expect(p95Ms(w, config.rehearsal, 10, 0)).to.be.above(300 * 10);
    expect(profileWeight(DEFAULT_DAILY_PROFILE, 3, 9 * 60 + 30)).to.equal(1); // Wednesday 09:30
    expect(profileWeight(DEFAULT_DAILY_PROFILE, 6, 9 * 60 + 30)).to.be.below(0.3); // Saturday
  });

  it("takes a daily profile from the config and refuses one without 24 hourly weights", () => {
    const raw = rawStackConfig("prod");
    raw.rehearsal = { dailyProfile: { workday: Array(24).fill(0.5), weekend: Array(23).fill(0.1) } };
    expect(() => validateConfig(raw)).to.throw(/rehearsal\.dailyProfile\.weekend.*exactly 24 hourly weights/);
    raw.rehearsal.dailyProfile.weekend.push(0.1);
    const config = validateConfig(raw);
    expect(profileWeight(config.rehearsal.dailyProfile, 2, 3 * 60)).to.equal(0.5);
    expect(config.rehearsal.budgetAtTargetMultiple).to.equal(1.25);
  });

  it("a config big enough for its season shows no minute over budget while the load is real", () => {
    const raw = rawStackConfig("prod");
    const { config, w } = deWorkload(raw, "queries");
    const r = rehearseWorkload(config, w, seasonStart(raw, 3));
    expect(r.minutesOverBudget).to.equal(0);
    expect(r.firstShortfall).to.equal(undefined);
    expect(r.recommendedMaxReplicas).to.equal(w.maxReplicas);
    // Oktoberfest × 4 on 60 req/s: the rehearsal carried 240 req/s, 40 % of what 6 pods serve within budget.
    expect(Math.max(...r.minutes.map((m) => m.rps))).to.be.closeTo(240, 1e-9);
    expect(r.replicaHours).to.be.closeTo(3 * 24 * 6, 0.1);
  });

  it("a max too low shows the shortfall and recommends the smallest max that holds when rehearsed again", () => {
    const raw = rawStackConfig("prod");
    const { config, w } = deWorkload(raw, "queries");
    const period = seasonStart(raw, 3, 11);
    const short = rehearseWorkload(config, w, period);
    expect(short.minutesOverBudget).to.be.greaterThan(60);
    expect(short.minutesAtMax).to.be.greaterThan(0);
    // 09:00 local, the first morning peak
    expect(short.firstShortfall!.toISOString()).to.equal("2026-09-01T07:00:00.000Z");
    const recommended = short.recommendedMaxReplicas!;
    expect(recommended).to.be.greaterThan(w.maxReplicas);

    const rehearseWithMax = (max: number) => {
      const again = rawStackConfig("prod");
      again.territories.DE.queries.maxReplicas = max;
      const next = deWorkload(again, "queries");
      return rehearseWorkload(next.config, next.w, period);
    };
    const held = rehearseWithMax(recommended);
    expect(held.minutesOverBudget).to.equal(0);
    expect(held.recommendedMaxReplicas).to.equal(recommended);
    expect(rehearseWithMax(recommended - 1).minutesOverBudget).to.be.greaterThan(0);
  });

  it("pre-scaled floors cut the minutes over budget at the start of a season against no floors", () => {
    const raw = rawStackConfig("prod");
    const { config, w } = deWorkload(raw, "commands");
    const period = seasonStart(raw, 2);
    const floors = rehearseWorkload(config, w, period);
    const none = rehearseWorkload(config, w, period, { withoutFloors: true });
    expect(none.minutesOverBudget).to.be.greaterThan(0);
    expect(floors.minutesOverBudget).to.be.lessThan(none.minutesOverBudget);
    // Without floors the HPA reacts to the 07:00 login wave only after the pods have started.
    expect(none.firstShortfall!.toISOString()).to.match(/^2026-09-01T0[5-6]:/);
  });
});
