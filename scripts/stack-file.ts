/**
 * Reads `Pulumi.<stack>.yaml` the way the Pulumi CLI hands config to the program: a flat map of
 * `project:key` → text (objects as JSON). Secure values cannot be decrypted without the stack's
 * passphrase or KMS key, and the offline tools never need them: they become a placeholder and
 * the key is reported as secret, so the mock runtime treats it exactly like a real secret.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { YAMLParseError, parse } from "yaml";
import type { FreshplanConfig } from "../model/config/schema";
import { rawConfigFromEntries, validateConfig } from "../model/config/validate";
import { PROJECT } from "../model/conventions";
import { requiredStackSecrets } from "../model/journal/logins";

export const SECRET_PLACEHOLDER = "[secret]";

export interface StackFile {
  readonly stack: string;
  readonly file: string;
  /** Config as the program sees it: `freshplan-scaling:territories` → JSON text. */
  readonly entries: Record<string, string>;
  /** Keys holding a `secure:` value anywhere inside. */
  readonly secretKeys: string[];
}

function stripSecrets(value: unknown, found: { secret: boolean }): unknown {
  if (Array.isArray(value)) return value.map((v) => stripSecrets(v, found));
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (Object.keys(obj).length === 1 && typeof obj.secure === "string") {
      found.secret = true;
      return SECRET_PLACEHOLDER;
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, stripSecrets(v, found)]));
  }
  return value;
}

export function stackFilePath(stack: string, dir = process.cwd()): string {
  return path.join(dir, `Pulumi.${stack}.yaml`);
}

/** Parses YAML; a syntax error names the file as given, the line and column, and shows the line. */
export function parseYaml(text: string, file: string): unknown {
  try {
    return parse(text);
  } catch (e) {
    if (!(e instanceof YAMLParseError) || !e.linePos) throw e;
    const { line, col } = e.linePos[0];
    const what = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    const source = text.split(/\r?\n/)[line - 1] ?? "";
    throw new Error(
      `${file}:${line}:${col}: YAML syntax error: ${what}\n  ${line} | ${source}\n  ` +
        `${" ".repeat(String(line).length)} | ${" ".repeat(Math.max(0, col - 1))}^`,
    );
  }
}

export function readStackFile(stack: string, file = stackFilePath(stack)): StackFile {
  if (!fs.existsSync(file)) throw new Error(`no stack config for "${stack}": ${file} does not exist`);
  const doc = (parseYaml(fs.readFileSync(file, "utf8"), file) ?? {}) as { config?: Record<string, unknown> };
  const entries: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    const found = { secret: false };
    const plain = stripSecrets(value, found);
    entries[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
    if (found.secret) secretKeys.push(key);
  }
  return { stack, file, entries, secretKeys };
}

/**
 * Stands in the placeholder for every secret the program requires but the stack file does not
 * set yet (e.g. before ops ran `pulumi config set --secret journalAdminPassword`), so the offline
 * tools still render; `missing` names them so the caller can say so.
 */
export function withSecretPlaceholders(file: StackFile): { file: StackFile; missing: string[] } {
  const missing = requiredStackSecrets(rawConfigFromEntries(file.entries)).filter(
    (key) => !(`${PROJECT}:${key}` in file.entries),
  );
  const entries = {
    ...file.entries,
    ...Object.fromEntries(missing.map((key) => [`${PROJECT}:${key}`, SECRET_PLACEHOLDER])),
  };
  return {
    file: { ...file, entries, secretKeys: [...file.secretKeys, ...missing.map((key) => `${PROJECT}:${key}`)] },
    missing,
  };
}

/** The validated config of a stack file; throws ConfigError naming the file and every problem. */
export function loadStackConfig(stack: string, file = stackFilePath(stack)): FreshplanConfig {
  const stackFile = readStackFile(stack, file);
  return validateConfig(rawConfigFromEntries(stackFile.entries), path.basename(file));
}
