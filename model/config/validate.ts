/**
 * Turns raw stack config into a validated FreshplanConfig, or a ConfigError that lists every
 * problem at once. Pure: the Pulumi program and the offline tools feed it the same raw object.
 */
import type { core } from "zod";
import { PROJECT } from "../conventions";
import { ConfigError, ConfigIssue, PathSegment, formatPath, valueAt } from "./issues";
import { crossFieldIssues } from "./rules";
import { FreshplanConfig, freshplanConfigSchema } from "./schema";

/** Structured values arrive as JSON text; anything that is not valid JSON stays a plain string. */
function parseConfigValue(value: string): unknown {
  if (!/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * Builds the raw config object from Pulumi's flat config map (`freshplan-scaling:territories` →
 * JSON text). Keys of other namespaces (e.g. `kubernetes:context`) are not ours and are left out.
 */
export function rawConfigFromEntries(entries: Record<string, string>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entries)) {
    if (!key.startsWith(`${PROJECT}:`)) continue;
    const name = key.slice(PROJECT.length + 1);
    raw[name] = parseConfigValue(value);
  }
  return raw;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(
        row[j] + 1,
        row[j - 1] + 1,
        diagonal + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return row[b.length];
}

function knownKeysAt(path: readonly PathSegment[]): string[] {
  // The schema's shape at this path, found by walking the zod object shapes.
  let schema: unknown = freshplanConfigSchema;
  for (const segment of path) {
    schema = unwrap(schema);
    const def = (schema as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
    if (!def) return [];
    if (def.type === "object") schema = (def.shape as Record<string, unknown>)[String(segment)];
    else if (def.type === "record") schema = def.valueType;
    else if (def.type === "array") schema = def.element;
    else return [];
  }
  const def = (unwrap(schema) as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
  return def?.type === "object" ? Object.keys(def.shape as object) : [];
}

function unwrap(schema: unknown): unknown {
  let s = schema as { _zod?: { def?: Record<string, unknown> } } | undefined;
  for (let i = 0; i < 10 && s?._zod?.def; i++) {
    const def = s._zod.def;
    if (def.type === "optional" || def.type === "default" || def.type === "nullable") s = def.innerType as typeof s;
    else if (def.type === "pipe") s = def.out as typeof s;
    else break;
  }
  return s;
}

function issueFromZod(issue: core.$ZodIssue, raw: unknown): ConfigIssue[] {
  const path = issue.path as PathSegment[];
  const context = seasonContext(path, raw);
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(path);
    return issue.keys.map((key) => {
      const close = known.filter((k) => editDistance(k, key) <= 2);
      const hint = close.length ? ` (did you mean ${close.join(" or ")}?)` : "";
      return {
        path: formatPath([...path, key]),
        value: valueAt(raw, [...path, key]),
        expected: `no such key${hint}; known keys here: ${known.join(", ")}`,
        context,
      };
    });
  }
  const expected = issue.message.replace(/^Invalid input: expected (\w+), received \w+$/, "a value of type $1");
  return [{ path: formatPath(path) || "(root)", value: valueAt(raw, path), expected, context }];
}

function seasonContext(path: readonly PathSegment[], raw: unknown): string | undefined {
  if ((path[0] === "seasons" || path[0] === "campaigns") && typeof path[1] === "number") {
    const name = valueAt(raw, [path[0], path[1], "name"]);
    if (typeof name === "string") return `${path[0] === "seasons" ? "season" : "campaign"} "${name}"`;
  }
  return undefined;
}

/** Validates raw stack config; throws ConfigError with every problem found. */
export function validateConfig(raw: unknown, source = "stack config"): FreshplanConfig {
  const parsed = freshplanConfigSchema.safeParse(raw);
  const issues: ConfigIssue[] = parsed.success ? [] : parsed.error.issues.flatMap((i) => issueFromZod(i, raw));
  const seen = new Set(issues.map((i) => `${i.path}|${i.expected}`));
  for (const issue of crossFieldIssues(raw)) {
    if (!seen.has(`${issue.path}|${issue.expected}`)) issues.push(issue);
  }
  if (issues.length > 0 || !parsed.success) throw new ConfigError(issues, source);
  return parsed.data;
}
