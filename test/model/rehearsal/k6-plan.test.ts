/** The k6 rehearsal load: the seed's stages scaled to a season's forecast, weighted by each territory's baseline. */
import { expect } from "chai";
import { validateConfig } from "../../../model/config/validate";
import { REHEARSAL_STAGES, buildK6Plan } from "../../../model/rehearsal/k6-plan";
import { rawStackConfig } from "../../support/stack-fixtures";

const prod = validateConfig(rawStackConfig("prod"));
const paths = { queries: "/cockpit", commands: "/api/commands" };

describe("k6 rehearsal plan", () => {
  it("follows the seed: 5 min to normal, 5 min to the peak, 10 min at the peak, 5 min back", () => {
    const plan = buildK6Plan(prod, { season: "oktoberfest", paths });
    const de = plan.scenarios.find((s) => s.name === "queries_de")!;
    // DE queries: baseline 60 rps, oktoberfest ×4 → 240 rps.
    expect(de.stages).to.deep.equal([
      { duration: "5m", target: 60 },
      { duration: "5m", target: 240 },
      { duration: "10m", target: 240 },
      { duration: "5m", target: 60 },
    ]);
    expect(REHEARSAL_STAGES.reduce((m, s) => m + s.minutes, 0)).to.equal(25);
    expect(de).to.include({ territory: "DE", workload: "queries", p95BudgetMs: 300, method: "GET", path: "/cockpit" });
  });

  it("raises only the territories the season applies to (a regional season)", () => {
    const plan = buildK6Plan(prod, { season: "oktoberfest", paths });
    expect(plan.seasonTerritories).to.deep.equal(["DE"]);
    const ch = plan.scenarios.find((s) => s.name === "commands_ch")!;
    expect([ch.normalRps, ch.peakRps]).to.deep.equal([9, 9]);
    const weihnachten = buildK6Plan(prod, { season: "weihnachten", paths });
    expect(weihnachten.scenarios.find((s) => s.name === "commands_at")!.peakRps).to.equal(4.5 * 5);
  });

  it("weights territories by their share of the baseline peak RPS", () => {
    const plan = buildK6Plan(prod, { season: "weihnachten", paths });
    // DE 60 + 18, CH 35 + 9, AT 18 + 4.5 of 144.5 rps.
    expect(plan.shares).to.deep.equal({ DE: 0.54, CH: 0.3, AT: 0.16 });
  });

  it("takes --multiplier and --scale, and leaves out a workload without a path", () => {
    const plan = buildK6Plan(prod, { season: "spargel", multiplier: 5, scale: 0.1, paths: { queries: "/cockpit" } });
    expect(plan.scenarios.map((s) => s.workload)).to.deep.equal(["queries", "queries", "queries"]);
    const de = plan.scenarios.find((s) => s.territory === "DE")!;
    expect([de.normalRps, de.peakRps]).to.deep.equal([6, 30]);
  });

  it("rejects an unknown season and a scale above 1, naming the flag", () => {
    expect(() => buildK6Plan(prod, { season: "fasching", paths })).to.throw(
      "--season fasching: expected one of oktoberfest, weihnachten, spargel",
    );
    expect(() => buildK6Plan(prod, { season: "spargel", scale: 2, paths })).to.throw("--scale 2");
  });
});
