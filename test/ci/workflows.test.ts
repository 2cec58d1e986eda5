// The GitHub workflows: schema-valid (the validator proven on a broken fixture) and a matrix of exactly the stacks.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { parse } from "yaml";
import { ROOT } from "../support/stack-fixtures";

const run = promisify(execFile);
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const VALIDATOR = path.join(ROOT, "node_modules", ".bin", "action-validator");

/** Validates a workflow file against GitHub's workflow schema with action-validator; the exit code and its report. */
async function validate(file: string): Promise<{ code: number; report: string }> {
  if (!fs.existsSync(VALIDATOR))
    throw new Error(`${VALIDATOR} is missing: run 'npm ci' (devDependency @action-validator/cli)`);
  try {
    await run(VALIDATOR, [file], { cwd: ROOT });
    return { code: 0, report: "" };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, report: `${err.stdout}${err.stderr}` };
  }
}

const workflowFiles = () =>
  fs
    .readdirSync(WORKFLOWS)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => path.join(WORKFLOWS, f));

describe("GitHub workflows", () => {
  it("has the pull-request checks workflow", () => {
    expect(workflowFiles().map((f) => path.basename(f))).to.include("pr-checks.yml");
  });

  it("every workflow file is valid against the workflow schema", async () => {
    for (const file of workflowFiles()) {
      const result = await validate(file);
      expect(result.code, `${path.relative(ROOT, file)}:\n${result.report}`).to.equal(0);
    }
  });

  it("the validator rejects an invalid workflow (the fixture keeps it honest)", async () => {
    const result = await validate(path.join(__dirname, "fixtures", "invalid-workflow.yml"));
    expect(result.code).to.equal(1);
    expect(result.report).to.contain("/jobs/stack/runs-on");
  });

  it("the PR checks' matrix names exactly the stacks that have a Pulumi.<stack>.yaml", () => {
    const stacks = fs
      .readdirSync(ROOT)
      .map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined);
    const workflow = parse(fs.readFileSync(path.join(WORKFLOWS, "pr-checks.yml"), "utf8"));
    const matrix: string[] = workflow.jobs.stack.strategy.matrix.stack;
    expect([...matrix].sort()).to.deep.equal(stacks.sort());
    expect(stacks).to.include.members(["prod", "staging"]);
  });

  it("the preview runs the policy pack through pulumi/actions pinned to a major version", () => {
    const workflow = parse(fs.readFileSync(path.join(WORKFLOWS, "pr-checks.yml"), "utf8"));
    const preview = workflow.jobs.stack.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions@"));
    expect(preview.uses).to.match(/^pulumi\/actions@v\d+$/);
    expect(preview.with).to.include({ command: "preview", policyPacks: "policy", "comment-on-pr": true });
    expect(fs.existsSync(path.join(ROOT, preview.with.policyPacks, "PulumiPolicy.yaml"))).to.equal(true);
    expect(preview.if).to.equal("steps.preview.outputs.run == 'true'");
  });
});
