/**
 * Trigger order and names on the rendered ScaledObjects: KEDA names metrics by trigger index, so a season must not
 * renumber the load triggers.
 */
import { expect } from "chai";
import { validateConfig } from "../../../model/config/validate";
import { buildScalingPlan } from "../../../model/scaling/plan";
import { scaledObjectManifest } from "../../../model/scaling/workload-manifests";
import { rawStackConfig } from "../../support/stack-fixtures";

const NOW = new Date("2026-03-02T12:00:00Z");
const triggersOf = (raw: Record<string, any>) => {
  const w = buildScalingPlan(validateConfig(raw), NOW).workloads.find(
    (x) => x.territory === "DE" && x.workload === "queries",
  )!;
  return (
    scaledObjectManifest(w).spec as { triggers: { type: string; name: string; metadata: Record<string, string> }[] }
  ).triggers;
};

describe("ScaledObject trigger order", () => {
  it("puts the load triggers first, so adding or removing a season leaves their index and spec unchanged", () => {
    const raw = rawStackConfig("prod");
    const before = triggersOf(raw);
    expect(before.slice(0, 2).map((t) => t.name)).to.deep.equal(["rps", "p95-latency-guard"]);
    raw.seasons.unshift({
      name: "grillsaison",
      firstDay: "05-15",
      lastDay: "08-31",
      leadDays: 7,
      loadMultiplier: 2,
      floors: { DE: { queries: 4 } },
    });
    const after = triggersOf(raw);
    expect(after.length).to.equal(before.length + 1);
    expect(after.slice(0, 2)).to.deep.equal(before.slice(0, 2));
  });
});
