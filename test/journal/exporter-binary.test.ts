/**
 * The real postgres_exporter (Debian's prometheus-postgres-exporter) against PostgreSQL with the
 * stack's query file, signed in as a monitor login: the journal metrics are exported and no
 * collector runs (so none can fail on the restricted login). A missing binary fails with a hint.
 */
import { syncLeadTerritories } from "../../db/lead-territories";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import crypto from "crypto";
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Client } from "pg";
import { journalExporterArgs, journalExporterQueries } from "../../model/journal/exporter";
import { connectClient, journalDatabase, sharedPostgres, waitFor } from "../support/postgres";
import { freePort } from "../support/free-port";

const INSTALL_HINT =
  "prometheus-postgres-exporter is not installed: run `apt-get update && apt-get install -y " +
  "prometheus-postgres-exporter`";

function exporterBinary(): string {
  const found = spawnSync("sh", ["-c", "command -v prometheus-postgres-exporter || command -v postgres_exporter"], {
    encoding: "utf8",
  });
  const bin = found.stdout.trim().split("\n")[0];
  if (found.status !== 0 || !bin) throw new Error(INSTALL_HINT);
  return bin;
}

/** The flags this binary knows, from its --help (an unknown flag would stop it). */
function knownFlags(bin: string): Set<string> {
  const help = spawnSync(bin, ["--help-long"], { encoding: "utf8" });
  return new Set(
    [...`${help.stdout}${help.stderr}`.matchAll(/--(?:\[no-\])?([a-z][a-zA-Z0-9._-]*)/g)].map((m) => m[1]),
  );
}

describe("postgres_exporter binary with the stack's flags and a monitor login", function () {
  this.timeout(60_000);
  const role = `test_exporter_${crypto.randomBytes(3).toString("hex")}`;
  const password = crypto.randomBytes(12).toString("hex");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-exporter-"));
  const queryFile = path.join(dir, "queries.yaml");
  let admin: Client;
  let dataSource: string;
  const children: ChildProcess[] = [];

  before(async () => {
    exporterBinary();
    const server = await sharedPostgres();
    const url = await journalDatabase(server, "journal_exporter_bin");
    const database = new URL(url).pathname.slice(1);
    admin = await connectClient(url);
    await admin.query(
      `CREATE ROLE ${role} LOGIN PASSWORD '${password}' IN ROLE freshplan_journal_monitor, freshplan_lead_monitor`,
    );
    await admin.query(`GRANT CONNECT ON DATABASE ${database} TO freshplan_journal_monitor`);
    await syncLeadTerritories(url, { CH: "Europe/Zurich" });
    await admin.query(`SELECT integration.enqueue_event('order.created', 'org-1', 'CH', 'c-1', '{"n": 1}'::jsonb)`);
    const roleUrl = server.urlAs(role, password, database);
    dataSource = `${roleUrl}${roleUrl.includes("?") ? "&" : "?"}sslmode=disable`;
    fs.writeFileSync(queryFile, journalExporterQueries());
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
    await admin?.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin?.end();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the exporter with `args`, scrapes it once and returns the exposition text and its log. */
  async function scrape(args: string[]): Promise<{ metrics: string; log: string }> {
    const port = await freePort();
    const log: string[] = [];
    const child = spawn(exporterBinary(), [...args, `--web.listen-address=127.0.0.1:${port}`], {
      env: { ...process.env, DATA_SOURCE_NAME: dataSource },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    child.stdout!.on("data", (d) => log.push(String(d)));
    child.stderr!.on("data", (d) => log.push(String(d)));
    let metrics = "";
    await waitFor(`exporter on ${port}: ${log.join("")}`, async () => {
      if (child.exitCode !== null) throw new Error(`exporter exited ${child.exitCode}: ${log.join("")}`);
      metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then(
        (r) => (r.ok ? r.text() : ""),
        () => "",
      );
      return metrics.includes("freshplan_journal_pending");
    });
    child.kill("SIGTERM");
    return { metrics, log: log.join("") };
  }

  it("exports the journal metrics and runs no collector with the stack's flags", async () => {
    const bin = exporterBinary();
    const known = knownFlags(bin);
    // Flags of the pinned image this binary also knows; the others (v0.16 collector names) it would reject.
    const stackArgs = journalExporterArgs(queryFile).filter((a) => known.has(a.replace(/^--(no-)?/, "").split("=")[0]));
    expect(stackArgs).to.include("--no-collector.database");
    // This binary's own default collectors, under its names (v0.11's `bgwriter` is v0.16's `stat_bgwriter`).
    const ownCollectors = [...known].filter((f) => f.startsWith("collector.")).map((f) => `--no-${f}`);
    const { metrics, log } = await scrape([...new Set([...stackArgs, ...ownCollectors])]);
    expect(metrics).to.match(/^freshplan_journal_pending\{[^}]*territory="CH"[^}]*\} 1$/m);
    // The same login also reads lead protection's metrics (the stack makes it a member of both groups).
    expect(metrics).to.match(
      /^freshplan_lead_protection_oldest_unsent_due_age_seconds\{[^}]*territory="CH"[^}]*\} 0$/m,
    );
    expect(metrics).to.match(/^pg_up 1$/m);
    expect(metrics).to.not.match(/^pg_scrape_collector_success/m);
    expect(metrics).to.not.match(/^pg_database_size_bytes/m);
    expect(metrics).to.match(/^pg_exporter_last_scrape_error 0$/m);
    expect(log).to.not.match(/level=error/);
  });

  it(
    "with only --disable-default-metrics the default collectors still run, " + "and one fails on every scrape",
    async () => {
      const { metrics } = await scrape([
        `--extend.query-path=${queryFile}`,
        "--disable-default-metrics",
        "--disable-settings-metrics",
      ]);
      expect(metrics).to.match(/^pg_scrape_collector_success\{collector="database"\}/m);
      // Here the bgwriter collector: PostgreSQL 17 moved its columns to pg_stat_checkpointer.
      expect(metrics).to.match(/^pg_scrape_collector_success\{collector="[a-z_]+"\} 0$/m);
    },
  );
});
