/**
 * Runs the pack's policies the way the Pulumi engine calls them, on resources recorded from a run of the real program.
 */
import type {
  Policy,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { policies } from "../../policy/policies";
import type { RecordedResource } from "../../scripts/mock-runtime";

/** A resource as a policy sees it: the engine passes the resource's properties (inputs at preview) as `props`. */
export interface PolicyInput {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  props: Record<string, any>;
}

export const policyInputs = (resources: readonly RecordedResource[]): PolicyInput[] =>
  resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: structuredClone(r.inputs) as Record<string, any>,
  }));

export interface Violation {
  readonly policy: string;
  readonly message: string;
  readonly urn?: string;
}

const notApplicable = (reason?: string): never => {
  throw new Error(`not applicable: ${reason}`);
};

function resourceArgs(r: PolicyInput): ResourceValidationArgs {
  return {
    ...r,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({}) as T,
    notApplicable,
  };
}

function stackArgs(resources: readonly PolicyInput[]): StackValidationArgs {
  const asPolicyResources = resources.map(
    (r) => ({ ...resourceArgs(r), dependencies: [], propertyDependencies: {} }) as unknown as PolicyResource,
  );
  return {
    resources: asPolicyResources,
    stackTags: new Map(),
    getConfig: <T extends object>() => ({}) as T,
    notApplicable,
  };
}

export const policyNamed = (name: string): Policy => {
  const p = policies.find((x) => x.name === name);
  if (!p) throw new Error(`no policy ${name} in the pack`);
  return p;
};

/** Every violation the named policies (default: all) report for a set of resources. */
export async function violations(
  resources: readonly PolicyInput[],
  names: readonly string[] = policies.map((p) => p.name),
): Promise<Violation[]> {
  const found: Violation[] = [];
  for (const name of names) {
    const policy = policyNamed(name);
    const report = (message: string, urn?: string) => found.push({ policy: name, message, urn });
    if ("validateStack" in policy) {
      await (policy as StackValidationPolicy).validateStack(stackArgs(resources), report);
      continue;
    }
    const validate = (policy as ResourceValidationPolicy).validateResource;
    for (const fn of Array.isArray(validate) ? validate : validate ? [validate] : []) {
      for (const r of resources) await fn(resourceArgs(r), report);
    }
  }
  return found;
}
