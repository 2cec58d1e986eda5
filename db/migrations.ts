/**
 * The one migration runner: applies sql/V<n>__<name>.sql in order under an advisory lock and refuses edited applied
 * migrations.
 */
import type { Client } from "pg";
import { connect, describeTarget, type DatabaseTarget } from "./connection";

/** One `V<n>__<name>.sql` file. */
export interface Migration {
  /** The `<n>` of `V<n>__<name>.sql`; migrations apply in ascending numeric order. */
  readonly version: number;
  /** The `<name>` part, underscores kept (Flyway shows them as spaces; we do not). */
  readonly name: string;
  /** File name, e.g. `V1__journal_schema.sql`; used in every error message. */
  readonly file: string;
  /** sha256 (hex) of the file text with CRLF normalised to LF. */
  readonly checksum: string;
  /** The SQL to run. */
  readonly sql: string;
}

export interface MigrationOptions {
  /**
   * How long to wait for another runner's advisory lock before giving up.
   * @default 300000 (5 minutes)
   */
  readonly lockTimeoutMs?: number;
  /**
   * Directory holding the `V<n>__<name>.sql` files.
   * @default the repository's `sql/` directory
   */
  readonly migrationsDir?: string;
  /**
   * Migrations already read (e.g. by the Pulumi program, so that a dynamic provider gets
   * them as inputs and `preview` diffs on checksums). Takes precedence over migrationsDir.
   */
  readonly migrations?: readonly Migration[];
}

export interface MigrationRun {
  /** Migrations applied by this run, in order. */
  readonly applied: readonly Migration[];
  /** Versions that were already applied before this run. */
  readonly alreadyApplied: readonly number[];
}

/** Flyway-style history, outside the `integration` schema so V1 can create that schema. */
export const HISTORY_TABLE = "public.freshplan_schema_history";
/** Key of the session advisory lock held for a whole run ("freshpln" as ASCII). */
export const MIGRATION_LOCK_KEY = "7382074285561506926";

const FILE_PATTERN = /^V(\d+)__([A-Za-z0-9_]+)\.sql$/;

export function defaultMigrationsDir(): string {
  const path = require("path") as typeof import("path");
  return path.resolve(__dirname, "..", "sql");
}

/** sha256 hex of a migration's text; CRLF is normalised so a Windows checkout does not drift. */
export function migrationChecksum(sql: string): string {
  const crypto = require("crypto") as typeof import("crypto");
  return crypto.createHash("sha256").update(sql.replace(/\r\n/g, "\n"), "utf8").digest("hex");
}

/**
 * Reads `V<n>__<name>.sql` from a directory, sorted by numeric version. Any other `.sql`
 * file and duplicate versions are errors: a misnamed migration would otherwise be skipped
 * silently.
 */
