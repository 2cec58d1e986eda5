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
  PART_OF_LABELS,
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
const labels = { "app.kubernetes.io/name": JOURNAL_EXPORTER, ...PART_OF_LABELS };
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
      labels: { "app.kubernetes.io/name": JOURNAL_EXPORTER, ...PART_OF_LABELS },
    },
    data: { [JOURNAL_QUERIES_FILE]: journalExporterQueries() },
  };
}
