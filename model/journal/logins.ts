/**
 * The journal's login roles: which journal group each belongs to, which territories a consumer
 * may drain, and which Kubernetes Secret carries each role's credentials.
 *
 * Least privilege: the migrations create three NOLOGIN groups with exactly the grants each job
 * needs; the stack only creates LOGIN roles and makes them members of one group.
 * - commands Deployments publish events: the shared writer login (EXECUTE enqueue_event);
 * - queries Deployments and event workers of a territory react to them: that territory's consumer
 *   login, mapped to that territory only (claim/mark/replay refuse other territories);
 * - KEDA and postgres_exporter read the backlog and metrics: the monitor login.
 */
import type { WorkloadName } from "../config/schema";

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

const roleSuffix = (territory: string) => territory.toLowerCase().replace(/-/g, "_");

export const writerLogin = (): JournalLogin => ({
  role: "freshplan_writer",
  group: "writer",
  territories: [],
  secretName: "freshplan-journal-writer",
});
export const monitorLogin = (): JournalLogin => ({
  role: "freshplan_monitor",
  group: "monitor",
  territories: [],
  secretName: "freshplan-journal-monitor",
});
export const consumerLogin = (territory: string): JournalLogin => ({
  role: `freshplan_consumer_${roleSuffix(territory)}`,
  group: "consumer",
  territories: [territory],
  secretName: `freshplan-journal-consumer-${territory.toLowerCase()}`,
});

/** The Secret an API workload reads: commands publish (writer), queries react (consumer). */
export function apiCredentialsSecret(territory: string, workload: WorkloadName): string {
  return workload === "commands" ? writerLogin().secretName : consumerLogin(territory).secretName;
}

/** Stack secrets (config keys below the project) the program needs for a raw config. */
export function requiredStackSecrets(raw: Record<string, unknown>): string[] {
  return raw.journal === undefined ? [] : ["journalAdminPassword"];
}

/** Where a login connects: the journal's PostgreSQL as stack config names it. */
export interface JournalConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly sslMode: string;
}

/** The libpq environment of a login role (the password is added by the component, as a secret). */
export function libpqEnvironment(connection: JournalConnection, role: string): Record<string, string> {
  return {
    PGHOST: connection.host,
    PGPORT: String(connection.port),
    PGDATABASE: connection.database,
    PGUSER: role,
    PGSSLMODE: connection.sslMode,
  };
}
