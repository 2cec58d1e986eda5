// keda.chartPath: a vendored chart held to the pinned version, installed without the repository.
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { vendoredChartMetadata, vendoredChartProblem } from "../../program/keda-chart";
import { runStack } from "../../scripts/mock-runtime";
import { ROOT, rawStackConfig, stackFileFrom, writeStackFile } from "../support/stack-fixtures";

/** A minimal chart as `helm pull --untar` leaves it: keda/Chart.yaml plus a subchart's own Chart.yaml. */
function vendoredChart(version: string, name = "keda"): { dir: string; tgz: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-chart-"));
  const dir = path.join(root, "keda");
  fs.mkdirSync(path.join(dir, "charts", "sub"), { recursive: true });
  fs.mkdirSync(path.join(dir, "templates"));
  fs.writeFileSync(path.join(dir, "charts", "sub", "Chart.yaml"), "apiVersion: v2\nname: sub\nversion: 9.9.9\n");
  fs.writeFileSync(
    path.join(dir, "Chart.yaml"),
    `apiVersion: v2\nname: ${name}\nversion: ${version}\nappVersion: ${version}\n`,
  );
  const tgz = path.join(root, `keda-${version}.tgz`);
  // Subchart first, so the reader must skip it to find the chart's own Chart.yaml.
  execFileSync("tar", ["czf", tgz, "-C", root, "keda/charts/sub/Chart.yaml", "keda/templates", "keda/Chart.yaml"]);
  return { dir, tgz };
}

/** The version the shipped stacks pin (both the same). */
const PIN = rawStackConfig("staging").keda.chartVersion as string;

describe("keda.chartPath: a vendored KEDA chart", () => {
  const pinned = vendoredChart(PIN);

  it("reads the chart's own name and version from a directory and from a .tgz", () => {
    expect(vendoredChartMetadata(pinned.dir)).to.deep.equal({ name: "keda", version: PIN });
    expect(vendoredChartMetadata(pinned.tgz)).to.deep.equal({ name: "keda", version: PIN });
  });

  it("accepts the pinned version and refuses another one, a missing path and another chart", () => {
    expect(vendoredChartProblem(pinned.dir, PIN)).to.equal(undefined);
    expect(vendoredChartProblem(pinned.tgz, PIN)).to.equal(undefined);
    expect(vendoredChartProblem(pinned.tgz, "2.17.0")).to.contain(
      `the chart is version ${PIN} but keda.chartVersion pins 2.17.0`,
    );
    expect(vendoredChartProblem(vendoredChart("2.17.0").dir, PIN)).to.contain("version 2.17.0");
    expect(vendoredChartProblem("/nonexistent/keda-1.0.0.tgz", PIN)).to.contain("does not exist");
    expect(vendoredChartProblem(vendoredChart(PIN, "nginx").dir, PIN)).to.contain(`the chart is "nginx"`);
  });

  it("installs the Helm release from the path, without the chart repository", async () => {
    process.env.FRESHPLAN_PLAN_DATE = "2026-11-23T00:00:00Z";
    const raw = rawStackConfig("prod");
    raw.keda.chartPath = pinned.tgz;
    const run = await runStack(stackFileFrom("prod", raw));
    const release = run.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
    expect(release.inputs).to.include({ chart: pinned.tgz, version: PIN });
    expect(release.inputs).not.to.have.property("repositoryOpts");
  });

  it("stops the program before any resource when the vendored chart is not the pinned version", async () => {
    const raw = rawStackConfig("prod");
    raw.keda.chartPath = vendoredChart("2.17.0").dir;
    const error = await runStack(stackFileFrom("prod", raw)).then(
      () => undefined,
      (e: Error & { registeredResources?: number }) => e,
    );
    expect(error?.message).to.contain(`keda.chartVersion pins ${PIN}`);
    expect(error?.registeredResources).to.equal(0);
  });
});

describe("keda.chartPath in the offline plan", () => {
  it("names the vendored chart and writes the release without a repository", async () => {
    const raw = rawStackConfig("staging");
    raw.keda.chartPath = vendoredChart(PIN).tgz;
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-plan-"));
    const { stdout } = await promisify(execFile)(
      path.join(ROOT, "node_modules", ".bin", "tsx"),
      [
        "scripts/plan.ts",
        "--stack",
        "staging",
        "--config-file",
        writeStackFile("staging", raw),
        "--out",
        out,
        "--at",
        "2026-11-23",
      ],
      { cwd: ROOT },
    );
    expect(stdout).to.contain(`keda: chart ${PIN} from ${raw.keda.chartPath} (vendored)`);
    const release = fs.readFileSync(path.join(out, "helm-releases.yaml"), "utf8");
    expect(release).to.contain(`chart: ${raw.keda.chartPath}`);
    expect(release).not.to.contain("repositoryOpts");
  });
});
