/**
 * The simulator's HPA and KEDA rules one by one: tolerance, metric types, stabilization, rate limits, fallback, cron
 * floors.
 */
import { expect } from "chai";
import { SimulatedScaledObject, simulateScaling } from "../../../model/simulation/control-loop";
import {
  averageValueProposal,
  scaleDownLimit,
  scaleUpLimit,
  stabilize,
  valueProposal,
} from "../../../model/simulation/hpa-rules";

const up = {
  stabilizationWindowSeconds: 0,
  selectPolicy: "Max" as const,
  policies: [
    { type: "Percent" as const, value: 100, periodSeconds: 30 },
    { type: "Pods" as const, value: 4, periodSeconds: 30 },
  ],
};
const down = {
  stabilizationWindowSeconds: 300,
  selectPolicy: "Max" as const,
  policies: [{ type: "Percent" as const, value: 50, periodSeconds: 60 }],
};
const so = (
  triggers: SimulatedScaledObject["triggers"],
  fallback?: SimulatedScaledObject["fallback"],
): SimulatedScaledObject => ({
  minReplicaCount: 2,
  maxReplicaCount: 10,
  fallback,
  advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleUp: up, scaleDown: down } } },
  triggers,
});
const rps = { type: "prometheus", name: "rps", metricType: "AverageValue" as const, metadata: { threshold: "80" } };
const start = new Date("2026-03-02T08:00:00Z");

describe("control-loop simulator", () => {
  it("follows the HPA's tolerance and the two external metric types", () => {
    expect(averageValueProposal(850, 80, 10)).to.equal(10); // 850/800 within 10 %
    expect(averageValueProposal(900, 80, 10)).to.equal(12); // ⌈900/80⌉, independent of the count
    expect(valueProposal(1.5, 1, 4, 4)).to.equal(6); // ⌈1.5 × 4 ready⌉
    expect(valueProposal(1.5, 1, 4, 2)).to.equal(3); // only ready pods count
    expect(valueProposal(1.05, 1, 4, 4)).to.equal(4);
  });

  it("stabilizes a scale-down on the highest recommendation in the window and limits the rate per period", () => {
    const history = [
      { atSeconds: 0, replicas: 8 },
      { atSeconds: 200, replicas: 4 },
    ];
    expect(stabilize(250, 8, 4, history, up, down)).to.equal(8);
    expect(stabilize(320, 8, 4, history, up, down)).to.equal(4);
    expect(scaleUpLimit(100, 3, [], [], up)).to.equal(7); // max(2 × 3, 3 + 4)
    expect(scaleUpLimit(100, 7, [{ atSeconds: 90, change: 4 }], [], up)).to.equal(7); // period used up
    expect(scaleDownLimit(100, 9, [], [], down)).to.equal(4); // ⌊9 × 0.5⌋
  });

  it("scales up at once, down only after the stabilization window, and counts pods ready after start-up", () => {
    const load = (s: number) => (s < 600 ? 640 : 160);
    const r = simulateScaling({
      scaledObject: so([rps]),
      metrics: { rps: ({ seconds }) => load(seconds) },
      start,
      durationSeconds: 1800,
      podStartupSeconds: 60,
    });
    expect(r.changes[0]).to.include({ seconds: 0, from: 2, to: 6 }); // +4 pods beats +100 %
    expect(r.ticks.find((t) => t.seconds === 45)!.readyReplicas).to.equal(2);
    const firstDown = r.changes.find((c) => c.to < c.from)!;
    // The last high recommendation came at 585 s; it leaves the 300 s window at 885 s.
    expect(firstDown.seconds).to.equal(585 + 300);
    expect(r.ticks[r.ticks.length - 1].currentReplicas).to.equal(2);
  });

  const fallbackAfterFailure =
    "holds the count while a metric fails, then KEDA's fallback acts (currentReplicasIfHigher never scales in)";
  it(fallbackAfterFailure, () => {
    const metrics = { rps: ({ seconds }: { seconds: number }) => (seconds < 300 ? 640 : undefined) };
    const held = simulateScaling({ scaledObject: so([rps]), metrics, start, durationSeconds: 1200 });
    expect(held.ticks[held.ticks.length - 1].currentReplicas).to.equal(8);
    expect(held.ticks.filter((t) => t.seconds >= 300).every((t) => t.proposals.rps === undefined)).to.equal(true);

    const staticFallback = simulateScaling({
      scaledObject: so([rps], { failureThreshold: 3, replicas: 3 }),
      metrics,
      start,
      durationSeconds: 1200,
    });
    expect(staticFallback.ticks[staticFallback.ticks.length - 1].currentReplicas).to.equal(3);
    const ifHigher = simulateScaling({
      scaledObject: so([rps], { failureThreshold: 3, replicas: 3, behavior: "currentReplicasIfHigher" }),
      metrics,
      start,
      durationSeconds: 1200,
    });
    expect(ifHigher.ticks[ifHigher.ticks.length - 1].currentReplicas).to.equal(8);
  });

  it("evaluates cron triggers from their schedule as floors", () => {
    const cron = {
      type: "cron",
      name: "business-hours",
      metadata: { timezone: "Europe/Berlin", start: "0 9 * * 1-5", end: "0 18 * * 1-5", desiredReplicas: "5" },
    };
    const r = simulateScaling({
      scaledObject: so([rps, cron]),
      metrics: { rps: () => 0 },
      start,
      durationSeconds: 3 * 3600,
    });
    // 08:00 UTC is 09:00 in Berlin on 2 March (CET): the floor applies from the first tick.
    expect(r.changes[0]).to.include({ seconds: 0, to: 5, reason: "business-hours" });
  });
});
