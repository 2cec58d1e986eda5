/**
 * Dashboards as Kubernetes objects: ConfigMaps for the kube-prometheus-stack Grafana sidecar, optionally
 * grafana-operator GrafanaDashboards.
 */
import type { FreshplanConfig } from "../config/schema";
import { MANAGED_LABELS } from "../conventions";
import type { Manifest } from "../keda/types";
import { GeneratedDashboard, dashboardJson } from "./dashboards";

/** `app.kubernetes.io/name` of the dashboard objects: how the offline plan finds them. */
export const DASHBOARDS_APP_NAME = "freshplan-dashboards";

export const dashboardObjectName = (d: GeneratedDashboard) => `freshplan-dashboard-${d.spec.name}`;
export const dashboardFileName = (d: GeneratedDashboard) => `${d.spec.name}.json`;

export interface DashboardConfigMap extends Manifest {
  readonly metadata: Manifest["metadata"] & { readonly annotations: Readonly<Record<string, string>> };
  readonly data: Readonly<Record<string, string>>;
}

export function dashboardConfigMapManifest(config: FreshplanConfig, d: GeneratedDashboard): DashboardConfigMap {
  const s = config.dashboards;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: dashboardObjectName(d),
      namespace: s.namespace ?? config.namespace,
      labels: { "app.kubernetes.io/name": DASHBOARDS_APP_NAME, ...MANAGED_LABELS, ...s.sidecarLabels },
      annotations: { [s.folderAnnotation]: s.folder },
    },
    data: { [dashboardFileName(d)]: dashboardJson(d) },
  };
}

/** grafana-operator (v5) reads the dashboard from the same ConfigMap, so the JSON is stored once. */
export function grafanaDashboardManifest(config: FreshplanConfig, d: GeneratedDashboard): Manifest | undefined {
  const s = config.dashboards;
  if (!s.grafanaOperator) return undefined;
  return {
    apiVersion: "grafana.integreatly.org/v1beta1",
    kind: "GrafanaDashboard",
    metadata: {
      name: dashboardObjectName(d),
      namespace: s.namespace ?? config.namespace,
      labels: { "app.kubernetes.io/name": DASHBOARDS_APP_NAME, ...MANAGED_LABELS },
    },
    spec: {
      instanceSelector: { matchLabels: s.grafanaOperator.instanceSelector },
      folder: s.folder,
      configMapRef: { name: dashboardObjectName(d), key: dashboardFileName(d) },
      allowCrossNamespaceImport: false,
    },
  };
}
