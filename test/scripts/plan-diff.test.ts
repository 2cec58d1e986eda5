// The plan diff of config edits (moved season, raised max, new territory, removed campaign, unchanged) and its command
// line.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { rawConfigFromEntries, validateConfig } from "../../model/config/validate";
import { PlanDiff, PlanSide, diffPeriod, diffPlans } from "../../model/plan-diff/plan-diff";
import { buildStackPlan } from "../../model/stack-plan";
import { runStack } from "../../scripts/mock-runtime";
import { planObjectsOf } from "../../scripts/plan-base";
import { renderPlanDiff } from "../../scripts/render/plan-diff";
import { ROOT, rawStackConfig, stackFileFrom, writeStackFile } from "../support/stack-fixtures";

const NOW = new Date("2026-11-23T00:00:00Z");

async function side(stack: string, raw: Record<string, any>): Promise<PlanSide> {
  const file = stackFileFrom(stack, raw);
  const plan = buildStackPlan(validateConfig(rawConfigFromEntries(file.entries), "test"), NOW);
  return { objects: planObjectsOf(await runStack(file)), plan };
}

const shipped: Record<string, PlanSide> = {};
/** The diff an edit of a shipped stack config makes, as data and as the Markdown the CLI prints. */
async function edited(
  stack: string,
  edit: (raw: Record<string, any>) => void,
): Promise<{ diff: PlanDiff; markdown: string }> {
  process.env.FRESHPLAN_PLAN_DATE = NOW.toISOString();
  shipped[stack] ??= await side(stack, rawStackConfig(stack));
  const raw = rawStackConfig(stack);
  edit(raw);
  const after = await side(stack, raw);
  const diff = diffPlans(shipped[stack], after, diffPeriod(after.plan, NOW));
  return { diff, markdown: renderPlanDiff(diff, { stack, base: "the shipped config", planDate: NOW }) };
}

const sentences = (d: PlanDiff) =>
  d.workloads.flatMap((w) => w.sentences.map((s) => `${w.territory}${w.workload ? ` ${w.workload}` : ""}: ${s}`));
const changedPaths = (d: PlanDiff, name: string) =>
  d.objects.changed.find((c) => c.name.endsWith(`/${name}`))?.changes.map((c) => c.path) ?? [];

