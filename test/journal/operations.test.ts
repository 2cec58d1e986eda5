// Operating the journal: draining a retired territory, retention, input limits.
import { expect } from "chai";
import crypto from "crypto";
import type { Client } from "pg";
import { syncTerritories } from "../../db/territories";
import { connectClient, journalDatabase, sharedPostgres, type PostgresServer } from "../support/postgres";

async function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code?: string; message: string };
  }
  return expect.fail("expected the statement to fail");
}

describe("event journal: operations", function () {
  this.timeout(60_000);
  const suffix = crypto.randomBytes(3).toString("hex");
  const password = crypto.randomBytes(12).toString("hex");
  const consumerAT = `test_drain_at_${suffix}`;
  const consumerDE = `test_drain_de_${suffix}`;
  let server: PostgresServer;
  let url: string;
  let db: Client;

  before(async () => {
    server = await sharedPostgres();
    url = await journalDatabase(server, "journal_operations");
    db = await connectClient(url, "operations-admin");
    for (const role of [consumerAT, consumerDE]) {
      await db.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' IN ROLE freshplan_journal_consumer`);
    }
  });
  after(async () => {
    await db?.query(`DROP ROLE IF EXISTS ${consumerAT}`).catch(() => undefined);
    await db?.query(`DROP ROLE IF EXISTS ${consumerDE}`).catch(() => undefined);
    await db?.end();
  });
  beforeEach(async () => {
    await db.query("TRUNCATE integration.event_journal");
    await db.query("UPDATE integration.maintenance_state SET next_purge_at = '-infinity'");
    await db.query(
      "UPDATE integration.settings SET handled_retention = '7 days', purge_batch = 2000, max_payload_bytes = DEFAULT",
    );
  });

  it("lets the consumers of a territory removed from the config drain its backlog", async () => {
    await syncTerritories(url, ["DE", "CH", "AT"], { consumerRoles: { DE: [consumerDE], AT: [consumerAT] } });
    for (let i = 0; i < 3; i++) await db.query("SELECT integration.enqueue_event('x', 'org', 'AT', NULL, '{}')");
    const retired = await syncTerritories(url, ["DE", "CH"], { consumerRoles: { DE: [consumerDE] } });
    expect(retired.retired).to.deep.equal(["AT"]);
    const at = await connectClient(server.urlAs(consumerAT, password, new URL(url).pathname.slice(1)), consumerAT);
    try {
      const { rows } = await at.query("SELECT id, claim_token FROM integration.claim_events('AT', 10, 'at-drain')");
      expect(rows).to.have.length(3);
      const settled = await at.query("SELECT integration.mark_events_handled($1, $2::bigint[]) AS id", [
        rows[0].claim_token,
        rows.map((r) => r.id),
      ]);
      expect(settled.rows).to.have.length(3);
      expect(
        (await at.query("SELECT * FROM integration.claim_events('DE', 1, 'at-drain')").catch((e) => e)).code,
      ).to.equal("42501", "draining AT gives no access to DE");
    } finally {
      await at.end();
      const restored = await syncTerritories(url, ["DE", "CH", "AT"], { consumerRoles: {} });
      expect(restored.reactivated).to.deep.equal(["AT"]);
    }
    expect((await db.query("SELECT count(*)::int AS n FROM integration.consumer_territory")).rows[0].n).to.equal(
      0,
      "the mapping of a configured territory still follows the config",
    );
  });

  it("deletes handled events older than the retention in bounded batches and keeps everything else", async () => {
    const insert = (n: number, state: string, handledAgo: string | null) =>
      db.query(
        `
      INSERT INTO integration.event_journal
             (event_type, org_id, territory, payload, state, attempts, handled_at, created_at)
      SELECT 'x', 'org', 'DE', '{}', $1, 1, now() - $2::interval, now() - interval '30 days'
        FROM generate_series(1, $3)`,
        [state, handledAgo, n],
      );
    await insert(250, "handled", "8 days");
    await insert(5, "handled", "6 days");
    await insert(3, "failed", "30 days");
    await db.query(`INSERT INTO integration.event_journal
                           (event_type, org_id, territory, payload, created_at, available_at)
                    VALUES ('x', 'org', 'CH', '{}', now() - interval '30 days', now() + interval '1 day')`);
    await db.query("UPDATE integration.settings SET purge_batch = 100");

    const counts = async () =>
      (
        await db.query(`
      SELECT state, count(*)::int AS n FROM integration.event_journal GROUP BY state ORDER BY state`)
      ).rows;
    await db.query("SELECT * FROM integration.claim_events('AT', 1, 'w')");
    expect(await counts()).to.deep.equal([
      { state: "failed", n: 3 },
      { state: "handled", n: 155 },
      { state: "pending", n: 1 },
    ]);
    // The next claim right after does not purge again: at most one batch per interval.
    await db.query("SELECT * FROM integration.claim_events('AT', 1, 'w')");
    expect((await counts())[1]).to.deep.equal({ state: "handled", n: 155 });
    expect((await db.query("SELECT integration.purge_handled_events(1000) AS n")).rows[0].n).to.equal(150);
    expect(await counts()).to.deep.equal([
      { state: "failed", n: 3 },
      { state: "handled", n: 5 },
      { state: "pending", n: 1 },
    ]);
  });

  it("refuses event types and org ids made of any whitespace, writing nothing", async () => {
    const enqueue = (type: string, org: string) =>
      db.query("SELECT integration.enqueue_event($1, $2, 'DE', NULL, '{}')", [type, org]);
    for (const blank of ["\t", "\n", " \r\n ", "\u00a0", "\u2003\u3000", "\ufeff"]) {
      const asType = await failure(enqueue(blank, "org"));
      expect(asType.code, JSON.stringify(blank)).to.equal("22023");
      expect(asType.message).to.match(/event_type must be a non-blank text/);
      const asOrg = await failure(enqueue("order.created", blank));
      expect(asOrg.code, JSON.stringify(blank)).to.equal("22023");
      expect(asOrg.message).to.match(/org_id must be a non-blank text/);
    }
    await enqueue("\tpadded\u00a0", "org 7");
    expect((await db.query("SELECT count(*)::int AS n FROM integration.event_journal")).rows[0].n).to.equal(1);
  });

  it("caps the payload size (default 2 MiB) with a clear error and writes nothing", async () => {
    const {
      rows: [{ max }],
    } = await db.query("SELECT max_payload_bytes AS max FROM integration.settings");
    expect(max).to.equal(2 * 1024 * 1024);
    await db.query("UPDATE integration.settings SET max_payload_bytes = 4096");
    const big = JSON.stringify({ note: "x".repeat(5000) });
    const err = await failure(db.query("SELECT integration.enqueue_event('doc', 'org', 'DE', NULL, $1::jsonb)", [big]));
    expect(err.code, err.message).to.equal("54000");
    expect(err.message).to.match(/enqueue_event: payload is \d+ bytes, more than max_payload_bytes \(4096\)/);
    await db.query("SELECT integration.enqueue_event('doc', 'org', 'DE', NULL, $1::jsonb)", [
      JSON.stringify({ note: "small" }),
    ]);
    expect((await db.query("SELECT count(*)::int AS n FROM integration.event_journal")).rows[0].n).to.equal(1);
  });

  it(
    "reads event_metrics from the partial indexes, never the " +
      "whole table, with 100,000 events handled in 5 minutes",
    async () => {
      await db.query(`
      INSERT INTO integration.event_journal (event_type, org_id, territory, payload, state, attempts, handled_at)
      SELECT 'x', 'org', (ARRAY['DE', 'CH', 'AT'])[1 + g % 3], '{}', 'handled', 1,
             now() - (g % 290) * interval '1 second'
        FROM generate_series(1, 100000) g`);
      await db.query("ANALYZE integration.event_journal");
      const {
        rows: [{ "QUERY PLAN": plan }],
      } = await db.query("EXPLAIN (FORMAT JSON) SELECT * FROM integration.event_metrics");
      const scans: string[] = [];
      const walk = (node: Record<string, unknown>) => {
        if (node["Relation Name"] === "event_journal")
          scans.push(`${node["Node Type"]} ${node["Index Name"] ?? ""}`.trim());
        for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
      };
      walk(plan[0].Plan);
      expect(scans.length).to.be.greaterThan(0);
      expect(
        scans.filter((s) => !/^(Index|Index Only|Bitmap Heap) Scan/.test(s) && !/^Bitmap Index Scan/.test(s)),
        scans.join("; "),
      ).to.deep.equal([]);
      const started = process.hrtime.bigint();
      const { rows } = await db.query("SELECT handled_last_5m FROM integration.event_metrics WHERE territory IS NULL");
      expect(rows[0].handled_last_5m).to.equal("100000");
      console.log(
        `      event_metrics with 100,000 handled in 5 minutes: ` +
          `${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)} ms`,
      );
    },
  );
});
