/**
 * The latency trigger under a stepping HPA: the rendered ScaledObject of prod's DE queries driven
 * by a queueing latency curve. The replica-proportional signal settles and meets the budget; the
 * old count-independent formula flaps through the very same loop.
 */
import { expect } from "chai";
import * as path from "node:path";
import { TRIGGER_NAMES } from "../../../model/conventions";
import { latencySignal } from "../../../model/prometheus/promql";
import { buildScalingPlan } from "../../../model/scaling/plan";
import { scaledObjectManifest } from "../../../model/scaling/workload-manifests";
import { SimulatedScaledObject, simulateScaling } from "../../../model/simulation/control-loop";
import { loadStackConfig } from "../../../scripts/stack-file";
import { ROOT } from "../../support/stack-fixtures";
import { LatencyCurve, simulatedApi } from "./latency-load";

const HOUR = 3600;
const config = loadStackConfig("prod", path.join(ROOT, "Pulumi.prod.yaml"));
const deQueries = buildScalingPlan(config, new Date("2026-03-02T12:00:00Z")).workloads.find(
  (w) => w.territory === "DE" && w.workload === "queries",
)!;
const BUDGET = deQueries.p95BudgetMs / 1000;

/** The ScaledObject as rendered, with another maxReplicas and without the calendar floors. */
function renderedScaledObject(maxReplicas: number): SimulatedScaledObject {
  const spec = scaledObjectManifest({ ...deQueries, maxReplicas }).spec as SimulatedScaledObject;
  return { ...spec, triggers: spec.triggers.filter((t) => t.type === "prometheus") };
}

/** The formula the stack rendered before: RPS × max(1, p95/budget) against the RPS target. */
function oldLatencyGuard(so: SimulatedScaledObject): SimulatedScaledObject {
  return {
    ...so,
    triggers: so.triggers.map((t) =>
      t.name === TRIGGER_NAMES.latencyGuard
        ? {
            ...t,
            metricType: "AverageValue" as const,
            metadata: { ...t.metadata, threshold: String(deQueries.targetRpsPerReplica) },
          }
        : t,
    ),
  };
}

/** A service slower than planned: 70 req/s saturate a pod, so latency, not RPS, decides the count. */
const SLOW_SERVICE: LatencyCurve = { baseSeconds: 0.1, capacityRps: 70 };
const STEADY_RPS = 200;

function run(
  so: SimulatedScaledObject,
  signal: "new" | "old" | "plain",
  rps: number | ((seconds: number) => number) = STEADY_RPS,
  curve = SLOW_SERVICE,
  hours = 3,
) {
  const api = simulatedApi(typeof rps === "number" ? () => rps : rps, curve);
  const ratio = (t: Parameters<typeof api.p95>[0]) => api.p95(t)! / BUDGET;
  const latency = {
    new: (t: Parameters<typeof api.p95>[0]) => latencySignal(ratio(t)),
    plain: ratio,
    old: (t: Parameters<typeof api.p95>[0]) => api.rps(t)! * Math.max(1, ratio(t)),
  }[signal];
  const result = simulateScaling({
    scaledObject: so,
    metrics: { [TRIGGER_NAMES.rps]: api.rps, [TRIGGER_NAMES.latencyGuard]: latency },
    start: new Date("2026-03-02T08:00:00Z"),
    durationSeconds: hours * HOUR,
    syncPeriodSeconds: 15,
    podStartupSeconds: 60,
  });
  const settled = api.p95History.filter((h) => h.seconds >= HOUR);
  let direction = 0;
  let reversals = 0;
  for (const c of result.changes) {
    const d = Math.sign(c.to - c.from);
    if (direction !== 0 && d !== direction) reversals++;
    direction = d;
  }
  return {
    reversals,
    ...result,
    changesAfterFirstHour: result.changes.filter((c) => c.seconds >= HOUR).length,
    overBudgetShare: settled.filter((h) => h.p95 > BUDGET * 1.02).length / settled.length,
    finalReplicas: result.ticks[result.ticks.length - 1].currentReplicas,
  };
}

describe("latency trigger in the HPA control loop", () => {
  it("renders p95 ÷ budget as a Value metric with threshold 1 next to the RPS load trigger", () => {
    const so = renderedScaledObject(8);
    const latency = so.triggers.find((t) => t.name === TRIGGER_NAMES.latencyGuard)!;
    expect(latency.metricType).to.equal("Value");
    expect(latency.metadata.threshold).to.equal("1");
    expect(so.triggers.find((t) => t.name === TRIGGER_NAMES.rps)!.metricType).to.equal("AverageValue");
  });

  it("settles without flapping and meets the budget where maxReplicas allows", () => {
    const r = run(renderedScaledObject(8), "new");
    expect(r.changesAfterFirstHour, JSON.stringify(r.changes)).to.equal(0);
    expect(r.changes.length).to.be.at.most(5);
    expect(r.overBudgetShare).to.equal(0);
    // RPS alone would ask for ⌈200/80⌉ = 3, which is far over budget on this curve.
    expect(r.finalReplicas).to.be.within(5, 8);
  });

  it("holds at maxReplicas without flapping where the budget cannot be met", () => {
    const r = run(renderedScaledObject(4), "new");
    expect(r.changesAfterFirstHour).to.equal(0);
    expect(r.finalReplicas).to.equal(4);
    expect(r.overBudgetShare).to.equal(1);
  });

  it("the old count-independent formula flaps through the same loop", () => {
    const r = run(oldLatencyGuard(renderedScaledObject(8)), "old");
    expect(r.changesAfterFirstHour).to.be.greaterThan(20);
    expect(r.overBudgetShare).to.be.greaterThan(0.2);
  });

  it("a plain p95 ÷ budget without the hold band flaps on a convex latency curve", () => {
    const curve = { baseSeconds: 0.08, capacityRps: 60 };
    const plain = run(renderedScaledObject(12), "plain", 300, curve);
    expect(plain.changesAfterFirstHour).to.be.greaterThan(20);
    const held = run(renderedScaledObject(12), "new", 300, curve);
    expect(held.changesAfterFirstHour).to.equal(0);
    expect(held.overBudgetShare).to.equal(0);
  });

  it("follows a rise and fall of load with one turn at the peak, where the old formula turns over and over", () => {
    // 60 → 300 → 60 req/s over four hours.
    const day = (seconds: number) => 60 + 240 * Math.sin((Math.PI * Math.min(seconds, 4 * HOUR)) / (4 * HOUR)) ** 2;
    const held = run(renderedScaledObject(10), "new", day, SLOW_SERVICE, 4);
    expect(held.reversals, JSON.stringify(held.changes)).to.equal(1);
    expect(held.changes.length).to.be.at.most(12);
    const old = run(oldLatencyGuard(renderedScaledObject(10)), "old", day, SLOW_SERVICE, 4);
    expect(old.reversals).to.be.greaterThan(10);
  });
});
