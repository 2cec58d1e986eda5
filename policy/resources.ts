/** Reading Kubernetes objects out of policy resources: kind, name, pod specs, label selectors. */

export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
}

/** A Kubernetes object as a policy sees a resource's properties. */
export interface KubernetesObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: ObjectMeta;
  readonly spec?: any;
  readonly data?: Record<string, unknown>;
  readonly stringData?: Record<string, unknown>;
}

/** What the policies need of a resource: both ResourceValidationArgs and PolicyResource fit. */
export interface ResourceLike {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Record<string, any>;
}

/** `kubernetes:apps/v1:Deployment` → "Deployment"; undefined for resources of other providers. */
export function kubernetesKind(type: string): string | undefined {
  return /^kubernetes:[^:]+:([A-Za-z]+)$/.exec(type)?.[1];
}

/** How violations name a resource: the Kubernetes name where there is one, else the Pulumi name. */
export function resourceName(r: ResourceLike): string {
  const meta = (r.props as KubernetesObject).metadata;
  return meta?.name
    ? `${kubernetesKind(r.type) ?? r.type} ${meta.namespace ? `${meta.namespace}/` : ""}${meta.name}`
    : `${r.type} ${r.name}`;
}

export const ofKind = (resources: readonly ResourceLike[], kind: string) =>
  resources.filter((r) => kubernetesKind(r.type) === kind);

export const namespaceOf = (r: ResourceLike) => (r.props as KubernetesObject).metadata?.namespace ?? "default";

/** The pod spec inside a workload object (or the Pod itself); undefined for other kinds. */
export function podSpecOf(kind: string | undefined, o: KubernetesObject): any | undefined {
  switch (kind) {
    case "Pod":
      return o.spec;
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "ReplicationController":
    case "Job":
      return o.spec?.template?.spec;
    case "CronJob":
      return o.spec?.jobTemplate?.spec?.template?.spec;
    default:
      return undefined;
  }
}

/** Every container of a pod spec, init and ephemeral ones included. */
export function containersOf(pod: any): any[] {
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? []), ...(pod?.ephemeralContainers ?? [])];
}

/** Whether a selector's matchLabels all hold in `labels` (an empty selector selects nothing here). */
export function selects(
  matchLabels: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  const entries = Object.entries(matchLabels ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}
