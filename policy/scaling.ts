/**
 * Scaling policies: ScaledObject floors and fallback, one ScaledObject and a PDB per territory Deployment, the pinned
 * KEDA chart.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { WORKLOADS } from "../model/config/schema";
import { TERRITORY_LABEL, WORKLOAD_LABEL } from "../model/conventions";
import {
  KubernetesObject,
  ResourceLike,
  kubernetesKind,
  namespaceOf,
  ofKind,
  resourceName,
  selects,
} from "./resources";

/** KEDA's defaults when a ScaledObject leaves the counts out. */
const KEDA_DEFAULT_MIN = 0;
const KEDA_DEFAULT_MAX = 100;

/** Why a ScaledObject's triggers are unsafe: floors outside its range, Prometheus errors read as 0, no fallback. */
export function scaledObjectProblems(o: KubernetesObject): string[] {
  const spec = o.spec ?? {};
  const min = Number(spec.minReplicaCount ?? KEDA_DEFAULT_MIN);
  const max = Number(spec.maxReplicaCount ?? KEDA_DEFAULT_MAX);
  const problems: string[] = [];
  for (const t of spec.triggers ?? []) {
    const name = t.name ?? t.type;
    if (t.type === "cron") {
      const floor = Number(t.metadata?.desiredReplicas);
      if (!(floor >= min && floor <= max))
        problems.push(
          `cron trigger "${name}" holds ${t.metadata?.desiredReplicas} replicas, outside [minReplicaCount ` +
            `${min}, maxReplicaCount ${max}]`,
        );
    }
    // KEDA's default is true: an empty result then reads as 0 and scales down instead of falling back.
    if (t.type === "prometheus" && String(t.metadata?.ignoreNullValues) !== "false") {
      problems.push(
        `prometheus trigger "${name}" ignores null values (ignoreNullValues must be "false", so an empty ` +
          `result is an error and the fallback acts)`,
      );
    }
  }
  const fallback = spec.fallback;
  if (!fallback || !(Number(fallback.replicas) >= 1) || !(Number(fallback.failureThreshold) >= 1)) {
    problems.push("has no fallback (fallback.replicas and fallback.failureThreshold)");
  }
  return problems;
}

export const scaledObjectsSafe: ResourceValidationPolicy = {
  name: "scaledobject-floors-and-fallback",
  description:
    "Every ScaledObject's cron floors lie within [minReplicaCount, maxReplicaCount]; its Prometheus triggers " +
    "do not ignore null values; it has a fallback.",
  validateResource: (args, reportViolation) => {
    if (kubernetesKind(args.type) !== "ScaledObject") return;
    for (const problem of scaledObjectProblems(args.props)) reportViolation(`${resourceName(args)}: ${problem}`);
  },
};

/** The stack's territory workloads: Deployments labelled with the territory they serve (API and event workers). */
const territoryDeployments = (resources: readonly ResourceLike[]) =>
  ofKind(resources, "Deployment").filter(
    (d) => (d.props as KubernetesObject).metadata?.labels?.[TERRITORY_LABEL] !== undefined,
  );

export const deploymentsScaledByKeda: StackValidationPolicy = {
  name: "deployment-scaled-and-protected",
  description:
    "Every territory Deployment is the target of exactly one ScaledObject, has a PodDisruptionBudget and " +
    "sets no replicas (the HPA owns the count).",
  validateStack: (args, reportViolation) => {
    const scaledObjects = ofKind(args.resources, "ScaledObject");
    const budgets = ofKind(args.resources, "PodDisruptionBudget");
    for (const d of territoryDeployments(args.resources)) {
      const o = d.props as KubernetesObject;
      const name = o.metadata?.name;
      const targets = scaledObjects.filter((s) => {
        const ref = (s.props as KubernetesObject).spec?.scaleTargetRef ?? {};
        return namespaceOf(s) === namespaceOf(d) && ref.name === name && (ref.kind ?? "Deployment") === "Deployment";
      });
      if (targets.length !== 1) {
        const which =
          targets.length === 0
            ? "none"
            : targets
                .map((s) => (s.props as KubernetesObject).metadata?.name)
                .sort()
                .join(", ");
        reportViolation(
          `${resourceName(d)} is the target of ${targets.length} ScaledObjects (${which}); expected exactly one`,
          d.urn,
        );
      }
      const podLabels = o.spec?.template?.metadata?.labels;
      if (
        !budgets.some(
          (b) =>
            namespaceOf(b) === namespaceOf(d) &&
            selects((b.props as KubernetesObject).spec?.selector?.matchLabels, podLabels),
        )
      ) {
        reportViolation(`${resourceName(d)} has no PodDisruptionBudget selecting its pods`, d.urn);
      }
      if (o.spec?.replicas !== undefined)
        reportViolation(
          `${resourceName(d)} sets replicas: ${o.spec.replicas}; the HPA of its ScaledObject owns the count`,
          d.urn,
        );
    }
  },
};

const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** A Helm release or chart of KEDA, from the repository or a vendored path. */
function isKedaChart(r: ResourceLike): boolean {
  if (!/^kubernetes:helm\.sh\/v\d+:(Release|Chart)$/.test(r.type)) return false;
  const chart = String(r.props.chart ?? "");
  return /(^|\/)keda(-\d[^/]*)?(\.tgz)?\/?$/.test(chart) || /kedacore/.test(String(r.props.repositoryOpts?.repo ?? ""));
}

export const kedaChartPinned: ResourceValidationPolicy = {
  name: "keda-chart-pinned",
  description: "The KEDA Helm chart version is pinned exactly (no range, no latest).",
  validateResource: (args, reportViolation) => {
    if (!isKedaChart(args)) return;
    const version = args.props.version;
    if (typeof version !== "string" || !EXACT_VERSION.test(version)) {
      reportViolation(
        `Helm ${args.type.split(":").pop()} ${args.name} (chart ${args.props.chart}): ` +
          `version ${version === undefined ? "is not set" : `"${version}" is not an exact version`}; ` +
          `pin one such as 2.18.1`,
      );
    }
  },
};

export const apiMinReplicasAdvisory: ResourceValidationPolicy = {
  name: "api-min-replicas-above-one",
  description: "API workloads with minReplicas 1 have no spare replica while one restarts or is evicted.",
  enforcementLevel: "advisory",
  validateResource: (args, reportViolation) => {
    if (kubernetesKind(args.type) !== "ScaledObject") return;
    const o = args.props as KubernetesObject;
    const workload = o.metadata?.labels?.[WORKLOAD_LABEL];
    if (!(WORKLOADS as readonly string[]).includes(workload ?? "")) return;
    if (Number(o.spec?.minReplicaCount ?? KEDA_DEFAULT_MIN) <= 1) {
      reportViolation(
        `${resourceName(args)}: minReplicaCount ${o.spec?.minReplicaCount ?? KEDA_DEFAULT_MIN}; one restart ` +
          `or eviction leaves the ${workload} API of ` +
          `${o.metadata?.labels?.[TERRITORY_LABEL]} without a ready pod`,
      );
    }
  },
};
