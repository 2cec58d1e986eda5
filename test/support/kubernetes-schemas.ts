/**
 * Validates rendered objects against their published schemas: kubernetes-models for core kinds,
 * @kubernetes-models/keda and /prometheus-operator for the CRDs. A kind without a schema here is
 * an error, so a new kind cannot slip through unvalidated.
 */
// Each model class takes its own typed data; the objects under test are untyped on purpose.
type ModelClass = new (data: any) => { validate(): void };

const SCHEMAS: Record<string, () => Promise<ModelClass>> = {
  "v1/Namespace": async () => (await import("kubernetes-models/v1/Namespace")).Namespace,
  "v1/Service": async () => (await import("kubernetes-models/v1/Service")).Service,
  "v1/Secret": async () => (await import("kubernetes-models/v1/Secret")).Secret,
  "v1/ConfigMap": async () => (await import("kubernetes-models/v1/ConfigMap")).ConfigMap,
  "apps/v1/Deployment": async () => (await import("kubernetes-models/apps/v1/Deployment")).Deployment,
  "policy/v1/PodDisruptionBudget": async () =>
    (await import("kubernetes-models/policy/v1/PodDisruptionBudget")).PodDisruptionBudget,
  "keda.sh/v1alpha1/ScaledObject": async () =>
    (await import("@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject")).ScaledObject,
  "keda.sh/v1alpha1/TriggerAuthentication": async () =>
    (await import("@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication")).TriggerAuthentication,
  "monitoring.coreos.com/v1/PrometheusRule": async () =>
    (await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule")).PrometheusRule,
  "monitoring.coreos.com/v1/ServiceMonitor": async () =>
    (await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor")).ServiceMonitor,
  "monitoring.coreos.com/v1/PodMonitor": async () =>
    (await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor")).PodMonitor,
};

/** Throws naming the object when it does not validate or its kind has no known schema. */
export async function validateAgainstSchema(object: Record<string, unknown>): Promise<void> {
  const key = `${object.apiVersion}/${object.kind}`;
  const name = (object.metadata as { name?: string } | undefined)?.name ?? "(unnamed)";
  const load = SCHEMAS[key];
  if (!load) throw new Error(`${key} ${name}: no schema registered in test/support/kubernetes-schemas.ts`);
  const Model = await load();
  try {
    new Model(object).validate();
  } catch (e) {
    throw new Error(`${key} ${name} does not match its schema: ${e instanceof Error ? e.message : String(e)}`);
  }
}
