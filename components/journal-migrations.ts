/**
 * Applies the journal migrations and syncs the territory table, as a Pulumi dynamic resource.
 *
 * The migrations travel as resource inputs (version, file, checksum, SQL), so `pulumi preview`
 * shows the pending ones as a diff of `migrations`, and `check` refuses an applied migration whose
 * file changed before anything runs. `up` applies them through the same runner as
 * `npm run db:migrate` (db/migrations.ts).
 *
 * Pulumi serializes the provider into its own process: it may only capture plain data and
 * functions that `require` what they need (db/ is written that way); a test runs the serialized
 * provider in a bare node process against PostgreSQL.
 */
import * as pulumi from "@pulumi/pulumi";
import { applyMigrations, type Migration } from "../db/migrations";
import { syncTerritories } from "../db/territories";
import { syncLeadTerritories } from "../db/lead-territories";

export interface JournalConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  readonly sslMode: string;
}

export interface JournalMigrationState {
  readonly connection: JournalConnection;
  readonly migrations: readonly Migration[];
  readonly territories: readonly string[];
  readonly consumerRoles: Readonly<Record<string, readonly string[]>>;
  /** Territory code → time zone for lead_protection.territory (absent: left as it is). */
  readonly leadTerritoryZones?: Readonly<Record<string, string>>;
}

type Outs = JournalMigrationState & { readonly appliedVersions: readonly number[] };

function clientConfig(c: JournalConnection) {
  // sslmode=disable is for local servers only; every other mode encrypts.
  const ssl =
    c.sslMode === "disable" ? false : { rejectUnauthorized: c.sslMode === "verify-ca" || c.sslMode === "verify-full" };
  return { host: c.host, port: c.port, database: c.database, user: c.user, password: c.password, ssl };
}

async function migrate(inputs: JournalMigrationState): Promise<Outs> {
  const target = clientConfig(inputs.connection);
  const run = await applyMigrations(target, { migrations: inputs.migrations });
  await syncTerritories(target, inputs.territories, { consumerRoles: inputs.consumerRoles });
  if (inputs.leadTerritoryZones) await syncLeadTerritories(target, inputs.leadTerritoryZones);
  return {
    ...inputs,
    appliedVersions: [...run.alreadyApplied, ...run.applied.map((m) => m.version)].sort((a, b) => a - b),
  };
}

const fingerprint = (m: Pick<Migration, "version" | "checksum">) => `${m.version}:${m.checksum}`;

export const journalMigrationProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: Partial<JournalMigrationState>, news: JournalMigrationState) {
    const before = new Map((olds.migrations ?? []).map((m) => [m.version, m]));
    const failures = news.migrations
      .filter((m) => before.has(m.version) && before.get(m.version)!.checksum !== m.checksum)
      .map((m) => ({
        property: "migrations",
        reason:
          `${m.file} was changed after it was applied (checksum ` +
          `${before.get(m.version)!.checksum.slice(0, 12)} → ${m.checksum.slice(0, 12)}); restore it and add a ` +
          `new V<n>__ migration instead`,
      }));
    return { inputs: news, failures };
  },

  async diff(_id: string, olds: Outs, news: JournalMigrationState) {
    const applied = new Set(olds.migrations.map(fingerprint));
    const pending = news.migrations.filter((m) => !applied.has(fingerprint(m)));
    const changed = (key: keyof JournalMigrationState) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]);
    const changes =
      pending.length > 0 ||
      changed("territories") ||
      changed("consumerRoles") ||
      changed("leadTerritoryZones") ||
      changed("connection");
    return { changes, replaces: [], deleteBeforeReplace: false };
  },

  async create(inputs: JournalMigrationState) {
    const outs = await migrate(inputs);
    return { id: `${inputs.connection.host}:${inputs.connection.port}/${inputs.connection.database}`, outs };
  },

  async update(_id: string, _olds: Outs, news: JournalMigrationState) {
    return { outs: await migrate(news) };
  },

  // Deleting the resource never drops the journal: its events are business data.
  async delete() {},
};

export interface JournalMigrationsArgs {
  readonly connection: pulumi.Input<JournalConnection>;
  readonly migrations: readonly Migration[];
  readonly territories: readonly string[];
  readonly consumerRoles: Readonly<Record<string, readonly string[]>>;
  readonly leadTerritoryZones?: Readonly<Record<string, string>>;
}

export class JournalMigrations extends pulumi.dynamic.Resource {
  declare readonly appliedVersions: pulumi.Output<number[]>;

  constructor(name: string, args: JournalMigrationsArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      journalMigrationProvider,
      name,
      { ...args, appliedVersions: undefined },
      opts,
      "freshplan",
      "JournalMigrations",
    );
  }
}
