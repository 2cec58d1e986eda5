/** The names and labels the stack's objects, triggers and series share; each is spelled only here. */

/** The Pulumi project, and the namespace of its stack config keys (`freshplan-scaling:territories`). */
export const PROJECT = "freshplan-scaling";

/** `app.kubernetes.io/name` of the API pods; the API PodMonitor selects on it. */
export const API_APP_NAME = "freshplan-api";

/** `app.kubernetes.io/name` of the journal's event workers: never selected as the API. */
export const EVENT_WORKER_APP_NAME = "freshplan-event-worker";

/** The app a workload's pods belong to, and the name of their container. */
export const podAppOf = (workload: string) =>
  workload === "event-worker"
    ? { name: EVENT_WORKER_APP_NAME, container: "event-worker" }
    : { name: API_APP_NAME, container: "api" };

/** The label every object of the stack carries; objects the stack renders itself also say who manages them. */
export const PART_OF = { "app.kubernetes.io/part-of": "freshplan" } as const;
export const MANAGED_LABELS = { ...PART_OF, "app.kubernetes.io/managed-by": "pulumi" } as const;

/** Pod labels that say which territory and workload a pod serves; the scrape maps them to PromQL labels. */
export const TERRITORY_LABEL = "freshplan.io/territory";
export const WORKLOAD_LABEL = "freshplan.io/workload";

/** `freshplan-api-<workload>-<territory>`: the Deployment, Service, PDB and ScaledObject of an API workload. */
export const apiWorkloadName = (territory: string, workload: string) =>
  `freshplan-api-${workload}-${territory.toLowerCase()}`;

/** The event worker Deployment (and ScaledObject) of a territory. */
export const eventWorkerName = (territory: string) => `freshplan-event-worker-${territory.toLowerCase()}`;

/** KEDA names the HPA it creates for a ScaledObject `keda-hpa-<scaledobject>` (kube-state-metrics' label). */
export const kedaHpaName = (scaledObject: string) => `keda-hpa-${scaledObject}`;

/**
 * Trigger names on the ScaledObjects. They are the `scaler` label of KEDA's metrics, so they must
 * stay stable: alerts and dashboards select on them.
 */
export const TRIGGER_NAMES = {
  rps: "rps",
  latencyGuard: "p95-latency-guard",
  businessHours: "business-hours",
  journalBacklog: "journal-backlog",
  season: (name: string) => `season-${name}`,
  campaign: (name: string) => `campaign-${name}`,
  /** A pre-scaling phase of a season or campaign, after its owner's trigger: `season-oktoberfest-lead`. */
  phase: (ownerTrigger: string, phase: string) => `${ownerTrigger}-${phase}`,
} as const;

/** Recording rules of the API group, per territory and workload. */
export const RECORDING_RULES = {
  rps: "freshplan:api_requests:rps",
  p95: "freshplan:api_latency:p95_seconds",
  requestRate: (window: string) => `freshplan:api_requests:rate${window}`,
  sloMissRatio: (window: string) => `freshplan:api_latency_slo_misses:ratio_rate${window}`,
} as const;

/** The PrometheusRule (and its rule file) of the stack. */
export const PROMETHEUS_RULE_NAME = "freshplan-scaling";

/** postgres_exporter of the journal: Deployment, PodMonitor, and its query file. */
export const JOURNAL_EXPORTER = "freshplan-journal-exporter";
export const JOURNAL_QUERIES_CONFIGMAP = "freshplan-journal-exporter-queries";
export const JOURNAL_QUERIES_FILE = "queries.yaml";
/** Prefix of the journal metrics: `<prefix>_<column of integration.event_metrics>`. */
export const JOURNAL_METRIC_PREFIX = "freshplan_journal";
/** Prefix of the lead-protection metrics: `<prefix>_<column of lead_protection.metrics>`. */
export const LEAD_METRIC_PREFIX = "freshplan_lead_protection";
/** Label value of the journal view's total row (territory IS NULL there). */
export const JOURNAL_TOTAL_ROW = "all";
