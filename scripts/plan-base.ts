/**
 * The base a plan diff compares with: an earlier plan directory, or a git ref whose stack config is rendered with the
 * current code.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { rawConfigFromEntries, validateConfig } from "../model/config/validate";
import type { PlanObject } from "../model/plan-diff/objects";
import type { PlanSide } from "../model/plan-diff/plan-diff";
import { buildStackPlan } from "../model/stack-plan";
import { StackRun, isKubernetesObject, runStack } from "./mock-runtime";
import { readStackFile, withSecretPlaceholders } from "./stack-file";

export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/** The KEDA release as helm-releases.yaml holds it: `resource` is the Pulumi name. */
const releaseObject = (release: Record<string, unknown>): PlanObject => ({
  kind: "Helm release",
  name: String(release.resource),
  body: release,
});

function kubernetesObject(o: Record<string, unknown>): PlanObject {
  const meta = (o.metadata ?? {}) as { name?: string; namespace?: string };
  return { kind: String(o.kind), namespace: meta.namespace, name: String(meta.name), body: o };
}

/** What manifests.yaml and helm-releases.yaml hold for a run. */
export function planObjectsOf(run: StackRun): PlanObject[] {
  return [
    ...run.resources.filter(isKubernetesObject).map((r) => kubernetesObject(r.inputs)),
    ...run.resources
      .filter((r) => r.type === HELM_RELEASE_TYPE)
      .map((r) => releaseObject({ resource: r.name, ...r.inputs })),
  ];
}

const documents = (file: string) =>
  fs.existsSync(file)
    ? parseAllDocuments(fs.readFileSync(file, "utf8"))
        .map((d) => d.toJSON() as Record<string, unknown>)
        .filter((d) => d !== null)
    : [];

export interface PlanBase {
  readonly side: PlanSide;
  /** false: the stack has no config at the base (a new stack): everything is added. */
  readonly exists: boolean;
  /** For the heading: what was compared and how. */
  readonly description: string;
}

/** An earlier `npm run plan` output directory; its plan.json carries the config it was rendered from. */
function planDirectory(dir: string, now: Date): PlanBase {
  const objects = [
    ...documents(path.join(dir, "manifests.yaml")).map(kubernetesObject),
    ...documents(path.join(dir, "helm-releases.yaml")).map(releaseObject),
  ];
  const summary = JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8")) as {
    config?: Record<string, unknown>;
  };
  const plan = summary.config
    ? buildStackPlan(validateConfig(summary.config, `${dir}/plan.json config`), now)
    : undefined;
  return { side: { objects, plan }, exists: true, description: `the plan in ${dir}` };
}

function git(args: string[]): string {
  return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * A git ref: its `Pulumi.<stack>.yaml`, rendered with the current code. The ref's code is not run:
 * the diff then isolates what the config edit does (code changes are reviewed as code, with their
 * tests), and no dependencies of another revision need installing.
 */
async function gitRef(ref: string, stack: string, now: Date): Promise<PlanBase> {
  try {
    git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  } catch {
    throw new Error(`--diff ${ref}: neither a plan directory (with manifests.yaml) nor a git ref`);
  }
  const name = `Pulumi.${stack}.yaml`;
  const description = `${ref} (its ${name}, rendered with this code)`;
  let text: string;
  try {
    text = git(["show", `${ref}:./${name}`]);
  } catch {
    return { side: { objects: [] }, exists: false, description: `${ref} (no ${name} there: a new stack)` };
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-base-")), name);
  fs.writeFileSync(file, text);
  const stackFile = withSecretPlaceholders(readStackFile(stack, file)).file;
  const plan = buildStackPlan(validateConfig(rawConfigFromEntries(stackFile.entries), `${name} at ${ref}`), now);
  const run = await runStack(stackFile);
  return { side: { objects: planObjectsOf(run), plan }, exists: true, description };
}

export async function loadPlanBase(base: string, stack: string, now: Date): Promise<PlanBase> {
  if (fs.existsSync(path.join(base, "manifests.yaml"))) return planDirectory(base, now);
  return gitRef(base, stack, now);
}
