/** Shared helpers: stack configs as raw objects, edited copies, and runs of the real program. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { rawConfigFromEntries } from "../../model/config/validate";
import { readStackFile, StackFile, withSecretPlaceholders } from "../../scripts/stack-file";

export const ROOT = path.join(__dirname, "..", "..");
/** A shipped stack file as the offline tools see it: required secrets not set yet are placeholders. */
export const stackFile = (stack: string) =>
  withSecretPlaceholders(readStackFile(stack, path.join(ROOT, `Pulumi.${stack}.yaml`))).file;

/** The raw (unvalidated) config of a shipped stack, as a fresh mutable object. */
export function rawStackConfig(stack: string): Record<string, any> {
  return rawConfigFromEntries(stackFile(stack).entries) as Record<string, any>;
}

/** A stack file written to a temp dir from a raw config (and optional extra keys such as secrets). */
export function writeStackFile(
  stack: string,
  raw: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-stack-"));
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) config[`freshplan-scaling:${key}`] = value;
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  fs.writeFileSync(file, stringify({ config: { ...config, ...extra } }));
  return file;
}

export function stackFileFrom(
  stack: string,
  raw: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): StackFile {
  return withSecretPlaceholders(readStackFile(stack, writeStackFile(stack, raw, extra))).file;
}

export const readYamlFile = (file: string) => parse(fs.readFileSync(file, "utf8"));
