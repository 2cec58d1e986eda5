/**
 * The PodMonitor that scrapes the API's Micrometer registry: where the API alerts' series come from,
 * with the `job`, territory and workload labels the PromQL selects on.
 */
import type { FreshplanConfig } from "../config/schema";
import { API_APP_NAME, PART_OF_LABELS, TERRITORY_LABEL, WORKLOAD_LABEL } from "../conventions";
import type { Manifest } from "../keda/types";

/** Kubernetes service discovery spells a pod label `a.b/c` as `__meta_kubernetes_pod_label_a_b_c`. */
const podLabelMeta = (label: string) => `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;

export function apiPodMonitorManifest(config: FreshplanConfig): Manifest {
  const p = config.prometheus;
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: {
      name: API_APP_NAME,
      namespace: config.namespace,
      labels: { "app.kubernetes.io/name": API_APP_NAME, ...PART_OF_LABELS, ...config.alerts.ruleLabels },
    },
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/name": API_APP_NAME } },
      podMetricsEndpoints: [
        {
          port: "http",
          path: config.alerts.apiMetricsPath,
          interval: config.alerts.scrapeInterval,
          // The PromQL selects on job, territory and workload; the pods carry the latter two as
          // freshplan.io/* labels, which Prometheus only sees through relabelling.
          relabelings: [
            { sourceLabels: [podLabelMeta(TERRITORY_LABEL)], targetLabel: p.territoryLabel, action: "replace" },
            { sourceLabels: [podLabelMeta(WORKLOAD_LABEL)], targetLabel: p.workloadLabel, action: "replace" },
            { targetLabel: "job", replacement: p.job, action: "replace" },
          ],
        },
      ],
    },
  };
}
