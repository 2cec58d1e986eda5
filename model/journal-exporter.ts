/**
 * postgres_exporter for the journal metrics: signs in as the monitor login (which may read
 * `integration.event_metrics` and nothing else), exports only the journal query file, and is
 * scraped by its own PodMonitor. The query file itself is in metrics-sources.ts.
 */
import type { FreshplanConfig } from "./config-schema";
import { JournalPlan, monitorLogin } from "./journal-plan";
import { JOURNAL_QUERIES_CONFIGMAP, JOURNAL_QUERIES_FILE } from "./metrics-sources";
import { type Manifest, RESTRICTED_CONTAINER } from "./workload-manifests";

export const JOURNAL_EXPORTER = "freshplan-journal-exporter";
const QUERIES_DIR = "/etc/postgres-exporter";
const labels = { "app.kubernetes.io/name": JOURNAL_EXPORTER, "app.kubernetes.io/part-of": "freshplan", "app.kubernetes.io/managed-by": "pulumi" };
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
          securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "postgres-exporter",
              image: config.journal!.exporterImage,
              // Only the journal queries: the monitor login may not read the server's statistics.
              args: [`--extend.query-path=${QUERIES_DIR}/${JOURNAL_QUERIES_FILE}`, "--disable-default-metrics", "--disable-settings-metrics"],
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
      podMetricsEndpoints: [{ port: "metrics", interval: config.alerts.scrapeInterval }],
    },
  };
}
