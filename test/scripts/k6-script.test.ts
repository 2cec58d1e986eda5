/**
 * The k6 CLI end to end: the script it writes type-checks against k6's own type definitions, and a broken one does not.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { ROOT } from "../support/stack-fixtures";

/** tsc over a k6 script with @types/k6; the file must sit under the repository to resolve `k6/*` modules. */
function typeCheck(script: string): { status: number; output: string } {
  const dir = fs.mkdtempSync(path.join(ROOT, "out", ".k6-check-"));
  try {
    const file = path.join(dir, "rehearsal.js");
    fs.writeFileSync(file, script);
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const args = [tsc, "--noEmit", "--allowJs", "--checkJs", "--strict", "--skipLibCheck", "false"];
    args.push("--target", "es2022", "--module", "es2022", "--moduleResolution", "bundler", "--types", "k6", file);
    const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
    return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("k6 rehearsal script", function () {
  this.timeout(120_000);
  let script: string;
  let stdout: string;

  before(() => {
    fs.mkdirSync(path.join(ROOT, "out"), { recursive: true });
    const out = path.join(fs.mkdtempSync(path.join(ROOT, "out", ".k6-")), "oktoberfest.js");
    stdout = execFileSync(
      process.execPath,
      [
        path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
        path.join(ROOT, "scripts", "k6.ts"),
        "--stack",
        "prod",
        "--season",
        "oktoberfest",
        "--base-url",
        "https://staging.example",
        "--commands-path",
        "/api/commands",
        "--out",
        out,
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    script = fs.readFileSync(out, "utf8");
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  });

  it("prints per scenario the normal and peak rate and the budget", () => {
    expect(stdout).to.match(/queries_de\s+DE\s+queries\s+60\s+240\s+300 ms/);
    expect(stdout).to.match(/commands_at\s+AT\s+commands\s+4\.5\s+4\.5\s+350 ms/);
  });

  it("tags each scenario with its territory and sets a p95 threshold from its budget", () => {
    expect(script).to.contain('"http_req_duration{territory:DE,workload:queries}": [\n      "p(95)<300"');
    expect(script).to.contain('"http_req_duration{territory:AT,workload:commands}": [\n      "p(95)<350"');
    // Whole iterations per minute: 4.5 req/s is 270 a minute.
    expect(script).to.match(/"target": 270\b/);
  });

  it("type-checks against @types/k6", () => {
    const result = typeCheck(script);
    expect(result.output).to.equal("");
    expect(result.status).to.equal(0);
  });

  it("fails the type check on a script k6 would reject (the check can fail)", () => {
    const broken = script.replace('"executor": "ramping-arrival-rate"', '"executor": "ramping-arrival-rat"');
    expect(broken).to.not.equal(script);
    const result = typeCheck(broken);
    expect(result.status).to.not.equal(0);
    expect(result.output).to.match(/rehearsal\.js/);
  });
});
