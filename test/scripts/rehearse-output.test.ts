/** `npm run rehearse` end to end: the table, the JSON report and an SVG that renders. */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { ROOT } from "../support/stack-fixtures";

const rehearse = (...args: string[]) =>
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
      path.join(ROOT, "scripts", "rehearse.ts"),
      "--stack",
      "prod",
      ...args,
    ],
    { cwd: ROOT, encoding: "utf8" },
  );

describe("rehearse CLI", function () {
  this.timeout(120_000);
  // The first two days of Oktoberfest 2026 (Tuesday and Wednesday) at 11× load: DE queries outgrow max 6.
  const args = ["--season", "oktoberfest", "--from", "2026-09-01", "--days", "2", "--multiplier", "11"];

  it("reports per workload the minutes over budget, the first shortfall and the max that holds, as JSON", () => {
    const report = JSON.parse(rehearse(...args, "--format", "json"));
    expect(report.period).to.include({ label: "oktoberfest", from: "2026-09-01", days: 2, multiplier: 11 });
    expect(report.period.peak).to.deep.equal({ from: "2026-09-01", days: 45 });
    expect(
      report.workloads.map((w: { territory: string; workload: string }) => `${w.territory}/${w.workload}`),
    ).to.deep.equal(["DE/queries", "DE/commands"]);
    const queries = report.workloads[0];
    expect(queries.minutesOverBudget).to.be.greaterThan(0);
    expect(queries.firstShortfall).to.equal("2026-09-01T07:00:00.000Z"); // 09:00 in Berlin
    expect(queries.recommendedMaxReplicas).to.be.greaterThan(queries.maxReplicas);
    for (const key of ["minutesAtMax", "replicaHours", "scaleEvents", "peakReplicas"])
      expect(queries[key], key).to.be.a("number");
    expect(queries).not.to.have.property("minutes");
  });

  it("prints a table and renders an SVG with a lane per workload", () => {
    const table = rehearse(...args);
    expect(table).to.match(/territory\s+workload\s+min over p95/);
    expect(table).to.match(/^DE\s+queries\s+[1-9]/m);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rehearsal-"));
    const svg = path.join(dir, "r.svg");
    rehearse(...args, "--format", "svg", "--out", svg);
    const text = fs.readFileSync(svg, "utf8");
    expect(text.match(/class="lane"/g)).to.have.length(2);
    expect(text)
      .to.include('class="load"')
      .and.include('class="capacity"')
      .and.include('class="replicas"')
      .and.include('class="over"');
    const png = spawnSync("rsvg-convert", ["-o", path.join(dir, "r.png"), svg], { encoding: "utf8" });
    if (png.error)
      throw new Error(
        `rsvg-convert is needed to check the SVG renders: apt-get install librsvg2-bin (${png.error.message})`,
      );
    expect(png.status, png.stderr).to.equal(0);
    expect(fs.statSync(path.join(dir, "r.png")).size).to.be.greaterThan(1000);
  });

  it("refuses an unknown season, territory or date and a bad number, naming the flag", () => {
    const run = (...a: string[]) =>
      spawnSync(
        process.execPath,
        [
          path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
          path.join(ROOT, "scripts", "rehearse.ts"),
          "--stack",
          "prod",
          ...a,
        ],
        { cwd: ROOT, encoding: "utf8" },
      );
    const unknown = run("--season", "karneval");
    expect(unknown.status).to.equal(1);
    expect(unknown.stderr).to.include("--season karneval: not in the stack (oktoberfest, weihnachten, spargel)");
    expect(run("--days", "0").stderr).to.include("--days 0: expected a whole number > 0");
    expect(run("--territory", "fr").stderr).to.include("--territory fr: not in the stack (DE, CH, AT)");
    expect(run("--from", "2026-02-30").stderr).to.include("--from 2026-02-30: expected a date YYYY-MM-DD that exists");
  });
});
