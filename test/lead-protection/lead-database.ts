// A lead-protection test database: migrated by a non-superuser owner, with real logins of the three groups.
import crypto from "crypto";
import type { Client } from "pg";
import { applyMigrations } from "../../db/migrations";
import { syncLeadTerritories } from "../../db/lead-territories";
import { connectClient, sharedPostgres, type PostgresServer } from "../support/postgres";

export const LEAD_GROUPS = {
  crm: "freshplan_lead_crm",
  scanner: "freshplan_lead_scanner",
  monitor: "freshplan_lead_monitor",
} as const;

export const TEST_ZONES = { DE: "Europe/Berlin", CH: "Europe/Zurich", AT: "Europe/Vienna" } as const;

export interface LeadDatabase {
  readonly server: PostgresServer;
  /** The owner (migrating role, not a superuser). */
  readonly ownerUrl: string;
  readonly database: string;
  /** Connected as a login of each group, plus one of no group. */
  readonly crm: Client;
  readonly scanner: Client;
  readonly monitor: Client;
  readonly stranger: Client;
  /** A further connection as the CRM login (for concurrency). */
  connectAs(who: keyof typeof LEAD_GROUPS | "owner"): Promise<Client>;
  close(): Promise<void>;
}

export async function leadDatabase(prefix: string): Promise<LeadDatabase> {
  const server = await sharedPostgres();
  const suffix = crypto.randomBytes(4).toString("hex");
  const password = crypto.randomBytes(12).toString("hex");
  const owner = `lp_owner_${suffix}`;
  const logins = {
    crm: `lp_crm_${suffix}`,
    scanner: `lp_scanner_${suffix}`,
    monitor: `lp_monitor_${suffix}`,
    stranger: `lp_stranger_${suffix}`,
  };
  const postgres = await connectClient(server.url());
  const database = `${prefix}_${suffix}`;
  try {
    await postgres.query(`CREATE ROLE ${owner} LOGIN CREATEROLE NOSUPERUSER PASSWORD '${password}'`);
    await postgres.query(`CREATE DATABASE ${database} OWNER ${owner}`);
  } finally {
    await postgres.end();
  }
  const ownerUrl = server.urlAs(owner, password, database);
  await applyMigrations(ownerUrl);
  await syncLeadTerritories(ownerUrl, TEST_ZONES);
  // The groups are cluster-wide and may have been created by another database's owner, so the
  // logins are made by the superuser, as the stack's admin role would with ADMIN on its groups.
  const admin = await connectClient(server.url());
  try {
    for (const [who, role] of Object.entries(logins)) {
      const group = (LEAD_GROUPS as Record<string, string>)[who];
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'${group ? ` IN ROLE ${group}` : ""}`);
    }
  } finally {
    await admin.end();
  }
  const opened: Client[] = [];
  const connectAs = async (who: keyof typeof logins | "owner") => {
    const client = await connectClient(
      who === "owner" ? ownerUrl : server.urlAs(logins[who], password, database),
      `lead-test-${who}`,
    );
    opened.push(client);
    return client;
  };
  const [crm, scanner, monitor, stranger] = await Promise.all([
    connectAs("crm"),
    connectAs("scanner"),
    connectAs("monitor"),
    connectAs("stranger"),
  ]);
  return {
    server,
    ownerUrl,
    database,
    crm,
    scanner,
    monitor,
    stranger,
    connectAs,
    close: async () => {
      await Promise.all(opened.map((c) => c.end().catch(() => undefined)));
      const cleanup = await connectClient(server.url());
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        for (const role of [...Object.values(logins), owner])
          await cleanup.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error("expected an error, the call succeeded");
}
