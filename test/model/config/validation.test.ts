/**
 * Stack config validation: every rule's message names the path, the value and the expectation, all problems at once.
 */
import { expect } from "chai";
import { ConfigError } from "../../../model/config/issues";
import { validateConfig } from "../../../model/config/validate";
import { rawStackConfig } from "../../support/stack-fixtures";

/** The validation messages for a raw config, or [] when it is valid. */
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

describe("stack config validation", () => {
  it("accepts the shipped prod and staging configs", () => {
    expect(problems(rawStackConfig("prod"))).to.deep.equal([]);
    expect(problems(rawStackConfig("staging"))).to.deep.equal([]);
  });

  it("rejects minReplicas above maxReplicas, naming both", () => {
    const raw = rawStackConfig("prod");
    raw.territories.CH.queries.minReplicas = 5;
    expect(problems(raw)).to.include(
      "territories.CH.queries.minReplicas = 5: expected at most territories.CH.queries.maxReplicas = 4",
    );
  });

  it("rejects a season floor above the territory's max, naming the season", () => {
    const raw = rawStackConfig("prod");
    raw.seasons[1].floors.CH.queries = 6;
    expect(problems(raw)).to.include(
      'seasons[1].floors.CH.queries (season "weihnachten") = 6: expected at most ' +
        "territories.CH.queries.maxReplicas = 4; raise the max or lower the floor",
    );
  });

  it("rejects a floor below minReplicas, which would have no effect", () => {
    const raw = rawStackConfig("prod");
    raw.seasons[0].floors.DE.queries = 1;
    expect(problems(raw).join("\n")).to.match(
      /seasons\[0\]\.floors\.DE\.queries .*= 1: expected at least territories\.DE\.queries\.minReplicas = 2/,
    );
  });

  it("rejects a season for a territory that does not exist", () => {
    const raw = rawStackConfig("prod");
    raw.seasons[2].floors.IT = { queries: 2 };
    expect(problems(raw)).to.include(
      'seasons[2].floors.IT (season "spargel") = {"queries":2}: expected a territory defined under territories ' +
        "(DE, CH, AT)",
    );
  });

  it("rejects an invalid time zone", () => {
    const raw = rawStackConfig("prod");
    raw.territories.AT.timeZone = "Europe/Wien";
    expect(problems(raw)).to.include(
      'territories.AT.timeZone = "Europe/Wien": expected an IANA time zone spelled exactly as in the tz ' +
        "database, such as Europe/Berlin or Europe/Zurich",
    );
  });

  it("rejects impossible days in seasons and campaigns", () => {
    const raw = rawStackConfig("prod");
    raw.seasons[0].lastDay = "02-30";
    raw.campaigns = [
      {
        name: "leap",
        firstDay: "2027-02-29",
        lastDay: "2027-03-02",
        loadMultiplier: 2,
        floors: { DE: { queries: 3 } },
      },
    ];
    const found = problems(raw);
    expect(found).to.include(
      'seasons[0].lastDay (season "oktoberfest") = "02-30": expected a recurring day MM-DD that exists (01-01 … ' +
        "12-31; 02-30 does not)",
    );
    expect(found).to.include(
      'campaigns[0].firstDay (campaign "leap") = "2027-02-29": expected a date YYYY-MM-DD that exists ' +
        "(2026-02-29 does not)",
    );
  });

  it("rejects a recurring window starting on 02-29, which fires only in leap years", () => {
    const raw = rawStackConfig("prod");
    raw.seasons[2].firstDay = "02-29";
    expect(problems(raw).join("\n")).to.contain(
      'seasons[2].firstDay (season "spargel") = "02-29": expected a day every year has',
    );
  });

  it("rejects duplicate season and campaign names (they become trigger names)", () => {
    const raw = rawStackConfig("prod");
    raw.seasons[2].name = "oktoberfest";
    raw.campaigns = [
      {
        name: "weihnachten",
        firstDay: "2027-01-10",
        lastDay: "2027-01-12",
        loadMultiplier: 2,
        floors: { DE: { queries: 3 } },
      },
    ];
    const found = problems(raw);
    expect(found).to.include(
      'seasons[2].name (season "oktoberfest") = "oktoberfest": expected a name not already used by seasons[0]',
    );
    expect(found).to.include(
      'campaigns[0].name (campaign "weihnachten") = "weihnachten": expected a name not already used by seasons[1]',
    );
  });

  it("rejects territory codes that collide once lower-cased", () => {
    const raw = rawStackConfig("staging");
    raw.territories["DE-BY"] = raw.territories.DE;
    raw.territories["de-by"] = raw.territories.DE;
    expect(problems(raw).join("\n")).to.contain(
      'territories.de-by = "de-by": expected a territory code distinct from "DE-BY"',
    );
  });

  it("rejects non-positive RPS targets and latency budgets", () => {
    const raw = rawStackConfig("prod");
    raw.territories.DE.queries.targetRpsPerReplica = 0;
    raw.territories.AT.commands.p95BudgetMs = -350;
    const found = problems(raw);
    expect(found).to.include("territories.DE.queries.targetRpsPerReplica = 0: expected requests per second > 0");
    expect(found).to.include("territories.AT.commands.p95BudgetMs = -350: expected milliseconds > 0");
  });

  it("rejects business hours that end before they start", () => {
    const raw = rawStackConfig("prod");
    raw.territories.DE.queries.businessHours.end = "06:00";
    expect(problems(raw)).to.include(
      'territories.DE.queries.businessHours.end = "06:00": expected a time after businessHours.start = "07:00" ' +
        "(windows do not wrap midnight)",
    );
  });

  it("reports missing required fields with what is expected", () => {
    const raw = rawStackConfig("prod");
    delete raw.territories.CH.commands.maxReplicas;
    delete raw.prometheus.serverAddress;
    const found = problems(raw);
    expect(found).to.include("territories.CH.commands.maxReplicas is missing: expected an integer ≥ 1");
    expect(found).to.include("prometheus.serverAddress is missing: expected an http(s) URL");
  });

  it("treats unknown keys (typos) as errors and suggests the known key", () => {
    const raw = rawStackConfig("prod");
    raw.territories.DE.queries.maxReplica = 8;
    raw.seasons[0].leadDay = 7;
    const found = problems(raw).join("\n");
    expect(found).to.contain("territories.DE.queries.maxReplica = 8: expected no such key (did you mean maxReplicas?)");
    expect(found).to.contain(
      'seasons[0].leadDay (season "oktoberfest") = 7: expected no such key (did you mean leadDays?)',
    );
  });

  it("reports every problem at once", () => {
    const raw = rawStackConfig("prod");
    raw.territories.CH.queries.minReplicas = 5;
    raw.territories.AT.timeZone = "Mars/Olympus";
    raw.seasons[0].firstDay = "13-01";
    raw.workloads.queries.scaling.scaleDownStabilizationSeconds = 60;
    expect(problems(raw)).to.have.length(4);
  });

  it("accepts numbers written as strings by `pulumi config set --path`", () => {
    const raw = rawStackConfig("prod");
    raw.territories.DE.queries.maxReplicas = "8";
    raw.seasons[0].floors.DE.queries = "7";
    raw.seasons[0].leadDays = "10";
    raw.seasons[0].phases[0].fromDaysBefore = "10";
    const config = validateConfig(raw);
    expect(config.territories.DE.queries.maxReplicas).to.equal(8);
    expect(config.seasons[0].floors.DE.queries).to.equal(7);
    expect(config.seasons[0].leadDays).to.equal(10);
  });

  it("rejects a fallback that some territory's max cannot hold", () => {
    const raw = rawStackConfig("prod");
    raw.workloads.commands.scaling.fallbackReplicas = 3;
    expect(problems(raw)).to.include(
      "workloads.commands.scaling.fallbackReplicas = 3: expected at most territories.AT.commands.maxReplicas = 2",
    );
  });

  it("rejects a campaign that ends before it starts", () => {
    const raw = rawStackConfig("staging");
    raw.campaigns[0].lastDay = "2027-03-01";
    expect(problems(raw).join("\n")).to.contain(
      'campaigns[0].lastDay (campaign "spring-promo-rehearsal") = "2027-03-01": expected a date on or after firstDay',
    );
  });

  it("reports a budget off the SLO buckets together with an unrelated missing field (one route for every rule)", () => {
    const raw = rawStackConfig("prod");
    raw.territories.DE.queries.p95BudgetMs = 220;
    delete raw.territories.CH.queries.maxReplicas;
    const found = problems(raw);
    expect(found).to.have.length(2);
    expect(found[0]).to.match(/^territories\.CH\.queries\.maxReplicas is missing: expected an integer ≥ 1$/);
    expect(found[1]).to.match(/^territories\.DE\.queries\.p95BudgetMs = 220: expected one of the SLO buckets/);
  });

  it("rejects a notify-queue warning threshold at or above the critical one", () => {
    const raw = rawStackConfig("prod") as Record<string, any>;
    raw.alerts = { notifyQueueWarning: "0.96" };
    expect(problems(raw)).to.deep.equal([
      'alerts.notifyQueueWarning = "0.96": expected below alerts.notifyQueueCritical = 0.95',
    ]);
  });
});
