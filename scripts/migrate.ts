/**
 * `npm run db:migrate`: applies the journal migrations and syncs the stack's territories, after validating its config.
 */
import * as path from "node:path";
import { Command } from "commander";
import { describeTarget } from "../db/connection";
import { applyMigrations, pendingMigrations } from "../db/migrations";
import { syncLeadTerritories } from "../db/lead-territories";
import { syncTerritories } from "../db/territories";
import { buildJournalPlan } from "../model/journal/plan";
import { territoryTimeZones } from "../model/lead-protection/plan";
import { runCli } from "./cli";
import { loadStackConfig } from "./stack-file";

interface CliOptions {
  databaseUrl?: string;
  stack: string;
  dryRun?: boolean;
  projectDir: string;
  configFile?: string;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name("db:migrate")
    .description("Apply pending sql/V<n>__<name>.sql migrations and sync integration.territory from the stack config.")
    .option("--database-url <url>", "PostgreSQL connection string (default: $DATABASE_URL)")
    .option("--stack <name>", "stack whose Pulumi.<stack>.yaml lists the territories", "prod")
    .option("--dry-run", "show pending migrations and territories without changing anything")
    .option("--project-dir <dir>", "directory holding Pulumi.<stack>.yaml", process.cwd())
    .option(
      "--config-file <path>",
      "stack config file (default Pulumi.<stack>.yaml in --project-dir), as for plan and calendar",
    )
    .showHelpAfterError();
  program.parse(argv);
  const opts = program.opts<CliOptions>();

  const databaseUrl = opts.databaseUrl ?? process.env.DATABASE_URL;
  if (!databaseUrl) {
    throw new Error("no database given: pass --database-url postgres://user:pass@host:5432/db or set DATABASE_URL");
  }
  // Validate the config before touching the database, so a config error changes nothing.
  const config = loadStackConfig(
    opts.stack,
    opts.configFile ?? path.join(opts.projectDir, `Pulumi.${opts.stack}.yaml`),
  );
  const codes = Object.keys(config.territories);
  // The same territory → consumer-role mapping the stack keeps (model/journal/plan.ts).
  const consumerRoles = buildJournalPlan(config)?.consumerRoles;
  const where = describeTarget(databaseUrl);

  if (opts.dryRun) {
    const pending = await pendingMigrations(databaseUrl);
    console.log(
      pending.length === 0
        ? `${where}: schema is up to date`
        : `${where}: would apply ${pending.map((m) => m.file).join(", ")}`,
    );
    console.log(`would sync territories of stack ${opts.stack}: ${codes.join(", ")}`);
    return;
  }

  const run = await applyMigrations(databaseUrl);
  console.log(
    run.applied.length === 0
      ? `${where}: schema is up to date (${run.alreadyApplied.length} migrations applied earlier)`
      : `${where}: applied ${run.applied.map((m) => m.file).join(", ")}`,
  );
  const sync = await syncTerritories(databaseUrl, codes, { consumerRoles });
  const changes = [
    sync.added.length > 0 ? `added ${sync.added.join(", ")}` : "",
    sync.reactivated.length > 0 ? `reactivated ${sync.reactivated.join(", ")}` : "",
    sync.retired.length > 0 ? `retired (kept, has events) ${sync.retired.join(", ")}` : "",
    sync.deleted.length > 0 ? `deleted ${sync.deleted.join(", ")}` : "",
  ].filter(Boolean);
  console.log(
    `territories of stack ${opts.stack} (${codes.join(", ")}): ` +
      `${changes.length > 0 ? changes.join("; ") : "unchanged"}`,
  );
  const leads = await syncLeadTerritories(databaseUrl, territoryTimeZones(config));
  const leadChanges = [
    leads.added.length > 0 ? `added ${leads.added.join(", ")}` : "",
    leads.rezoned.length > 0 ? `time zone changed ${leads.rezoned.join(", ")}` : "",
    leads.kept.length > 0 ? `kept (has claims) ${leads.kept.join(", ")}` : "",
    leads.deleted.length > 0 ? `deleted ${leads.deleted.join(", ")}` : "",
  ].filter(Boolean);
  console.log(`lead-protection time zones: ${leadChanges.length > 0 ? leadChanges.join("; ") : "unchanged"}`);
}

runCli("db:migrate", () => main(process.argv));
