/**
 * What the command-line tools say and write: warnings once, run-independent plan.json, --territory, --at, --out,
 * --config-file.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { ROOT, rawStackConfig, writeStackFile } from "../support/stack-fixtures";

const exec = promisify(execFile);
const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-cli-"));

async function run(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(tsx, [`scripts/${script}.ts`, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const count = (text: string, part: string) => text.split(part).length - 1;

describe("command-line tools", function () {
  this.timeout(120_000);

  it("plan prints every warning once, including a campaign that never takes effect", async () => {
    const raw = rawStackConfig("staging");
    raw.campaigns.push({
      name: "masked-promo",
      firstDay: "2027-12-20",
      lastDay: "2027-12-22",
      loadMultiplier: 2,
      floors: { DE: { commands: 2 } },
    });
    const result = await run("plan", [
      "--stack",
      "staging",
      "--config-file",
      writeStackFile("staging", raw),
      "--out",
      tempDir(),
      "--at",
      "2027-04-01",
    ]);
    expect(result.code, result.stderr).to.equal(0);
    const all = result.stdout + result.stderr;
    expect(count(all, 'campaigns[0] "spring-promo-rehearsal" ended on 2027-03-19'), all).to.equal(1);
    expect(count(all, 'DE commands: campaign "masked-promo" (floor 2) never takes effect'), all).to.equal(1);
  });

  it("plan.json carries nothing of the run: two plans of one config are identical", async () => {
    const [a, b] = [tempDir(), tempDir()];
    expect((await run("plan", ["--stack", "prod", "--out", a, "--at", "2026-11-23"])).code).to.equal(0);
    expect((await run("plan", ["--stack", "prod", "--out", b, "--at", "2026-12-01"])).code).to.equal(0);
    const first = fs.readFileSync(path.join(a, "plan.json"), "utf8");
    expect(first).not.to.match(/2026-11-23|planDate/);
    expect(fs.readFileSync(path.join(b, "plan.json"), "utf8")).to.equal(first);
  });

  it("calendar takes --territory in lower case", async () => {
    const result = await run("calendar", ["--stack", "prod", "--territory", "de", "--at", "2026-10-01T09:00"]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^DE\s+queries\s+2026-10-01 09:00 \+02:00\s+6/m);
    expect(result.stdout).not.to.match(/^CH /m);
  });

  it("calendar folds business-hours weeks into one row and names where pre-scaling starts", async () => {
    const result = await run("calendar", [
      "--stack",
      "prod",
      "--territory",
      "DE",
      "--from",
      "2027-01-01",
      "--to",
      "2027-12-31",
    ]);
    expect(result.code, result.stderr).to.equal(0);
    const rows = result.stdout.split("\n").filter((l) => /^2027-/.test(l));
    // One row per stretch between season edges, not one per weekday/weekend alternation.
    expect(rows.length, rows.join("\n")).to.be.lessThan(12);
    const firstQuarter = rows.find((r) => r.startsWith("2027-01-01 … 2027-03-31"));
    expect(firstQuarter).to.match(/Mon–Fri 07–19 → 3, else 2\s+1(\s|$)/);
    expect(rows.find((r) => r.startsWith("2027-08-18 …"))).to.match(/oktoberfest pre-scale starts$/);
    expect(rows.find((r) => r.startsWith("2027-09-01 …"))).to.match(/oktoberfest starts$/);
  });

  it("calendar refuses an --at that does not exist or exists twice in a territory's zone", async () => {
    const gap = await run("calendar", ["--stack", "prod", "--territory", "DE", "--at", "2027-03-28T02:30"]);
    expect(gap.code).to.not.equal(0);
    expect(gap.stderr).to.contain("02:30 on 2027-03-28 does not exist in Europe/Berlin");
    const twice = await run("calendar", ["--stack", "prod", "--territory", "DE", "--at", "2026-10-25T02:30"]);
    expect(twice.code).to.not.equal(0);
    expect(twice.stderr).to.contain("02:30 on 2026-10-25 exists twice in Europe/Berlin (at +02:00 and then at +01:00");
  });

  it("calendar --out says what it wrote", async () => {
    const out = path.join(tempDir(), "cal.svg");
    const result = await run("calendar", [
      "--stack",
      "prod",
      "--format",
      "svg",
      "--from",
      "2027-01-01",
      "--to",
      "2027-12-31",
      "--out",
      out,
    ]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr).to.contain(`wrote the chart (svg, 2027-01-01 … 2027-12-31) to ${out}`);
    expect(fs.readFileSync(out, "utf8")).to.match(/^<svg /);
  });

  it(
    "db:migrate takes --config-file like plan and calendar, " + "and validates it before touching the database",
    async () => {
      const raw = rawStackConfig("prod");
      raw.territories.DE.timeZone = "europe/berlin";
      const file = writeStackFile("prod", raw);
      const result = await run("migrate", ["--config-file", file, "--dry-run"], {
        DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
      });
      expect(result.code).to.not.equal(0);
      expect(result.stderr)
        .to.contain('territories.DE.timeZone = "europe/berlin"')
        .and.contain("did you mean Europe/Berlin?");
    },
  );
});
