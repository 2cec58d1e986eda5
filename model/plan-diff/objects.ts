/**
 * The object half of a plan diff: objects added, removed or changed, each change as field path old → new, secrets
 * masked.
 */

/** One object of a plan, as its manifests.yaml / helm-releases.yaml document holds it. */
export interface PlanObject {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface FieldChange {
  /** e.g. `spec.triggers[season-oktoberfest].metadata.start`. */
  readonly path: string;
  /** undefined: the field is absent on that side. */
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface ObjectRef {
  readonly kind: string;
  /** `namespace/name`, or the name of a cluster-wide object. */
  readonly name: string;
}

export interface ObjectChange extends ObjectRef {
  readonly changes: readonly FieldChange[];
}

export interface ObjectDiff {
  readonly added: readonly ObjectRef[];
  readonly removed: readonly ObjectRef[];
  readonly changed: readonly ObjectChange[];
}

/** What a masked value reads as; the same text the offline plan puts in place of secure config. */
export const MASKED = "[secret]";

/** Keys whose value is a credential wherever they occur (PGPASSWORD, adminPassword, apiToken, …). */
const CREDENTIAL_KEY = /(password|passwd|token|api[-_]?key|private[-_]?key)$/i;

function maskCredentials(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => maskCredentials(v));
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    // An env entry { name: DB_PASSWORD, value: … } names its credential in a sibling field.
    const envCredential = typeof obj.name === "string" && CREDENTIAL_KEY.test(obj.name) && "value" in obj;
    return Object.fromEntries(
      Object.entries(obj).map(([k, v]) => [k, envCredential && k === "value" ? MASKED : maskCredentials(v, k)]),
    );
  }
  return typeof value === "string" && value !== "" && CREDENTIAL_KEY.test(key) ? MASKED : value;
}

/** The last key of a field path: `stringData.PGPASSWORD` → PGPASSWORD, `env[DB_TOKEN].value` → value. */
const lastKey = (path: string) => /(?:^|\.)([^.[\]]+)$|\[([^\]]+)\]$/.exec(path)?.slice(1).find(Boolean) ?? "";

/**
 * A changed value as a reviewer may see it: every value of a Secret's data and stringData (keys
 * stay, so an added or removed key still shows) and anything under a credential-named key or env
 * variable is masked. Masked after comparing, so a changed secret still shows as changed.
 */
export function maskValue(kind: string, path: string, value: unknown): unknown {
  if (value === undefined) return undefined;
  if (kind === "Secret" && /^(data|stringData)(\.|$)/.test(path)) {
    return value !== null && typeof value === "object"
      ? Object.fromEntries(Object.keys(value).map((k) => [k, MASKED]))
      : MASKED;
  }
  const envEntry = /\[([^\]]+)\]\.value$/.exec(path);
  if (envEntry && CREDENTIAL_KEY.test(envEntry[1])) return MASKED;
  return maskCredentials(value, lastKey(path));
}

const refOf = (o: PlanObject): ObjectRef => ({ kind: o.kind, name: o.namespace ? `${o.namespace}/${o.name}` : o.name });
const keyOf = (o: PlanObject) => `${o.kind}|${refOf(o).name}`;

/** A stable key for an array element, so a reordered or inserted element does not shift every index. */
function elementKey(el: unknown): string | undefined {
  if (el === null || typeof el !== "object" || Array.isArray(el)) return undefined;
  const o = el as Record<string, unknown>;
  const labels = o.labels as Record<string, string> | undefined;
  const scope = labels ? [labels.territory, labels.workload, labels.severity].filter(Boolean).join(",") : "";
  const id = o.name ?? o.alert ?? o.record;
  if (typeof id !== "string") return undefined;
  return scope ? `${id}{${scope}}` : id;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function diffValues(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      diffValues(before[k], after[k], path ? `${path}.${k}` : k, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const keys = (a: unknown[]) => a.map(elementKey);
    const kb = keys(before);
    const ka = keys(after);
    const unique = (k: (string | undefined)[]) => k.every((x) => x !== undefined) && new Set(k).size === k.length;
    if (unique(kb) && unique(ka)) {
      const order = [...new Set([...ka, ...kb])] as string[];
      for (const k of order) diffValues(before[kb.indexOf(k)], after[ka.indexOf(k)], `${path}[${k}]`, out);
      return;
    }
    if (before.every((x) => !isPlainObject(x)) && after.every((x) => !isPlainObject(x))) {
      out.push({ path, before, after });
      return;
    }
    for (let i = 0; i < Math.max(before.length, after.length); i++)
      diffValues(before[i], after[i], `${path}[${i}]`, out);
    return;
  }
  out.push({ path, before, after });
}

/** Field-level changes between two versions of one object, values in clear (diffObjects masks them). */
export function fieldChanges(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): FieldChange[] {
  const out: FieldChange[] = [];
  diffValues(before, after, "", out);
  return out;
}

export function diffObjects(before: readonly PlanObject[], after: readonly PlanObject[]): ObjectDiff {
  const old = new Map(before.map((o) => [keyOf(o), o]));
  const now = new Map(after.map((o) => [keyOf(o), o]));
  const added = [...now.keys()].filter((k) => !old.has(k)).map((k) => refOf(now.get(k)!));
  const removed = [...old.keys()].filter((k) => !now.has(k)).map((k) => refOf(old.get(k)!));
  const changed: ObjectChange[] = [];
  for (const [k, o] of now) {
    const was = old.get(k);
    if (!was) continue;
    const changes = fieldChanges(was.body, o.body).map((c) => ({
      path: c.path,
      before: maskValue(o.kind, c.path, c.before),
      after: maskValue(o.kind, c.path, c.after),
    }));
    if (changes.length > 0) changed.push({ ...refOf(o), changes });
  }
  return { added, removed, changed };
}
