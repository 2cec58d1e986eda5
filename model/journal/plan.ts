/**
 * The event journal as the stack provisions it: the login roles (logins.ts), the territories and
 * their consumers, KEDA's TriggerAuthentication and one KEDA-scaled event worker per territory.
 */
import type { FreshplanConfig, JournalConfig } from "../config/schema";
import { PART_OF, TRIGGER_NAMES, eventWorkerName } from "../conventions";
import type { KedaTrigger, Manifest, ScaledWorkload } from "../keda/types";
import { JOURNAL_CHANNEL, JournalLogin, consumerLogin, libpqEnvironment, monitorLogin, writerLogin } from "./logins";

export interface JournalPlan {
  readonly connection: Omit<JournalConfig, "worker" | "drainTerritories">;
  readonly namespace: string;
  readonly territories: readonly string[];
  readonly logins: readonly JournalLogin[];
  /** Territory → consumer login roles, for integration.consumer_territory. */
  readonly consumerRoles: Readonly<Record<string, readonly string[]>>;
  /** TriggerAuthentication giving KEDA's postgresql scaler the monitor's password. */
  readonly triggerAuthentication: string;
  readonly workers: readonly ScaledWorkload[];
}

export function buildJournalPlan(config: FreshplanConfig): JournalPlan | undefined {
  if (!config.journal) return undefined;
  const { worker, drainTerritories, ...connection } = config.journal;
  const territories = Object.keys(config.territories);
  // A drained territory is retired in the database (enqueue refuses it, its consumer mapping stays),
  // but keeps its consumer login and event worker until its backlog is gone.
  const consumed = [...territories, ...drainTerritories];
  const consumers = consumed.map(consumerLogin);
  const monitor = monitorLogin();
  const triggerAuthentication = monitor.secretName;
  const workers = consumed.map((territory): ScaledWorkload => {
    const backlog: KedaTrigger = {
      type: "postgresql",
      name: TRIGGER_NAMES.journalBacklog,
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
      name: eventWorkerName(territory),
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
    consumerRoles: Object.fromEntries(territories.map((t) => [t, [consumerLogin(t).role]])),
    triggerAuthentication,
    workers,
  };
}

/** The libpq environment of a journal login, and the channel its wake-ups come on. */
export function connectionEnvironment(plan: JournalPlan, login: JournalLogin): Record<string, string> {
  return { ...libpqEnvironment(plan.connection, login.role), FRESHPLAN_JOURNAL_CHANNEL: JOURNAL_CHANNEL };
}

/** KEDA reads the monitor's password from its Secret; host, user and database are plain metadata. */
export function triggerAuthenticationManifest(plan: JournalPlan): Manifest {
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "TriggerAuthentication",
    metadata: { name: plan.triggerAuthentication, namespace: plan.namespace, labels: { ...PART_OF } },
    spec: { secretTargetRef: [{ parameter: "password", name: monitorLogin().secretName, key: "PGPASSWORD" }] },
  };
}
