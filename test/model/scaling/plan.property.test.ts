/**
 * Property tests of the scaling plan: random configs either validate into floors within [min, max] or fail naming the
 * path.
 */
import { expect } from "chai";
import fc from "fast-check";
import { ConfigError } from "../../../model/config/issues";
import { validateConfig } from "../../../model/config/validate";
import { buildScalingPlan } from "../../../model/scaling/plan";
import { scaledObjectManifest } from "../../../model/scaling/workload-manifests";
import { rawStackConfig } from "../../support/stack-fixtures";

const TERRITORIES = { DE: "Europe/Berlin", CH: "Europe/Zurich", AT: "Europe/Vienna", IT: "Europe/Rome" } as const;
const pad = (n: number) => String(n).padStart(2, "0");

const capacity = fc
  .record({ min: fc.integer({ min: 1, max: 4 }), extra: fc.integer({ min: 0, max: 6 }) })
  .chain(({ min, extra }) =>
    fc.record({
      minReplicas: fc.constant(min),
      maxReplicas: fc.constant(min + extra),
      targetRpsPerReplica: fc.integer({ min: 1, max: 200 }),
      // Budgets must be SLO buckets the API exports (alerts.sloBucketsMs).
      p95BudgetMs: fc.constantFrom(100, 200, 300, 350, 500),
      baselinePeakRps: fc.integer({ min: 1, max: 500 }),
      businessHours: fc.option(
        fc.record({
          days: fc.subarray(["mon", "tue", "wed", "thu", "fri", "sat"], { minLength: 1 }),
          start: fc.integer({ min: 0, max: 11 }).map((h) => `${pad(h)}:00`),
          end: fc.integer({ min: 12, max: 23 }).map((h) => `${pad(h)}:30`),
          floor: fc.integer({ min: 1, max: min + extra + 1 }),
        }),
        { nil: undefined },
      ),
    }),
  );

const monthDay = fc
  .record({ m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) })
  .map(({ m, d }) => `${pad(m)}-${pad(d)}`);
type Capacity = { minReplicas: number; maxReplicas: number };
// Floors mostly inside [min, max], sometimes one outside, so both sides of the rule are exercised.
const floorFor = (c: Capacity) =>
  fc.option(fc.integer({ min: c.minReplicas - 1, max: c.maxReplicas + 1 }), { nil: undefined, freq: 3 });

const config = fc
  .subarray(Object.keys(TERRITORIES) as (keyof typeof TERRITORIES)[], { minLength: 1 })
  .chain((codes) =>
    fc.record(
      Object.fromEntries(
        codes.map((c) => [
          c,
          fc.record({ timeZone: fc.constant(TERRITORIES[c]), queries: capacity, commands: capacity }),
        ]),
      ),
    ),
  )
  .chain((territories) =>
    fc.record({
      territories: fc.constant(territories),
      seasons: fc.array(
        fc.record({
          firstDay: monthDay,
          lastDay: monthDay,
          leadDays: fc.integer({ min: 0, max: 30 }),
          loadMultiplier: fc.integer({ min: 1, max: 5 }),
          floors: fc.record(
            Object.fromEntries(
              Object.entries(territories).map(([code, t]) => [
                code,
                fc.record({ queries: floorFor(t.queries), commands: floorFor(t.commands) }),
              ]),
            ),
          ),
        }),
        { maxLength: 3 },
      ),
    }),
  )
  .map(({ territories, seasons }) => {
    const raw = rawStackConfig("prod");
    raw.workloads.queries.scaling.fallbackReplicas = 1;
    raw.workloads.commands.scaling.fallbackReplicas = 1;
    // Optional fields left undefined are dropped, as a YAML file would simply not have them.
    const defined = (o: unknown) => JSON.parse(JSON.stringify(o));
    return {
      ...raw,
      territories: defined(territories),
      seasons: defined(seasons.map((s, i) => ({ name: `season-${i}`, ...s }))),
      campaigns: [],
    };
  });

describe("scaling plan properties (fast-check)", () => {
  const floorsWithinBounds =
    "a valid config yields ScaledObjects whose every floor lies within [min, max]; an invalid one is a ConfigError";
  it(floorsWithinBounds, () => {
    let valid = 0;
    fc.assert(
      fc.property(config, (raw) => {
        let parsed;
        try {
          parsed = validateConfig(raw);
        } catch (e) {
          expect(e).to.be.instanceOf(ConfigError);
          return;
        }
        valid++;
        for (const w of buildScalingPlan(parsed, new Date("2026-11-23T00:00:00Z")).workloads) {
          const spec = scaledObjectManifest(w).spec as {
            minReplicaCount: number;
            maxReplicaCount: number;
            triggers: { type: string; metadata: Record<string, unknown> }[];
          };
          expect(spec.minReplicaCount).to.be.at.most(spec.maxReplicaCount);
          for (const t of spec.triggers) {
            for (const value of Object.values(t.metadata)) expect(value).to.be.a("string");
            if (t.type !== "cron") continue;
            const floor = Number(t.metadata.desiredReplicas);
            expect(floor).to.be.within(spec.minReplicaCount, spec.maxReplicaCount);
          }
        }
      }),
      { numRuns: 800 },
    );
    // The generator must exercise the valid side too, or the property says nothing.
    expect(valid).to.be.greaterThan(20);
  });

  it("a floor outside [min, max] is always reported, naming its path", () => {
    fc.assert(
      fc.property(config, fc.integer({ min: 0, max: 20 }), (raw, floor) => {
        const code = Object.keys(raw.territories)[0];
        const { minReplicas, maxReplicas } = raw.territories[code].queries;
        fc.pre(floor < minReplicas || floor > maxReplicas);
        raw.seasons = [
          {
            name: "probe",
            firstDay: "05-01",
            lastDay: "05-31",
            loadMultiplier: 2,
            floors: { [code]: { queries: floor } },
          },
        ];
        expect(() => validateConfig(raw)).to.throw(
          ConfigError,
          `seasons[0].floors.${code}.queries (season "probe") = ${floor}`,
        );
      }),
      { numRuns: 200 },
    );
  });
});
