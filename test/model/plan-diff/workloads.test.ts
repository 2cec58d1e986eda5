// The words and capacity halves of a plan diff on two stack plans, without running the program.
import { expect } from "chai";
import { validateConfig } from "../../../model/config/validate";
import { compareCapacity } from "../../../model/plan-diff/capacity";
import { diffPeriod } from "../../../model/plan-diff/plan-diff";
import { workloadChanges } from "../../../model/plan-diff/workloads";
import { buildStackPlan } from "../../../model/stack-plan";
import { rawStackConfig } from "../../support/stack-fixtures";

const NOW = new Date("2026-11-23T00:00:00Z");
const planOf = (raw: Record<string, any>) => buildStackPlan(validateConfig(raw), NOW);

function said(edit: (raw: Record<string, any>) => void, stack = "staging"): string[] {
  const before = planOf(rawStackConfig(stack));
  const raw = rawStackConfig(stack);
  edit(raw);
  const after = planOf(raw);
  return workloadChanges(before.scaling, before.alertGroups, after.scaling, after.alertGroups).flatMap((w) =>
    w.sentences.map((s) => `${w.territory}${w.workload ? ` ${w.workload}` : ""}: ${s}`),
  );
}

describe("plan diff: workloads in words", () => {
  it("a floor raised and business hours moved", () => {
    expect(
      said((raw) => {
        raw.seasons[1].floors.AT.queries = 3;
        raw.territories.AT.queries.maxReplicas = 3;
        raw.territories.DE.queries.businessHours.start = "07:00";
      }),
    ).to.deep.equal([
      "DE queries: business hours floor 2 now mon,tue,wed,thu,fri " +
        "07:00–18:00 instead of mon,tue,wed,thu,fri 08:00–18:00",
      "AT queries: maxReplicas 2 → 3",
      "AT queries: weihnachten floor 2 → 3 (12-12 → 01-06)",
    ]);
  });

  it("a territory removed, with its alerts", () => {
    const sentences = said((raw) => {
      delete raw.territories.AT;
      delete raw.seasons[1].floors.AT;
    });
    expect(sentences[0]).to.match(
      new RegExp(
        /^AT: territory removed \(was queries 1–2 replicas at 40 rps\/replica, /.source +
          /floors weihnachten 2 \(12-12 → 01-06\), business hours 2/.source,
      ),
    );
    expect(sentences).to.include(
      "AT queries: alerts removed: FreshplanApiLatencyBudgetBurn (critical), FreshplanApiLatencyBudgetBurn " +
        "(warning), FreshplanApiP95AboveBudget (warning), FreshplanApiP95Emergency (critical), " +
        "FreshplanScaledToMax (critical), FreshplanPreScaleWithoutLoad " +
        "(info), FreshplanApiMetricsMissing (critical)",
    );
  });

  it("an unchanged config says nothing and costs nothing", () => {
    expect(said(() => undefined)).to.deep.equal([]);
    const plan = planOf(rawStackConfig("staging"));
    const capacity = compareCapacity(plan, planOf(rawStackConfig("staging")), diffPeriod(plan, NOW));
    expect(capacity.lanes).to.deep.equal([]);
    expect(capacity.total.before).to.equal(capacity.total.after).and.to.be.greaterThan(0);
    expect([...capacity.appeared, ...capacity.disappeared]).to.deep.equal([]);
  });

  it("a floor that never takes effect appears as a finding, and disappears when undone", () => {
    const plain = planOf(rawStackConfig("staging"));
    const raw = rawStackConfig("staging");
    // Oktoberfest at DE queries' minReplicas (1) never raises the floor.
    raw.seasons[0].floors.DE.queries = 1;
    const masked = planOf(raw);
    const period = diffPeriod(plain, NOW);
    const there = compareCapacity(plain, masked, period);
    expect(there.appeared).to.include(
      "DE queries: oktoberfest floor 1 is not above minReplicas 1; it never raises the floor",
    );
    const back = compareCapacity(masked, plain, period);
    expect(back.disappeared).to.deep.equal(there.appeared);
  });
});