export function readMigrations(migrationsDir: string = defaultMigrationsDir()): Migration[] {
  const fs = require("fs") as typeof import("fs");
  const path = require("path") as typeof import("path");
  let entries: string[];
  try {
    entries = fs.readdirSync(migrationsDir);
  } catch (err) {
    throw new Error(`cannot read migrations directory ${migrationsDir}: ${(err as Error).message}`);
  }
  const migrations: Migration[] = [];
  const problems: string[] = [];
  for (const file of entries.filter((f) => f.toLowerCase().endsWith(".sql"))) {
    const match = FILE_PATTERN.exec(file);
    if (!match) {
      problems.push(`${file}: expected a name like V<number>__<name>.sql`);
      continue;
    }
    const sql = fs.readFileSync(path.join(migrationsDir, file), "utf8");
    migrations.push({
      version: Number(match[1]),
      name: match[2],
      file,
      checksum: migrationChecksum(sql),
      sql,
    });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) {
      problems.push(`${migrations[i - 1].file} and ${migrations[i].file} both have version ${migrations[i].version}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`invalid migrations in ${migrationsDir}:\n  ${problems.join("\n  ")}`);
  }
  return migrations;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

async function ensureHistoryTable(client: Client): Promise<void> {
  await client.query(`
    CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (
      version     integer PRIMARY KEY,
      name        text NOT NULL,
      file        text NOT NULL,
      checksum    text NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now(),
      applied_by  text NOT NULL DEFAULT current_user,
      duration_ms integer NOT NULL
    )`);
}

async function appliedMigrations(client: Client): Promise<Map<number, AppliedRow>> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [HISTORY_TABLE]);
  if (!exists.rows[0].t) return new Map();
  const result = await client.query<AppliedRow>(
    `SELECT version, name, checksum FROM ${HISTORY_TABLE} ORDER BY version`,
  );
  return new Map(result.rows.map((r) => [r.version, r]));
}

/** Throws, naming every offending file, when an applied migration differs from its file. */
function verifyApplied(migrations: readonly Migration[], applied: Map<number, AppliedRow>): void {
  const problems: string[] = [];
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  for (const row of applied.values()) {
    const file = byVersion.get(row.version);
    if (!file) {
      problems.push(`version ${row.version} (${row.name}) is applied but no V${row.version}__*.sql file exists`);
    } else if (file.checksum !== row.checksum) {
      problems.push(
        `${file.file} was changed after it was applied (checksum ${file.checksum.slice(0, 12)}…, ` +
          `applied ${row.checksum.slice(0, 12)}…); add a new migration instead of editing it`,
      );
    }
  }
  if (problems.length > 0) {
    throw new Error(`migration history does not match the files:\n  ${problems.join("\n  ")}`);
  }
}

function migrationsOf(options: MigrationOptions): readonly Migration[] {
  return options.migrations ?? readMigrations(options.migrationsDir);
}

/**
 * Migrations not yet applied to the database, in the order they would run. Applies nothing
 * (for `pulumi preview` and `--dry-run`); refuses like applyMigrations when an applied file
 * was edited.
 */
export async function pendingMigrations(target: DatabaseTarget, options: MigrationOptions = {}): Promise<Migration[]> {
  const migrations = migrationsOf(options);
  const client = await connect(target, "freshplan-migrate");
  try {
    const applied = await appliedMigrations(client);
    verifyApplied(migrations, applied);
    return migrations.filter((m) => !applied.has(m.version));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Applies pending migrations in version order, each in its own transaction and recorded in
 * the history table with its checksum. The whole run holds a session advisory lock, so
 * concurrent runners (two pods, the stack and the CLI) apply each migration exactly once:
 * the second waits, then finds nothing left to do.
 */
export async function applyMigrations(target: DatabaseTarget, options: MigrationOptions = {}): Promise<MigrationRun> {
  const migrations = migrationsOf(options);
  const client = await connect(target, "freshplan-migrate");
  try {
    const lockTimeoutMs = options.lockTimeoutMs ?? 300_000;
    await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
    try {
      await client.query("SELECT pg_advisory_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
    } catch (err) {
      throw new Error(
        `another migration run has held the migration lock (pg_advisory_lock ${MIGRATION_LOCK_KEY}) on ` +
          `${describeTarget(target)} for more than ${lockTimeoutMs} ms: ${(err as Error).message}`,
      );
    }
    // The timeout is for the wait above only; a migration's own DDL may wait for its locks.
    await client.query("RESET lock_timeout");
    try {
      await ensureHistoryTable(client);
      const applied = await appliedMigrations(client);
      verifyApplied(migrations, applied);
      const done: Migration[] = [];
      for (const migration of migrations.filter((m) => !applied.has(m.version))) {
        const started = Date.now();
        await client.query("BEGIN");
        try {
          await client.query(migration.sql);
          await client.query(
            `INSERT INTO ${HISTORY_TABLE} (version, name, file, checksum, duration_ms)
             VALUES ($1, $2, $3, $4, $5)`,
            [migration.version, migration.name, migration.file, migration.checksum, Date.now() - started],
          );
          await client.query("COMMIT");
          // A migration's session-level SETs must not leak into the next one.
          await client.query("RESET ALL");
        } catch (err) {
          await client.query("ROLLBACK").catch(() => undefined);
          throw new Error(`${migration.file} failed and was rolled back: ${(err as Error).message}`);
        }
        done.push(migration);
      }
      return { applied: done, alreadyApplied: [...applied.keys()] };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1::bigint)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
