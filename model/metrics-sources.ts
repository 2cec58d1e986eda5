/**
 * Where the alerts' metrics come from, as objects the stack provisions: the PodMonitor that
 * scrapes the API's Micrometer registry, and the postgres_exporter query file that turns the
 * journal's `integration.event_metrics` view into `freshplan_journal_*` series.
 */
import { stringify } from "yaml";
import type { FreshplanConfig } from "./config-schema";
import { Manifest, TERRITORY_LABEL, WORKLOAD_LABEL } from "./workload-manifests";

export const JOURNAL_METRIC_PREFIX = "freshplan_journal";
/** Label value of the view's total row (territory IS NULL there). */
export const JOURNAL_TOTAL_ROW = "all";
export const JOURNAL_MONITOR_ROLE = "freshplan_journal_monitor";
export const JOURNAL_QUERIES_CONFIGMAP = "freshplan-journal-exporter-queries";
export const JOURNAL_QUERIES_FILE = "queries.yaml";

const partOf = { "app.kubernetes.io/part-of": "freshplan", "app.kubernetes.io/managed-by": "pulumi" };

/** Kubernetes service discovery spells a pod label `a.b/c` as `__meta_kubernetes_pod_label_a_b_c`. */
const podLabelMeta = (label: string) => `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;

export function apiPodMonitorManifest(config: FreshplanConfig): Manifest {
  const p = config.prometheus;
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: "freshplan-api", namespace: config.namespace, labels: { "app.kubernetes.io/name": "freshplan-api", ...partOf, ...config.alerts.ruleLabels } },
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/name": "freshplan-api" } },
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

const JOURNAL_COLUMNS: [column: string, usage: "GAUGE", description: string][] = [
  ["notify_queue_usage", "GAUGE", "Share of the cluster-wide NOTIFY queue in use (pg_notification_queue_usage), 0-1"],
  ["pending", "GAUGE", "Journal events waiting to be claimed"],
  ["claimed", "GAUGE", "Journal events claimed by a consumer and not yet handled"],
  ["failed", "GAUGE", "Journal events that exhausted their attempts (dead letters)"],
  ["oldest_pending_age_seconds", "GAUGE", "Age of the oldest pending event in seconds (0 when none)"],
  ["handled_last_5m", "GAUGE", "Events handled in the last five minutes"],
];

export const LEAD_METRIC_PREFIX = "freshplan_lead_protection";

// Column of lead_protection.metrics → exported column name (claims by state get a claims_ prefix).
const LEAD_COLUMNS: [column: string, exported: string, usage: "GAUGE" | "COUNTER", description: string][] = [
  ["protected", "claims_protected", "GAUGE", "Claims protected now"],
  ["reminder_due", "claims_reminder_due", "GAUGE", "Claims whose 60 days ran out and whose reminder is not sent"],
  ["grace", "claims_grace", "GAUGE", "Claims in the 10-day grace period after a reminder"],
  ["expired_inactivity", "claims_expired_inactivity", "GAUGE", "Claims ended for inactivity"],
  ["expired_term", "claims_expired_term", "GAUGE", "Claims ended at the end of their term"],
  ["converted", "claims_converted", "GAUGE", "Claims ended by a written customer agreement"],
  ["paused", "claims_paused", "GAUGE", "Open claims whose clock an approved hold stops now"],
  ["reminders_due_total", "reminders_due_total", "COUNTER", "Reminders created by the scan"],
  ["reminders_sent_total", "reminders_sent_total", "COUNTER", "Reminders marked sent"],
  ["reminders_cancelled_total", "reminders_cancelled_total", "COUNTER", "Unsent reminders made moot by progress or the end of the claim"],
  ["reminders_overdue", "reminders_overdue", "GAUGE", "Claims whose reminder is due for longer than the SLA and unsent"],
  ["oldest_unsent_due_age_seconds", "oldest_unsent_due_age_seconds", "GAUGE", "Seconds since the oldest unsent reminder fell due (0 when none)"],
];

/** postgres_exporter `--extend.query-path` file; metric names are `<query>_<column>`. */
export function journalExporterQueries(): string {
  const columns = JOURNAL_COLUMNS.map(([c]) => c).join(", ");
  return stringify(
    {
      [JOURNAL_METRIC_PREFIX]: {
        query: `SELECT coalesce(territory::text, '${JOURNAL_TOTAL_ROW}') AS territory, ${columns} FROM integration.event_metrics`,
        master: true,
        metrics: [
          { territory: { usage: "LABEL", description: `Territory code, '${JOURNAL_TOTAL_ROW}' for the total row` } },
          ...JOURNAL_COLUMNS.map(([column, usage, description]) => ({ [column]: { usage, description } })),
        ],
      },
      // The exporter's login is also in freshplan_lead_monitor (components/lead-protection.ts).
      [LEAD_METRIC_PREFIX]: {
        query: `SELECT territory, ${LEAD_COLUMNS.map(([c, e]) => (c === e ? c : `${c} AS ${e}`)).join(", ")} FROM lead_protection.metrics`,
        master: true,
        metrics: [
          { territory: { usage: "LABEL", description: "Territory code" } },
          ...LEAD_COLUMNS.map(([, exported, usage, description]) => ({ [exported]: { usage, description } })),
        ],
      },
    },
    { lineWidth: 0 },
  );
}

export function journalExporterQueriesManifest(config: FreshplanConfig): Manifest & { data: Record<string, string> } {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: JOURNAL_QUERIES_CONFIGMAP,
      namespace: config.namespace,
      labels: { "app.kubernetes.io/name": "freshplan-journal-exporter", ...partOf },
    },
    data: { [JOURNAL_QUERIES_FILE]: journalExporterQueries() },
  };
}