describe("plan diff: what a config edit does", () => {
  it("a moved season: the floor's new window in words, the trigger's start, more replica-hours", async () => {
    const { diff, markdown } = await edited(
      "prod",
      (raw) => (raw.seasons.find((s: any) => s.name === "spargel").leadDays = 7),
    );
    expect(sentences(diff)).to.deep.equal([
      "DE queries: spargel floor 4 now from 03-25 instead of 04-01",
      "DE commands: spargel floor 3 now from 03-25 instead of 04-01",
    ]);
    expect(changedPaths(diff, "freshplan-api-queries-de")).to.deep.equal([
      "spec.triggers[season-spargel].metadata.start",
    ]);
    expect(markdown).to.contain("- `spec.triggers[season-spargel].metadata.start`: `0 0 1 4 *` → `0 0 25 3 *`");
    // DE commands (no business hours): 7 more days of floor 3 over min 1, 167 h in Berlin (the clocks go
    // forward on 29 March). DE queries gains less: its business-hours floor holds part of those days anyway.
    const lanes = diff.capacity!.lanes;
    const delta = (workload: string) =>
      lanes.filter((l) => l.workload === workload).map((l) => l.after! - l.before!)[0];
    expect(delta("commands")).to.equal((7 * 24 - 1) * (3 - 1));
    expect(delta("queries"))
      .to.be.greaterThan(0)
      .and.lessThan(7 * 24 * (4 - 2));
    expect(diff.capacity!.total.after - diff.capacity!.total.before).to.equal(delta("commands") + delta("queries"));
    expect(markdown).to.match(/\| DE \| commands \| [\d,]+ \| [\d,]+ \| \+334 \(\+[\d.]+ %\) \|/);
  });

  it("a raised max: the min/max sentence and the ScaledObject's maxReplicaCount, no cost change", async () => {
    const { diff, markdown } = await edited("prod", (raw) => (raw.territories.CH.queries.maxReplicas = 6));
    expect(sentences(diff)).to.deep.equal(["CH queries: maxReplicas 4 → 6"]);
    expect(changedPaths(diff, "freshplan-api-queries-ch")).to.deep.equal(["spec.maxReplicaCount"]);
    expect(diff.capacity!.lanes).to.deep.equal([]);
    expect(markdown).to.contain("**CH queries**: maxReplicas 4 → 6");
  });

  it("a new territory: its workloads, objects and alerts added, its replica-hours counted from nothing", async () => {
    const { diff, markdown } = await edited("prod", (raw) => {
      raw.territories.FR = { ...structuredClone(raw.territories.AT), timeZone: "Europe/Paris" };
      raw.seasons.find((s: any) => s.name === "weihnachten").floors.FR = { queries: 3, commands: 2 };
    });
    const said = sentences(diff).filter((s) => s.startsWith("FR"));
    expect(said[0]).to.equal(
      "FR: new territory (Europe/Paris): queries 1–3 replicas at 40 rps/replica, floors weihnachten 3 (11-01 " +
        "→ 12-31); commands 1–2 replicas at 15 rps/replica, floors weihnachten 2 (11-01 → 12-31)",
    );
    expect(said, said.join("\n")).to.include(
      "FR queries: alerts added: FreshplanApiLatencyBudgetBurn (critical), FreshplanApiLatencyBudgetBurn " +
        "(warning), FreshplanApiP95AboveBudget (warning), FreshplanApiP95Emergency (critical), " +
        "FreshplanScaledToMax (critical), FreshplanPreScaleWithoutLoad " +
        "(info), FreshplanApiMetricsMissing (critical)",
    );
    expect(said.filter((s) => s.startsWith("FR commands: alerts added: "))).to.have.length(1);
    for (const kind of ["Deployment", "Service", "PodDisruptionBudget", "ScaledObject"]) {
      expect(diff.objects.added).to.deep.include({ kind, name: "freshplan-production/freshplan-api-queries-fr" });
    }
    expect(diff.capacity!.lanes.filter((l) => l.territory === "FR").map((l) => l.before)).to.deep.equal([
      undefined,
      undefined,
    ]);
    // A year at min 1, plus the weihnachten days in the year (11-23 … 12-31 and 11-01 … 11-22: 61) at 3 instead
    // of 1.
    const fr = (365 * 24 + 61 * 24 * 2).toLocaleString("en-US");
    expect(markdown).to.contain(`| FR | queries | — | ${fr} | +${fr} |`);
  });

  it("a removed campaign: its floor removed in words and its trigger gone", async () => {
    const { diff } = await edited("staging", (raw) => (raw.campaigns = []));
    expect(sentences(diff)).to.deep.equal([
      "DE queries: campaign spring-promo-rehearsal floor 2 removed (was 2027-03-15 → 2027-03-19)",
      // The pre-scale alert selects the season and campaign triggers by name.
      "DE queries: alert changed (expression or duration): FreshplanPreScaleWithoutLoad (info)",
    ]);
    expect(changedPaths(diff, "freshplan-api-queries-de")).to.deep.equal([
      "spec.triggers[campaign-spring-promo-rehearsal]",
    ]);
  });

  it("a capacity finding that appears: a season the max cannot carry", async () => {
    const { diff, markdown } = await edited(
      "prod",
      (raw) => (raw.seasons.find((s: any) => s.name === "weihnachten").loadMultiplier = 8),
    );
    expect(
      diff.capacity!.appeared.some((f) => f.startsWith("capacity shortfall: CH queries, season weihnachten")),
    ).to.equal(true);
    expect(markdown).to.contain("- new: capacity shortfall: CH queries, season weihnachten");
  });

  it("a new stack (no config at the base): every object and territory added", async () => {
    process.env.FRESHPLAN_PLAN_DATE = NOW.toISOString();
    shipped.staging ??= await side("staging", rawStackConfig("staging"));
    const diff = diffPlans({ objects: [] }, shipped.staging, diffPeriod(shipped.staging.plan, NOW), false);
    expect(diff.objects.added).to.have.length(shipped.staging.objects.length);
    expect(
      diff.workloads.filter((w) => w.sentences[0].startsWith("new territory")).map((w) => w.territory),
    ).to.deep.equal(["DE", "AT"]);
    // Stack-wide rules (KEDA, journal) are new too.
    expect(diff.workloads.find((w) => w.territory === "stack")!.sentences[0]).to.match(
      /^alerts added: .*FreshplanKedaScalerErrors/,
    );
    expect(diff.capacity!.total.before).to.equal(0);
    expect(diff.capacity!.total.after).to.be.greaterThan(0);
  });

  it("an unchanged config prints no changes", async () => {
    const { diff, markdown } = await edited("prod", () => undefined);
    expect(diff.unchanged).to.equal(true);
    expect(markdown).to.contain("**no changes**");
    expect(markdown).not.to.contain("#### Objects");
  });
});

