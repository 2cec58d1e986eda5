/**
 * The secrets policy: no Secret value or password in a ConfigMap, an env value or another resource's properties in
 * clear.
 */
import { StackValidationPolicy, UnknownValueError } from "@pulumi/policy";
import { KubernetesObject, ResourceLike, containersOf, kubernetesKind, podSpecOf, resourceName } from "./resources";

/** Keys and variable names that hold a credential. */
export const SECRET_NAME = /pass(word)?|secret|token|credential|api[-_]?key|private[-_]?key/i;
/** A URL with a password in it: scheme://user:password@host. */
const CREDENTIAL_URL = /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i;
/** The offline tools render every secret as this placeholder; it is a marker, not a value. */
const OFFLINE_PLACEHOLDER = "[secret]";
/** Shorter values ("5432", "require") would match everywhere; no generated password is this short. */
const MIN_SECRET_LENGTH = 8;

/** Properties that hold a secret by their provider's schema: Pulumi keeps them encrypted in state and output. */
const SECRET_BY_SCHEMA: Record<string, readonly string[]> = {
  "random:index/randomPassword:RandomPassword": ["result"],
  "postgresql:index/role:Role": ["password"],
  "pulumi:providers:postgresql": ["password"],
};

/**
 * The properties with every value preview does not know yet left out. A generated password is
 * unknown at the first preview; it cannot be in clear anywhere, and reading it must not make the
 * whole check give up ("can't run during preview").
 */
export function knownOnly(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const read = (key: string | number) => {
    try {
      return { value: knownOnly((value as Record<string | number, unknown>)[key]) };
    } catch (e) {
      if (e instanceof UnknownValueError) return undefined;
      throw e;
    }
  };
  if (Array.isArray(value)) return Array.from({ length: value.length }, (_, i) => read(i)?.value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = read(key);
    if (v) out[key] = v.value;
  }
  return out;
}

function strings(value: unknown, path: string, visit: (path: string, text: string) => void): void {
  if (typeof value === "string") visit(path, value);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}[${i}]`, visit));
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) strings(v, path ? `${path}.${k}` : k, visit);
}

const decode = (base64: unknown) => (typeof base64 === "string" ? Buffer.from(base64, "base64").toString("utf8") : "");

/** The secret values of a stack: Secret entries under credential keys, and schema-secret properties. */
export function secretValues(resources: readonly ResourceLike[]): Set<string> {
  const values = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === "string" && v.length >= MIN_SECRET_LENGTH && v !== OFFLINE_PLACEHOLDER) values.add(v);
  };
  for (const r of resources) {
    if (kubernetesKind(r.type) === "Secret") {
      const o = r.props as KubernetesObject;
      for (const [k, v] of Object.entries(o.stringData ?? {})) if (SECRET_NAME.test(k)) add(v);
      for (const [k, v] of Object.entries(o.data ?? {})) if (SECRET_NAME.test(k)) add(decode(v));
    }
    for (const key of SECRET_BY_SCHEMA[r.type] ?? []) add(r.props[key]);
  }
  return values;
}

/** Violations of one resource against the stack's secret values. */
export function clearSecretProblems(r: ResourceLike, secrets: ReadonlySet<string>): string[] {
  const kind = kubernetesKind(r.type);
  if (kind === "Secret") return [];
  const problems: string[] = [];
  const leaks = (text: string) => [...secrets].some((s) => text.includes(s)) || CREDENTIAL_URL.test(text);
  const o = r.props as KubernetesObject;
  if (kind === "ConfigMap") {
    for (const [k, v] of Object.entries({
      ...(o.data ?? {}),
      ...((r.props.binaryData as Record<string, unknown>) ?? {}),
    })) {
      if (SECRET_NAME.test(k) && v !== "") problems.push(`ConfigMap key "${k}" holds a credential; put it in a Secret`);
      else if (typeof v === "string" && leaks(v))
        problems.push(`ConfigMap key "${k}" contains a secret value in clear`);
    }
    return problems;
  }
  const pod = podSpecOf(kind, o);
  for (const c of pod ? containersOf(pod) : []) {
    for (const e of c.env ?? []) {
      if (typeof e.value !== "string") continue;
      if (SECRET_NAME.test(e.name) && e.value !== "")
        problems.push(
          `container "${c.name}" env ${e.name} is a credential given as a value; use valueFrom.secretKeyRef`,
        );
      else if (leaks(e.value)) problems.push(`container "${c.name}" env ${e.name} contains a secret value in clear`);
    }
  }
  const bySchema = SECRET_BY_SCHEMA[r.type] ?? [];
  strings(r.props, "", (path, text) => {
    if (bySchema.includes(path.split(/[.[]/)[0])) return;
    if (pod && /\.env\[\d+\]\.value$/.test(path)) return; // judged above, with the variable's name
    if ([...secrets].some((s) => text.includes(s))) problems.push(`property ${path} contains a secret value in clear`);
  });
  return problems;
}

export const noSecretsInClear: StackValidationPolicy = {
  name: "no-secrets-in-clear",
  description:
    "No Secret value or password appears in a ConfigMap, a container env value or another resource's " +
    "properties in clear.",
  validateStack: (args, reportViolation) => {
    const resources = args.resources.map((r) => ({
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: knownOnly(r.props) as Record<string, any>,
    }));
    const secrets = secretValues(resources);
    for (const r of resources) {
      for (const problem of clearSecretProblems(r, secrets)) reportViolation(`${resourceName(r)}: ${problem}`, r.urn);
    }
  },
};
