/** Config mistakes that used to pass validation and break scaling in the cluster: each must be reported with a fix. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { ConfigError } from "../../../model/config/issues";
import { rawConfigFromEntries, validateConfig } from "../../../model/config/validate";
import { buildStackPlan } from "../../../model/stack-plan";
import { loadStackConfig, readStackFile } from "../../../scripts/stack-file";
import { ROOT, rawStackConfig, stackFile } from "../../support/stack-fixtures";

function problems(raw: unknown): string[] {
  try {
    validateConfig(raw);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.issues.map((i) => `${i.path}: expected ${i.expected}`);
  }
}

/** The prod entries with one key renamed, as `pulumi.runtime.allConfig()` or the stack file reader hand them over. */
function entriesWith(rename: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  const entries = { ...stackFile("prod").entries, ...extra };
  for (const [from, to] of Object.entries(rename)) {
    entries[to] = entries[from];
    delete entries[from];
  }
  return entries;
}

describe("config mistakes that must not pass", () => {
  describe("time zones KEDA cannot load", () => {
    it("rejects a zone in the wrong case and suggests the canonical spelling", () => {
      const raw = rawStackConfig("prod");
      raw.territories.DE.timeZone = "europe/berlin";
      expect(problems(raw).join("\n"))
        .to.contain("territories.DE.timeZone: expected an IANA time zone spelled exactly as in the tz database")
        .and.contain("did you mean Europe/Berlin?");
    });

    it("rejects aliases and fixed offsets, suggesting the canonical name where there is one", () => {
      const zoneProblem = (zone: string) => {
        const raw = rawStackConfig("prod");
        raw.territories.CH.timeZone = zone;
        return problems(raw).join("\n");
      };
      expect(zoneProblem("US/Eastern")).to.contain("did you mean its canonical name America/New_York?");
      expect(zoneProblem("Etc/UTC")).to.contain("did you mean its canonical name UTC?");
      expect(zoneProblem("utc")).to.contain("did you mean UTC?");
      expect(zoneProblem("+01:00")).to.contain("territories.CH.timeZone: expected an IANA time zone");
      for (const zone of ["Europe/Zurich", "America/New_York", "Asia/Tokyo", "UTC"])
        expect(zoneProblem(zone), zone).to.equal("");
    });
  });

  describe("keys outside the project namespace", () => {
    it("reports a misspelt project namespace instead of dropping the season calendar", () => {
      const found = problems(
        rawConfigFromEntries(entriesWith({ "freshplan-scaling:seasons": "freshplan-scalng:seasons" })),
      );
      expect(found.join("\n")).to.contain(
        "freshplan-scalng:seasons: expected a key under the project namespace freshplan-scaling: (did you mean " +
          "freshplan-scaling:seasons?)",
      );
    });

    it("reports keys without a namespace and near-misses for alerts, capacity and campaigns", () => {
      const entries = entriesWith(
        {},
        { alerts: "{}", "freshplan-scailing:capacity": "{}", "Freshplan-Scaling:campaigns": "[]" },
      );
      const found = problems(rawConfigFromEntries(entries)).join("\n");
      expect(found).to.contain(
        "alerts: expected a key under the project namespace freshplan-scaling: (did you mean " +
          "freshplan-scaling:alerts?)",
      );
      expect(found).to.contain(
        "freshplan-scailing:capacity: expected a key under the project namespace freshplan-scaling: (did you " +
          "mean freshplan-scaling:capacity?)",
      );
      expect(found).to.contain(
        "Freshplan-Scaling:campaigns: expected a key under the project namespace freshplan-scaling: (did you " +
          "mean freshplan-scaling:campaigns?)",
      );
    });

    it("leaves Pulumi's and the providers' namespaces alone", () => {
      const entries = entriesWith(
        {},
        { "pulumi:template": "x", "kubernetes:context": "prod", "postgresql:sslmode": "require", "random:seed": "1" },
      );
      expect(problems(rawConfigFromEntries(entries))).to.deep.equal([]);
    });

    it("reports the namespace typo through the stack file reader too", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-ns-"));
      const file = path.join(dir, "Pulumi.prod.yaml");
      const shipped = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
      expect(shipped).to.contain("freshplan-scaling:seasons:");
      fs.writeFileSync(file, shipped.replace("freshplan-scaling:seasons:", "freshplan-scalng:seasons:"));
      expect(() => loadStackConfig("prod", file)).to.throw(
        ConfigError,
        /freshplan-scalng:seasons .*did you mean freshplan-scaling:seasons\?/,
      );
    });
  });

  describe("territory codes", () => {
    it("says a lower-case territory key is not a code and suggests the upper-case one", () => {
      const raw = rawStackConfig("prod");
      raw.territories.at = raw.territories.AT;
      delete raw.territories.AT;
      raw.seasons[1].floors.ch = raw.seasons[1].floors.CH;
      delete raw.seasons[1].floors.CH;
      const found = problems(raw).join("\n");
      expect(found).to.contain(
        'territories.at: expected a territory code such as DE, CH, AT or DE-BY; "at" is not one (did you mean AT?)',
      );
      expect(found).to.contain(
        'seasons[1].floors.ch: expected a territory code such as DE, CH, AT or DE-BY; "ch" is not one (did you ' +
          "mean CH?)",
      );
    });
  });

  describe("YAML syntax errors", () => {
    it("names the file as given, the line and the column, and shows the line", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-yaml-"));
      const file = path.join(dir, "Pulumi.prod.yaml");
      fs.writeFileSync(
        file,
        "config:\n  freshplan-scaling:namespace: freshplan\n  freshplan-scaling:territories:\n    DE: {timeZone: " +
          '"Europe/Berlin"\n    CH: 1\n',
      );
      expect(() => readStackFile("prod", file))
        .to.throw(`${file}:5:5: YAML syntax error`)
        .with.property("message")
        .that.contains("  5 |     CH: 1\n    |     ^");
    });
  });

  describe("seasons and campaigns that never take effect", () => {
    const NOW = new Date("2026-11-23T00:00:00Z");

    it("warns in the plan about a campaign always masked by a higher season floor", () => {
      const raw = rawStackConfig("prod");
      raw.campaigns = [
        {
          name: "wiesn-promo",
          firstDay: "2027-09-10",
          lastDay: "2027-09-20",
          loadMultiplier: 2,
          floors: { DE: { queries: 5 } },
        },
      ];
      const warnings = buildStackPlan(validateConfig(raw), NOW).warnings;
      expect(warnings).to.include(
        'DE queries: campaign "wiesn-promo" (floor 5) never takes effect: on every day it holds, season ' +
          '"oktoberfest" (floor 6) already holds the same or a higher floor; remove it or raise its floor',
      );
    });

    it("warns about a season whose floor equals the one already held, and about one at minReplicas", () => {
      const raw = rawStackConfig("prod");
      raw.seasons.push({
        name: "herbst",
        firstDay: "09-01",
        lastDay: "09-30",
        loadMultiplier: 2,
        floors: { DE: { queries: 2, commands: 4 } },
      });
      const warnings = buildStackPlan(validateConfig(raw), NOW).warnings.join("\n");
      expect(warnings).to.contain(
        'DE queries: season "herbst" (floor 2) never takes effect: its floor is not above ' +
          "territories.DE.queries.minReplicas = 2",
      );
      expect(warnings).to.contain(
        'DE commands: season "herbst" (floor 4) never takes effect: on every day it holds, season "oktoberfest" ' +
          "(floor 4) already holds",
      );
    });

    it("stays quiet for a window that raises the floor on at least one day, and for the shipped stacks", () => {
      const raw = rawStackConfig("prod");
      raw.campaigns = [
        {
          name: "late-wiesn",
          firstDay: "2027-10-10",
          lastDay: "2027-10-20",
          loadMultiplier: 2,
          floors: { DE: { queries: 5 } },
        },
      ];
      expect(
        buildStackPlan(validateConfig(raw), NOW).warnings.filter((w) => w.includes("never takes effect")),
      ).to.deep.equal([]);
      for (const stack of ["prod", "staging"])
        expect(
          buildStackPlan(validateConfig(rawStackConfig(stack)), NOW).warnings.filter((w) =>
            w.includes("never takes effect"),
          ),
        ).to.deep.equal([]);
    });
  });
});
