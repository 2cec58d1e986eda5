// Liveness of the journal: long producer transactions, mass lease expiry, long handlers and the
// backlog KEDA scales on.
import { expect } from "chai";
import type { Client } from "pg";
import { connectClient, journalDatabase, sharedPostgres, waitFor } from "../support/postgres";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code?: string; message: string };
  }
  return expect.fail("expected the statement to fail");
}

describe("event journal: liveness", function () {
  this.timeout(60_000);
  let url: string;
  let db: Client;

  before(async () => {
    url = await journalDatabase(await sharedPostgres(), "journal_liveness");
    db = await connectClient(url, "liveness-admin");
  });
  after(async () => db?.end());
  beforeEach(async () => {
    await db.query("TRUNCATE integration.event_journal");
    await db.query(
      "UPDATE integration.territory_notify_state SET last_notified_at = '-infinity', next_notify_at = '-infinity'",
    );
    await db.query(`UPDATE integration.settings SET notify_throttle = '25 ms', lease_duration = '30 s',
                      max_attempts = 10, backoff_base = '1 s', backoff_max = '10 min', lease_sweep_limit = 500`);
  });

  it("keeps waking a territory and lets replay_pending run while a producer transaction stays open", async () => {
    const listener = await connectClient(url, "liveness-listener");
    const heard: bigint[] = [];
    listener.on("notification", (n) => {
      if (n.payload === "DE") heard.push(process.hrtime.bigint());
    });
    await listener.query("LISTEN freshplan_events");
    const longProducer = await connectClient(url, "long-producer");
    const producer = await connectClient(url, "producer");
    const operator = await connectClient(url, "operator");
    try {
      await longProducer.query("BEGIN");
      await longProducer.query("SELECT integration.enqueue_event('order.created', 'org', 'DE', NULL, '{}')");

      // While that transaction is open: one event every 60 ms, each outside the throttle window.
      const latenciesMs: number[] = [];
      for (let i = 0; i < 30; i++) {
        const before = heard.length;
        const t0 = process.hrtime.bigint();
        await producer.query("SELECT integration.enqueue_event('order.updated', 'org', 'DE', NULL, '{}')");
        await waitFor(`the wake-up for event ${i + 1} of 30`, () => heard.length > before, 2_000);
        latenciesMs.push(Number(heard[before] - t0) / 1e6);
        await sleep(60);
      }
      latenciesMs.sort((a, b) => a - b);
      console.log(
        `      wake-ups during a 2 s open producer transaction: 30/30, p50 ${latenciesMs[14].toFixed(1)} ms, ` +
          `max ${latenciesMs[29].toFixed(1)} ms`,
      );

      await operator.query("SET lock_timeout = '200ms'");
      const replayed = await operator.query("SELECT integration.replay_pending() AS n");
      expect(replayed.rows[0].n).to.equal(30, "the open transaction's event is not visible yet");
      await longProducer.query("COMMIT");
      expect((await db.query("SELECT count(*)::int AS n FROM integration.event_journal")).rows[0].n).to.equal(31);
    } finally {
      await Promise.all([longProducer, producer, operator, listener].map((c) => c.end().catch(() => undefined)));
    }
  });

  it("wakes a territory once at commit for a transaction that journals many events", async () => {
    const listener = await connectClient(url, "bulk-listener");
    const heard: string[] = [];
    listener.on("notification", (n) => heard.push(n.payload ?? ""));
    await listener.query("LISTEN freshplan_events");
    const producer = await connectClient(url, "bulk-producer");
    try {
      await producer.query("BEGIN");
      for (let i = 0; i < 100; i++) {
        await producer.query("SELECT integration.enqueue_event('stock.changed', 'org', $1, NULL, '{}')", [
          i % 2 ? "CH" : "AT",
        ]);
      }
      await sleep(100);
      expect(heard, "nothing is announced before the events are visible").to.deep.equal([]);
      await producer.query("COMMIT");
      await waitFor("two wake-ups", () => heard.length >= 2, 2_000);
      expect([...heard].sort()).to.deep.equal(["AT", "CH"]);
      const { rows } = await db.query(
        "SELECT territory, count(notified_at)::int AS n FROM integration.event_journal GROUP BY territory " +
          "ORDER BY territory",
      );
      expect(rows).to.deep.equal([
        { territory: "AT", n: 1 },
        { territory: "CH", n: 1 },
      ]);
    } finally {
      await producer.end();
      await listener.end();
    }
  });

  it("commits a REPEATABLE READ producer whose wake-up lost the race for the throttle row", async () => {
    const repeatable = await connectClient(url, "repeatable-producer");
    const other = await connectClient(url, "other-producer");
    try {
      await repeatable.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
      const {
        rows: [{ id }],
      } = await repeatable.query("SELECT integration.enqueue_event('order.created', 'org', 'DE', NULL, '{}') AS id");
      // Another producer wakes DE and commits after the first one's snapshot was taken.
      await other.query("SELECT integration.enqueue_event('order.created', 'org', 'DE', NULL, '{}')");
      await repeatable.query("COMMIT");
      const { rows } = await db.query("SELECT state, notified_at FROM integration.event_journal WHERE id = $1", [id]);
      expect(rows).to.deep.equal([{ state: "pending", notified_at: null }]);
    } finally {
      await repeatable.end();
      await other.end();
    }
  });

  it("releases a bounded number of expired leases per claim, so a mass expiry keeps claims fast", async () => {
    await db.query(`
      INSERT INTO integration.event_journal
             (event_type, org_id, territory, payload, state, attempts, claimed_by, claim_token, lease_expires_at,
              created_at, available_at)
      SELECT 'order.created', 'org', 'DE', '{}', 'claimed', 1, 'lost-pod', gen_random_uuid(),
             now() - interval '1 minute', now() - interval '2 minutes', now() - interval '2 minutes'
        FROM generate_series(1, 60000)`);
    await db.query("ANALYZE integration.event_journal");
    const consumer = await connectClient(url, "sweep-consumer");
    try {
      // The review's setting: with an unbounded sweep every claim was cancelled here.
      await consumer.query("SET statement_timeout = '500ms'");
      const { rows } = await consumer.query("SELECT id FROM integration.claim_events('DE', 10, 'fresh-pod')");
      expect(rows).to.have.length(10);
      const stillExpired = await db.query(
        "SELECT count(*)::int AS n FROM integration.event_journal WHERE state = 'claimed' AND " +
          "lease_expires_at <= now()",
      );
      expect(stillExpired.rows[0].n).to.equal(60000 - 500);
      expect((await db.query("SELECT integration.pending_event_count('DE') AS n")).rows[0].n).to.equal(
        String(60000 - 10),
        "expired leases count as claimable backlog",
      );
    } finally {
      await consumer.end();
    }
  });

  it("extends a claim's lease with its token only, so a long handler keeps its events", async () => {
    await db.query("UPDATE integration.settings SET lease_duration = '300 ms'");
    for (let i = 0; i < 3; i++) await db.query("SELECT integration.enqueue_event('doc.scan', 'org', 'CH', NULL, '{}')");
    const { rows: claimed } = await db.query(
      "SELECT id, claim_token FROM integration.claim_events('CH', 10, 'slow-handler')",
    );
    expect(claimed).to.have.length(3);
    const token = claimed[0].claim_token;

    expect((await db.query("SELECT integration.extend_lease(gen_random_uuid()) AS n")).rows[0].n).to.equal(0);
    expect(
      (await db.query("SELECT integration.extend_lease($1, ARRAY[$2::bigint], '1 min') AS n", [token, claimed[0].id]))
        .rows[0].n,
    ).to.equal(1);
    expect((await db.query("SELECT integration.extend_lease($1, NULL, '1 min') AS n", [token])).rows[0].n).to.equal(3);
    const bad = await failure(db.query("SELECT integration.extend_lease($1, NULL, '2 hours')", [token]));
    expect(bad.code, bad.message).to.equal("22023");
    expect(bad.message).to.match(/extension must be above 0 and at most 01:00:00/);
    const nullToken = await failure(db.query("SELECT integration.extend_lease(NULL)"));
    expect(nullToken.code, nullToken.message).to.equal("22004");

    await sleep(500);
    expect((await db.query("SELECT * FROM integration.claim_events('CH', 10, 'other')")).rows).to.have.length(
      0,
      "extended leases are not taken back",
    );
    const settled = await db.query("SELECT integration.mark_events_handled($1, $2::bigint[]) AS id", [
      token,
      claimed.map((r) => r.id),
    ]);
    expect(settled.rows.map((r) => r.id).sort()).to.deep.equal(claimed.map((r) => r.id).sort());
    const again = await db.query("SELECT integration.mark_events_handled($1, $2::bigint[]) AS id", [
      token,
      claimed.map((r) => r.id),
    ]);
    expect(again.rows).to.have.length(3, "a repeated batch success is idempotent");
    const stranger = await db.query("SELECT integration.mark_events_handled(gen_random_uuid(), $1::bigint[]) AS id", [
      claimed.map((r) => r.id),
    ]);
    expect(stranger.rows).to.deep.equal([]);
  });

  it("counts for KEDA only events a worker could claim now, not those waiting out a retry backoff", async () => {
    await db.query("UPDATE integration.settings SET backoff_base = '1 min', backoff_max = '1 hour'");
    for (let i = 0; i < 4; i++)
      await db.query("SELECT integration.enqueue_event('credit.check', 'org', 'AT', NULL, '{}')");
    const { rows } = await db.query("SELECT id, claim_token FROM integration.claim_events('AT', 2, 'w')");
    for (const r of rows)
      await db.query("SELECT integration.mark_event_handled($1, $2, 'bureau down')", [r.id, r.claim_token]);
    expect((await db.query("SELECT integration.pending_event_count('AT') AS n")).rows[0].n).to.equal("2");
    expect((await db.query("SELECT integration.pending_event_count() AS n")).rows[0].n).to.equal("2");
  });
});
