// How the offline plan and the capacity calendar scale with the config: the shipped prod stack
// against 50 territories × 20 seasons with business hours (a valid config, generated in memory),
// both timed by this one run as ops run them (`npm run plan`, `npm run calendar`: a fresh process
// each), printed as ratios big ÷ prod.
//
//   npm run bench:calendar [-- --territories 50 --seasons 20 --rounds 3]
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { stringify } from "yaml";
import { rawConfigFromEntries, validateConfig } from "../model/config/validate";
import { PROJECT } from "../model/conventions";
import { runStack } from "../scripts/mock-runtime";
import { StackFile, readStackFile, stackFilePath, withSecretPlaceholders } from "../scripts/stack-file";

const ROOT = path.join(__dirname, "..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

const ZONES = [
  "Europe/Berlin",
  "Europe/Zurich",
  "Europe/Vienna",
  "Europe/Paris",
  "Europe/Warsaw",
  "Europe/Lisbon",
  "Europe/Helsinki",
  "Europe/London",
];
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"];

/** Territory codes AA, AB, …: valid codes, none shared with the shipped stack. */
const code = (i: number) => String.fromCharCode(65 + Math.floor(i / 26)) + String.fromCharCode(65 + (i % 26));
const md = (dayOfYear: number) => {
  const d = new Date(Date.UTC(2025, 0, 1 + dayOfYear));
  return `${String(d.getUTCMonth() + 1).padStart(2, "0")}-${String(d.getUTCDate()).padStart(2, "0")}`;
};

/** The prod stack with `territories` territories and `seasons` seasons, each season applying to every territory. */
export function bigStack(prod: StackFile, territoryCount: number, seasonCount: number): StackFile {
  const raw = rawConfigFromEntries(prod.entries) as Record<string, any>;
  const territories: Record<string, unknown> = {};
  for (let i = 0; i < territoryCount; i++) {
    const workload = (min: number, max: number, rps: number, budget: number, floor: number) => ({
      minReplicas: min,
      maxReplicas: max,
      targetRpsPerReplica: rps,
      p95BudgetMs: budget,
      baselinePeakRps: rps * 0.6,
      businessHours: { days: WEEKDAYS, start: "07:00", end: "19:00", floor },
    });
    territories[code(i)] = {
      timeZone: ZONES[i % ZONES.length],
      queries: workload(2, 12, 80, 300, 3),
      commands: workload(1, 8, 30, 350, 2),
    };
  }
  const seasons = Array.from({ length: seasonCount }, (_, s) => {
    // 20 seasons of 10 days, 18 days apart, floors rising and falling so none is masked.
    const first = 3 + s * 18;
    const floors = Object.fromEntries(
      Object.keys(territories).map((c) => [c, { queries: 4 + (s % 8), commands: 3 + (s % 5) }]),
    );
    return {
      name: `season-${s + 1}`,
      firstDay: md(first),
      lastDay: md(first + 9),
      leadDays: 3,
      loadMultiplier: 1 + (s % 4),
      floors,
    };
  });
  raw.territories = territories;
  raw.seasons = seasons;
  raw.campaigns = [];
  raw.workloads.queries.scaling.fallbackReplicas = 2;
  raw.workloads.commands.scaling.fallbackReplicas = 1;
  const entries: Record<string, string> = { ...prod.entries };
  for (const [key, value] of Object.entries(raw))
    entries[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  return { ...prod, entries };
}

/** Wall time of one CLI run (a fresh process, as ops run it). */
function timedRun(script: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(TSX, [script, ...args], { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${script} ${args.join(" ")} failed:\n${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A stack file holding the entries (JSON text back to YAML structure). */
function writeStack(file: StackFile, dir: string): string {
  // Secrets stay unset, as in the shipped file: the plan stands in its placeholder.
  const plain = Object.entries(file.entries).filter(([k]) => !file.secretKeys.includes(k));
  const config = Object.fromEntries(plain.map(([k, v]) => [k, /^\s*[[{]/.test(v) ? JSON.parse(v) : v]));
  const target = path.join(dir, `Pulumi.${file.stack}.yaml`);
  fs.writeFileSync(target, stringify({ config }));
  return target;
}

async function main() {
  const o = new Command("bench:calendar")
    .option("--territories <n>", "territories of the big config", "50")
    .option("--seasons <n>", "seasons of the big config", "20")
    .option("--rounds <n>", "timed runs per config and tool (median)", "3")
    .parse(process.argv)
    .opts<{ territories: string; seasons: string; rounds: string }>();
  const prod = withSecretPlaceholders(readStackFile("prod", stackFilePath("prod", ROOT))).file;
  const big = bigStack(prod, Number(o.territories), Number(o.seasons));
  // The big config must be valid: a benchmark of an error message measures nothing.
  validateConfig(rawConfigFromEntries(big.entries), "big config");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-bench-"));
  const files = { prod: stackFilePath("prod", ROOT), big: writeStack(big, dir) };
  const objects = (await runStack(big)).resources.filter((r) => typeof r.inputs.kind === "string").length;
  console.log(
    `big config: ${o.territories} territories × ${o.seasons} seasons, business hours on every workload: ` +
      `${objects} Kubernetes objects`,
  );

  const tools = {
    plan: (file: string) =>
      timedRun("scripts/plan.ts", ["--stack", "prod", "--config-file", file, "--out", path.join(dir, "out")]),
    calendar: (file: string) => timedRun("scripts/calendar.ts", ["--stack", "prod", "--config-file", file]),
  };
  const rounds = Number(o.rounds);
  console.log(`median of ${rounds} runs per tool and config, each a fresh process as ops run it:`);
  console.log("tool       prod ms   big ms   big ÷ prod");
  for (const [tool, run] of Object.entries(tools)) {
    const ms: Record<string, number[]> = { prod: [], big: [] };
    // Alternating prod and big spreads the noise of a shared machine over both alike.
    for (let r = 0; r < rounds; r++) for (const name of ["prod", "big"] as const) ms[name].push(run(files[name]));
    const [p, b] = [median(ms.prod), median(ms.big)];
    console.log(`${tool.padEnd(9)} ${p.toFixed(0).padStart(7)} ${b.toFixed(0).padStart(8)}   ${(b / p).toFixed(1)}×`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
