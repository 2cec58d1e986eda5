/**
 * The event journal as the stack provisions it: which login roles exist, which journal group
 * each belongs to, which territories a consumer may drain, which Kubernetes Secret carries each
 * role's credentials, and one KEDA-scaled event worker per territory.
 *
 * Least privilege: the migrations create three NOLOGIN groups with exactly the grants each job
 * needs; the stack only creates LOGIN roles and makes them members of one group.
 * - commands Deployments publish events: the shared writer login (EXECUTE enqueue_event);
 * - queries Deployments and event workers of a territory react to them: that territory's consumer
 *   login, mapped to that territory only (claim/mark/replay refuse other territories);
 * - KEDA and postgres_exporter read the backlog and metrics: the monitor login.
 */
import type { FreshplanConfig, JournalConfig, WorkloadName } from "./config-schema";
import type { KedaTrigger } from "./scaling-plan";
import type { ScaledWorkload } from "./workload-manifests";

export const JOURNAL_GROUPS = {
  writer: "freshplan_journal_writer",
  consumer: "freshplan_journal_consumer",
  monitor: "freshplan_journal_monitor",
} as const;
export type JournalGroup = keyof typeof JOURNAL_GROUPS;

/** Channel the journal's wake-ups are sent on (LISTEN freshplan_events). */
export const JOURNAL_CHANNEL = "freshplan_events";

export interface JournalLogin {
  /** PostgreSQL LOGIN role. */
  readonly role: string;
  readonly group: JournalGroup;
  /** Territories a consumer may drain (empty for writer and monitor). */
  readonly territories: readonly string[];
  /** Kubernetes Secret with this role's connection (libpq variables PGHOST … PGPASSWORD). */
  readonly secretName: string;
}

export interface JournalPlan {
  readonly connection: Omit<JournalConfig, "worker">;
  readonly namespace: string;
  readonly territories: readonly string[];
  readonly logins: readonly JournalLogin[];
  /** Territory → consumer login roles, for integration.consumer_territory. */
  readonly consumerRoles: Readonly<Record<string, readonly string[]>>;
  /** TriggerAuthentication giving KEDA's postgresql scaler the monitor's password. */
  readonly triggerAuthentication: string;
  readonly workers: readonly ScaledWorkload[];
}

const roleSuffix = (territory: string) => territory.toLowerCase().replace(/-/g, "_");
const secretSuffix = (territory: string) => territory.toLowerCase();

export const writerLogin = (): JournalLogin => ({ role: "freshplan_writer", group: "writer", territories: [], secretName: "freshplan-journal-writer" });
export const monitorLogin = (): JournalLogin => ({ role: "freshplan_monitor", group: "monitor", territories: [], secretName: "freshplan-journal-monitor" });
export const consumerLogin = (territory: string): JournalLogin => ({
  role: `freshplan_consumer_${roleSuffix(territory)}`,
  group: "consumer",
  territories: [territory],
  secretName: `freshplan-journal-consumer-${secretSuffix(territory)}`,
});

/** Stack secrets (config keys below the project) the program needs for a raw config. */
export function requiredStackSecrets(raw: Record<string, unknown>): string[] {
  return raw.journal === undefined ? [] : ["journalAdminPassword"];
}

/** The Secret an API workload reads: commands publish (writer), queries react (consumer). */
export function apiCredentialsSecret(territory: string, workload: WorkloadName): string {
  return workload === "commands" ? writerLogin().secretName : consumerLogin(territory).secretName;
}

export function buildJournalPlan(config: FreshplanConfig): JournalPlan | undefined {
  if (!config.journal) return undefined;
  const { worker, ...connection } = config.journal;
  const territories = Object.keys(config.territories);
  const consumers = territories.map(consumerLogin);
  const monitor = monitorLogin();
  const triggerAuthentication = monitor.secretName;
  const workers = territories.map((territory): ScaledWorkload => {
    const backlog: KedaTrigger = {
      type: "postgresql",
      name: "journal-backlog",
      metadata: {
        host: connection.host,
        port: String(connection.port),
        dbName: connection.database,
        userName: monitor.role,
        sslmode: connection.sslMode,
        query: `SELECT integration.pending_event_count('${territory}')`,
        targetQueryValue: String(worker.targetPendingEventsPerReplica),
        activationTargetQueryValue: "0",
      },
      authenticationRef: triggerAuthentication,
    };
    return {
      territory,
      workload: "event-worker",
      name: `freshplan-event-worker-${secretSuffix(territory)}`,
      namespace: config.namespace,
      settings: worker,
      credentialsSecret: consumerLogin(territory).secretName,
      minReplicas: worker.minReplicas,
      maxReplicas: worker.maxReplicas,
      triggers: [backlog],
    };
  });
  return {
    connection,
    namespace: config.namespace,
    territories,
    logins: [writerLogin(), monitor, ...consumers],
    consumerRoles: Object.fromEntries(consumers.map((c) => [c.territories[0], [c.role]])),
    triggerAuthentication,
    workers,
  };
}

/** The libpq environment of a login (the password is added by the component, as a secret). */
export function connectionEnvironment(plan: JournalPlan, login: JournalLogin): Record<string, string> {
  return {
    PGHOST: plan.connection.host,
    PGPORT: String(plan.connection.port),
    PGDATABASE: plan.connection.database,
    PGUSER: login.role,
    PGSSLMODE: plan.connection.sslMode,
    FRESHPLAN_JOURNAL_CHANNEL: JOURNAL_CHANNEL,
  };
}

/** KEDA reads the monitor's password from its Secret; host, user and database are plain metadata. */
export function triggerAuthenticationManifest(plan: JournalPlan) {
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "TriggerAuthentication",
    metadata: { name: plan.triggerAuthentication, namespace: plan.namespace, labels: { "app.kubernetes.io/part-of": "freshplan" } },
    spec: { secretTargetRef: [{ parameter: "password", name: monitorLogin().secretName, key: "PGPASSWORD" }] },
  };
}
