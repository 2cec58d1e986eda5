/**
 * One problem in the stack config, named the way ops would edit it: the `--path` of
 * `pulumi config set --path`, the value found, and what was expected.
 */
export interface ConfigIssue {
  /** Path below the project namespace, e.g. `territories.CH.queries.maxReplicas` or `seasons[1].floors.CH`. */
  readonly path: string;
  /** The value found (undefined when the field is missing). */
  readonly value: unknown;
  /** What would have been accepted. */
  readonly expected: string;
  /** Optional context, e.g. the season's name for a `seasons[1]` path. */
  readonly context?: string;
}

export type PathSegment = string | number;

export function formatPath(segments: readonly PathSegment[]): string {
  return segments
    .map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : /^[A-Za-z0-9_-]+$/.test(s) ? `.${s}` : `["${s}"]`))
    .join("");
}

export function valueAt(root: unknown, segments: readonly PathSegment[]): unknown {
  let v: unknown = root;
  for (const s of segments) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[s];
  }
  return v;
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  const json = JSON.stringify(value);
  if (json === undefined) return String(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

// A message must never carry a secret: values under such keys are named, not shown.
const SECRET_PATH = /password|secret|token/i;

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.context ? `${issue.path} (${issue.context})` : issue.path;
  const value = SECRET_PATH.test(issue.path) ? "[secret]" : show(issue.value);
  const found = issue.value === undefined ? `${where} is missing` : `${where} = ${value}`;
  return `${found}: expected ${issue.expected}`;
}

/** Thrown before any resource is registered; carries every problem at once. */
export class ConfigError extends Error {
  constructor(
    readonly issues: readonly ConfigIssue[],
    readonly source = "stack config",
  ) {
    super(
      `${source} has ${issues.length} problem${issues.length === 1 ? "" : "s"}:\n` +
        issues.map((i) => `  - ${formatIssue(i)}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}
