/** The KEDA Helm chart's values: KEDA's own metrics scraped so that the alert rules can select them. */
import type { FreshplanConfig } from "../config/schema";

/**
 * KEDA labels its metrics with the ScaledObject's `namespace`. The chart's PodMonitors do not honor
 * labels, so prometheus-operator keeps its target label `namespace` (the KEDA pod's, `keda`) and
 * stores KEDA's own as `exported_namespace`. These metric relabelings put the ScaledObject's
 * namespace back into `namespace` and drop the copy; series without it (Go runtime metrics) keep
 * the pod's namespace. Rules then select KEDA's series by the workload namespace like every other.
 */
export const KEDA_METRIC_RELABELINGS = [
  {
    sourceLabels: ["exported_namespace"],
    regex: "(.+)",
    targetLabel: "namespace",
    replacement: "$1",
    action: "replace",
  },
  { regex: "exported_namespace", action: "labeldrop" },
] as const;

export function kedaHelmValues(config: FreshplanConfig): Record<string, unknown> {
  const podMonitor = {
    enabled: true,
    // A Prometheus that selects monitors by label (alerts.ruleLabels) must also select these.
    additionalLabels: { ...config.alerts.ruleLabels },
    metricRelabelings: KEDA_METRIC_RELABELINGS.map((r) => ({ ...r })),
  };
  return {
    crds: { install: true },
    // Expose and scrape KEDA's own metrics (keda_scaler_detail_errors_total, …) for the alert rules.
    prometheus: {
      operator: { enabled: true, podMonitor },
      metricServer: {
        enabled: true,
        podMonitor: { ...podMonitor, additionalLabels: { ...podMonitor.additionalLabels } },
      },
    },
  };
}