const run = promisify(execFile);
const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
async function plan(args: string[]) {
  try {
    return { code: 0, ...(await run(tsx, ["scripts/plan.ts", ...args], { cwd: ROOT })) };
  } catch (e) {
    return e as { code: number; stdout: string; stderr: string };
  }
}

describe("plan diff: the command line", () => {
  it(
    "compares with an earlier plan directory, prints Markdown, " + "writes plan-diff.md and never a secret in clear",
    async () => {
      const base = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-base-"));
      const raw = rawStackConfig("staging");
      const first = await plan([
        "--stack",
        "staging",
        "--config-file",
        writeStackFile("staging", raw, { "freshplan-scaling:journalAdminPassword": "Admin-Pa55-in-clear" }),
        "--out",
        base,
        "--at",
        "2026-11-23",
      ]);
      expect(first.code, first.stderr).to.equal(0);
      raw.journal.host = "freshplan-db-2.freshplan-staging.svc";
      raw.territories.DE.queries.maxReplicas = 4;
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-head-"));
      const second = await plan([
        "--stack",
        "staging",
        "--config-file",
        writeStackFile("staging", raw, { "freshplan-scaling:journalAdminPassword": "Admin-Pa55-in-clear" }),
        "--out",
        out,
        "--at",
        "2026-11-23",
        "--diff",
        base,
      ]);
      expect(second.code, second.stderr).to.equal(0);
      expect(second.stdout).to.match(/^### Plan diff: staging\n/);
      expect(second.stdout).to.contain("**DE queries**: maxReplicas 3 → 4");
      // The journal host also lives in the login Secrets: there it shows as changed, never in clear.
      expect(second.stdout).to.contain("<summary>Secret freshplan-staging/freshplan-journal-writer");
      expect(second.stdout).to.contain("- `stringData.PGHOST`: `[secret]` → `[secret]`");
      expect(second.stdout).not.to.match(/stringData\.\w+`: `(?!\[secret\])/);
      expect(second.stdout).not.to.contain("Admin-Pa55-in-clear");
      expect(fs.readFileSync(path.join(out, "plan-diff.md"), "utf8")).to.equal(second.stdout);
    },
  );

  it("compares with a git ref's stack config rendered with this code", async () => {
    // HEAD's own stack file, so the test does not depend on uncommitted edits in the work tree.
    const { stdout: committed } = await run("git", ["show", "HEAD:./Pulumi.staging.yaml"], { cwd: ROOT });
    const unchanged = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-head-")), "Pulumi.staging.yaml");
    fs.writeFileSync(unchanged, committed);
    const same = await plan([
      "--stack",
      "staging",
      "--config-file",
      unchanged,
      "--out",
      fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-head-")),
      "--at",
      "2026-11-23",
      "--diff",
      "HEAD",
    ]);
    expect(same.code, same.stderr).to.equal(0);
    expect(same.stdout).to.contain("Compared with HEAD (its Pulumi.staging.yaml, rendered with this code)");
    expect(same.stdout).to.contain("**no changes**");

    const edited = committed.replace("maxReplicas: 3", "maxReplicas: 5");
    expect(edited).not.to.equal(committed);
    fs.writeFileSync(unchanged, edited);
    const raised = await plan([
      "--stack",
      "staging",
      "--config-file",
      unchanged,
      "--out",
      fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-head-")),
      "--at",
      "2026-11-23",
      "--diff",
      "HEAD",
    ]);
    expect(raised.code, raised.stderr).to.equal(0);
    expect(raised.stdout).to.contain("**DE queries**: maxReplicas 3 → 5");
  });

  it("refuses a base that is neither a plan directory nor a git ref", async () => {
    const result = await plan([
      "--stack",
      "prod",
      "--out",
      fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-head-")),
      "--diff",
      "no-such-ref-or-dir",
    ]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain(
      "--diff no-such-ref-or-dir: neither a plan directory (with manifests.yaml) nor a git ref",
    );
  });
});
