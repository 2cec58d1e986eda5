/**
 * postgres_exporter's query file run as the monitor login on a real PostgreSQL: every metric column per territory and
 * the total.
 */
import crypto from "crypto";
import { expect } from "chai";
import type { Client } from "pg";
import { parse } from "yaml";
import { JOURNAL_METRIC_PREFIX, JOURNAL_TOTAL_ROW } from "../../model/conventions";
import { journalExporterQueries } from "../../model/journal/exporter";
import { connectClient, journalDatabase, sharedPostgres } from "../support/postgres";

interface ExporterQuery {
  query: string;
  metrics: Record<string, { usage: string }>[];
}

describe("postgres_exporter's journal queries on a real PostgreSQL", () => {
  const role = `test_exporter_${crypto.randomBytes(3).toString("hex")}`;
  const password = crypto.randomBytes(12).toString("hex");
  let admin: Client;
  let monitor: Client;

  before(async () => {
    const server = await sharedPostgres();
    const url = await journalDatabase(server, "journal_exporter");
    admin = await connectClient(url);
    // The login the stack gives the exporter: a member of the monitor group and nothing else.
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' IN ROLE freshplan_journal_monitor`);
    await admin.query(`GRANT CONNECT ON DATABASE ${new URL(url).pathname.slice(1)} TO freshplan_journal_monitor`);
    monitor = await connectClient(server.urlAs(role, password, new URL(url).pathname.slice(1)), role);
  });
  after(async () => {
    await monitor?.end();
    await admin?.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin?.end();
  });

  it("reads every metric column per territory and a total row, signed in as the monitor", async () => {
    await admin.query(`SELECT integration.enqueue_event('order.created', 'org-1', 'CH', 'c-1', '{"n": 1}'::jsonb)`);
    const file = parse(journalExporterQueries()) as Record<string, ExporterQuery>;
    const { query, metrics } = file[JOURNAL_METRIC_PREFIX];
    const { rows, fields } = await monitor.query(query);
    const declared = metrics.map((m) => Object.keys(m)[0]);
    expect(fields.map((f) => f.name)).to.deep.equal(declared);
    expect(rows.map((r) => r.territory)).to.have.members(["DE", "CH", "AT", JOURNAL_TOTAL_ROW]);
    const ch = rows.find((r) => r.territory === "CH");
    const total = rows.find((r) => r.territory === JOURNAL_TOTAL_ROW);
    expect(Number(ch.pending)).to.equal(1);
    expect(Number(total.pending)).to.equal(1);
    for (const column of declared.filter((c) => c !== "territory"))
      expect(Number.isFinite(Number(ch[column])), column).to.equal(true);
  });
});
