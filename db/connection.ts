/**
 * Connections to the journal's PostgreSQL from a connection string or a node-postgres config, described without the
 * password.
 */
import type { Client, ClientConfig } from "pg";

/** A libpq connection string (`postgres://user:pass@host:5432/db`) or a node-postgres config. */
export type DatabaseTarget = string | ClientConfig;

/**
 * Opens a connection. `pg` is required here rather than imported at the top so that the
 * functions of db/ can be serialized into a Pulumi dynamic provider without capturing a
 * live module object.
 */
export async function connect(target: DatabaseTarget, applicationName: string): Promise<Client> {
  const pg = require("pg") as typeof import("pg");
  const config: ClientConfig = typeof target === "string" ? { connectionString: target } : { ...target };
  config.application_name ??= applicationName;
  const client = new pg.Client(config);
  // A terminated backend emits 'error' on the client; unhandled, it would kill the process.
  // The failure still surfaces as a rejected query.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`cannot connect to ${describeTarget(target)}: ${(err as Error).message}`);
  }
  return client;
}

/** Host/port/database of a target without its password, for error messages. */
export function describeTarget(target: DatabaseTarget): string {
  if (typeof target !== "string") {
    return `${target.host ?? "localhost"}:${target.port ?? 5432}/${target.database ?? ""}`;
  }
  try {
    const url = new URL(target);
    return `${url.hostname}:${url.port || "5432"}${url.pathname}`;
  } catch {
    return "(unparseable connection string)";
  }
}
