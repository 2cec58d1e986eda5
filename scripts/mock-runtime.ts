/**
 * Runs the real Pulumi program (index.ts) under the SDK's mock runtime and records what every
 * resource would be sent: type, name, inputs, parent and dependencies. The offline plan and the
 * component tests both use it, so they show what `pulumi up` sends rather than a re-implementation.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../model/conventions";
import { SECRET_PLACEHOLDER, StackFile } from "./stack-file";

export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly inputs: Record<string, unknown>;
  readonly parent: string;
  readonly dependencies: readonly string[];
}

export interface StackRun {
  readonly resources: readonly RecordedResource[];
  readonly outputs: Record<string, unknown>;
  /** Names of the stack outputs Pulumi stores as secrets. */
  readonly secretOutputs: readonly string[];
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  getDependenciesList(): string[];
}
type Callback = (err: unknown, response?: { getUrn(): string }) => void;
interface Monitor {
  registerResource(req: RegisterRequest, callback: Callback): void;
}

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Inputs as sent, with Pulumi's secret wrappers opened. The offline tools feed the program only
 * placeholders for secrets (config and generated passwords), so what is inside is "[secret]".
 */
function openSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(openSecrets);
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_SIG_KEY] === SECRET_SIG) return openSecrets(obj.value);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, openSecrets(v)]));
  }
  return value;
}

/** Resources whose real outputs are secrets get a placeholder, never a made-up value. */
function mockState(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  if (type === "random:index/randomPassword:RandomPassword") return { ...inputs, result: SECRET_PLACEHOLDER };
  return inputs;
}

export const KNOWN_AFTER_DEPLOY = "(known after deploy)";

/**
 * The value of a stack output as preview knows it. Outputs a provider computes (a generated id,
 * the migrations a deploy applied) are unknown in a preview: `apply` never runs for them, so the
 * value is read with its unknowns and those are shown as such.
 */
async function resolve(value: unknown): Promise<unknown> {
  const lifted = pulumi.output(value) as unknown as { promise(withUnknowns: boolean): Promise<unknown> };
  const replaceUnknowns = (v: unknown): unknown => {
    if (pulumi.isUnknown(v)) return KNOWN_AFTER_DEPLOY;
    if (Array.isArray(v)) return v.map(replaceUnknowns);
    if (v !== null && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceUnknowns(x)]));
    return v;
  };
  return replaceUnknowns(await lifted.promise(true));
}

/**
 * Executes index.ts for a stack file's config. Config errors surface as a thrown error before any
 * resource is registered (the program validates first).
 */
export async function runStack(
  stackFile: StackFile,
  programPath = path.join(__dirname, "..", "index.ts"),
): Promise<StackRun> {
  const recorded = new Map<string, Omit<RecordedResource, "urn" | "parent" | "dependencies">>();
  const wiring = new Map<string, { parent: string; dependencies: string[] }>();
  let sequence = 0;

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const key = `${args.type}::${args.name}::${sequence++}`;
        recorded.set(key, {
          type: args.type,
          name: args.name,
          custom: args.custom ?? true,
          inputs: openSecrets(args.inputs) as Record<string, unknown>,
        });
        return { id: `${args.name}-id`, state: mockState(args.type, args.inputs) };
      },
      call(args) {
        return args.inputs;
      },
    },
    PROJECT,
    stackFile.stack,
    true,
  );
  pulumi.runtime.setAllConfig(stackFile.entries, stackFile.secretKeys);

  // The mock callbacks do not see parents and dependencies; the monitor's requests do.
  const monitor = (pulumi.runtime as unknown as { getMonitor(): Monitor }).getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, response) => {
      if (response)
        wiring.set(`${req.getType()}::${req.getName()}`, {
          parent: req.getParent(),
          dependencies: req.getDependenciesList(),
        });
      callback(err, response);
    });

  const resolved = require.resolve(programPath);
  delete require.cache[resolved];
  let program: Record<string, unknown>;
  try {
    program = require(resolved) as Record<string, unknown>;
  } catch (e) {
    // Tell the caller how far the program got: a config error must come before any resource.
    throw Object.assign(e as Error, { registeredResources: recorded.size });
  }
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [name, value] of Object.entries(program)) {
    outputs[name] = await resolve(value);
    if (await (pulumi.output(value) as unknown as { isSecret: Promise<boolean> }).isSecret) secretOutputs.push(name);
  }
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs?.();
  await new Promise((done) => setImmediate(done));

  const urnOf = (type: string, name: string) => `${type}::${name}`;
  const resources = [...recorded.values()].map((r) => {
    const w = wiring.get(urnOf(r.type, r.name)) ?? { parent: "", dependencies: [] };
    return { ...r, urn: urnOf(r.type, r.name), parent: w.parent, dependencies: w.dependencies };
  });
  return { resources, outputs, secretOutputs };
}

/** A Kubernetes object as sent: the resource inputs of any resource that carries apiVersion and kind. */
export function isKubernetesObject(r: RecordedResource): boolean {
  return typeof r.inputs.apiVersion === "string" && typeof r.inputs.kind === "string";
}
