/**
 * postgres_exporter for the journal metrics: signs in as the monitor login (which may read
 * `integration.event_metrics` and nothing else), exports only the journal query file, which turns
 * the view into `freshplan_journal_*` series, and is scraped by its own PodMonitor.
 */
import { stringify } from "yaml";
import type { FreshplanConfig } from "../config/schema";
import {
  JOURNAL_EXPORTER,
  JOURNAL_METRIC_PREFIX,
  JOURNAL_QUERIES_CONFIGMAP,
  JOURNAL_QUERIES_FILE,
  JOURNAL_TOTAL_ROW,
  LEAD_METRIC_PREFIX,
  MANAGED_LABELS,
} from "../conventions";
import type { Manifest } from "../keda/types";
import { RESTRICTED_CONTAINER } from "../kubernetes/pod-security";
import { monitorLogin } from "./logins";
import type { JournalPlan } from "./plan";

const QUERIES_DIR = "/etc/postgres-exporter";

/**
 * The collectors postgres_exporter v0.16 enables by default (collector/*.go, registerCollector with
 * defaultEnabled). `--disable-default-metrics` only drops the built-in metric maps, not these; with
 * the restricted monitor login some of them fail on every scrape (pg_stat_* of other databases,
 * replication, roles). Names differ between versions (v0.11's `bgwriter` is v0.16's
 * `stat_bgwriter`) and an unknown flag stops the exporter, so the list follows the pinned image.
 */
export const EXPORTER_DEFAULT_COLLECTORS_V0_16 = [
  "database",
  "locks",
  "replication",
  "replication_slot",
  "roles",
  "stat_bgwriter",
  "stat_database",
  "stat_user_tables",
  "statio_user_tables",
  "wal",
] as const;

/** Only the journal queries: the monitor login may not read the server's statistics. */
export const journalExporterArgs = (queryFile: string) => [
  `--extend.query-path=${queryFile}`,
  "--disable-default-metrics",
  "--disable-settings-metrics",
  ...EXPORTER_DEFAULT_COLLECTORS_V0_16.map((c) => `--no-collector.${c}`),
];
const labels = { "app.kubernetes.io/name": JOURNAL_EXPORTER, ...MANAGED_LABELS };
const selector = { "app.kubernetes.io/name": JOURNAL_EXPORTER };

export function journalExporterDeploymentManifest(config: FreshplanConfig, plan: JournalPlan): Manifest {
  const secret = monitorLogin().secretName;
  const fromSecret = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
  const c = plan.connection;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: JOURNAL_EXPORTER, namespace: plan.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65534,
            runAsGroup: 65534,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "postgres-exporter",
              image: config.journal!.exporterImage,
              args: journalExporterArgs(`${QUERIES_DIR}/${JOURNAL_QUERIES_FILE}`),
              env: [
                { name: "DATA_SOURCE_URI", value: `${c.host}:${c.port}/${c.database}?sslmode=${c.sslMode}` },
                fromSecret("DATA_SOURCE_USER", "PGUSER"),
                fromSecret("DATA_SOURCE_PASS", "PGPASSWORD"),
              ],
              ports: [{ name: "metrics", containerPort: 9187, protocol: "TCP" }],
              readinessProbe: { httpGet: { path: "/", port: "metrics" }, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: "/", port: "metrics" }, periodSeconds: 30 },
              resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { memory: "64Mi" } },
              securityContext: RESTRICTED_CONTAINER,
              volumeMounts: [{ name: "queries", mountPath: QUERIES_DIR, readOnly: true }],
            },
          ],
          volumes: [{ name: "queries", configMap: { name: JOURNAL_QUERIES_CONFIGMAP } }],
        },
      },
    },
  };
}

export function journalExporterPodMonitorManifest(config: FreshplanConfig, plan: JournalPlan): Manifest {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: JOURNAL_EXPORTER, namespace: plan.namespace, labels: { ...labels, ...config.alerts.ruleLabels } },
    spec: {
      selector: { matchLabels: selector },
      podMetricsEndpoints: [
        {
          port: "metrics",
          interval: config.alerts.scrapeInterval,
          // A fixed job, so FreshplanJournalExporterDown can select the exporter's `up` and `pg_up`.
          relabelings: [{ targetLabel: "job", replacement: JOURNAL_EXPORTER, action: "replace" }],
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
  [
    "reminders_cancelled_total",
    "reminders_cancelled_total",
    "COUNTER",
    "Unsent reminders made moot by progress or the end of the claim",
  ],
  [
    "reminders_overdue",
    "reminders_overdue",
    "GAUGE",
    "Claims whose reminder is due for longer than the SLA and unsent",
  ],
  [
    "oldest_unsent_due_age_seconds",
    "oldest_unsent_due_age_seconds",
    "GAUGE",
    "Seconds since the oldest unsent reminder fell due (0 when none)",
  ],
];

/** postgres_exporter `--extend.query-path` file; metric names are `<query>_<column>`. */
export function journalExporterQueries(): string {
  const columns = JOURNAL_COLUMNS.map(([c]) => c).join(", ");
  return stringify(
    {
      [JOURNAL_METRIC_PREFIX]: {
        query:
          `SELECT coalesce(territory::text, '${JOURNAL_TOTAL_ROW}') AS territory, ${columns} FROM ` +
          `integration.event_metrics`,
        master: true,
        metrics: [
          { territory: { usage: "LABEL", description: `Territory code, '${JOURNAL_TOTAL_ROW}' for the total row` } },
          ...JOURNAL_COLUMNS.map(([column, usage, description]) => ({ [column]: { usage, description } })),
        ],
      },
      // The exporter's login is also in freshplan_lead_monitor (components/lead-protection.ts).
      [LEAD_METRIC_PREFIX]: {
        query:
          `SELECT territory, ${LEAD_COLUMNS.map(([c, e]) => (c === e ? c : `${c} AS ${e}`)).join(", ")} FROM ` +
          `lead_protection.metrics`,
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
      labels: { "app.kubernetes.io/name": JOURNAL_EXPORTER, ...MANAGED_LABELS },
    },
    data: { [JOURNAL_QUERIES_FILE]: journalExporterQueries() },
  };
}
