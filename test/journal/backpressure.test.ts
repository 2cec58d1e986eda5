/**
 * Backpressure on a real PostgreSQL: near a full NOTIFY queue only critical events wake listeners, and enqueue never
 * fails for the queue.
 */
import { expect } from "chai";
import type { Client } from "pg";
import { connectClient, journalDatabase, startPostgres, waitFor, type PostgresServer } from "../support/postgres";

// 64 pages (the minimum) hold roughly 13,000 small notifications, so the queue fills in
// seconds. A separate server, because the queue is cluster-wide.
const QUEUE_PAGES = "64";

describe("event journal: notify-queue backpressure", () => {
  let server: PostgresServer;
  let url: string;
  let db: Client;

  before(async () => {
    server = await startPostgres({ settings: { max_notify_queue_pages: QUEUE_PAGES } });
    url = await journalDatabase(server, "journal_backpressure");
    db = await connectClient(url);
    // Every enqueue may notify, so enqueue_event itself can push the queue up.
    await db.query("UPDATE integration.settings SET notify_throttle = '0'");
  });
  after(async () => {
    await db?.end();
    await server?.stop();
  });

  const usage = async () => Number((await db.query("SELECT pg_notification_queue_usage() AS u")).rows[0].u);

  async function fillQueueTo(target: number): Promise<void> {
    while ((await usage()) < target) {
      // Distinct payloads, or PostgreSQL folds them into one notification per transaction.
      await db.query("SELECT pg_notify('freshplan_filler', g::text) FROM generate_series(1, 500) g");
    }
  }

  async function enqueue(n: number, critical: boolean): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const { rows } = await db.query(
        "SELECT integration.enqueue_event('stock.changed', 'org', 'DE', NULL, '{}', $1) AS id",
        [critical],
      );
      ids.push(rows[0].id);
    }
    return ids;
  }

  async function notifiedCount(ids: string[]): Promise<number> {
    const { rows } = await db.query(
      "SELECT count(notified_at)::int AS n FROM integration.event_journal WHERE id = ANY($1::bigint[])",
      [ids],
    );
    return rows[0].n;
  }

  it("journals every event, notifies only critical ones above 0.70 and none above 0.95, and recovers", async () => {
    const live = await connectClient(url, "live-listener");
    let wakeUps = 0;
    live.on("notification", (n) => {
      if (n.channel === "freshplan_events") wakeUps++;
    });
    await live.query("LISTEN freshplan_events");

    // A listener stuck inside a transaction never consumes, so the queue tail stays put.
    const stuck = await connectClient(url, "stuck-listener");
    await stuck.query("LISTEN freshplan_events");
    await stuck.query("BEGIN");
    await stuck.query("SELECT 1");

    try {
      const normal = await enqueue(50, false);
      expect(await notifiedCount(normal)).to.equal(50);
      await waitFor("50 wake-ups", () => wakeUps === 50, 5_000);

      await fillQueueTo(0.72);
      const beforeSoft = wakeUps;
      const dropped = await enqueue(40, false);
      const critical = await enqueue(10, true);
      expect(await notifiedCount(dropped), "non-critical above soft threshold").to.equal(0);
      expect(await notifiedCount(critical), "critical above soft threshold").to.equal(10);
      await waitFor("10 critical wake-ups", () => wakeUps === beforeSoft + 10, 5_000);
      const u = await usage();
      expect(u).to.be.at.least(0.7).and.below(0.95);
      const metrics = await db.query(
        "SELECT notify_queue_usage FROM integration.event_metrics WHERE territory IS NULL",
      );
      expect(metrics.rows[0].notify_queue_usage).to.be.at.least(0.7);

      await fillQueueTo(0.96);
      const beforeHard = wakeUps;
      const silentCritical = await enqueue(20, true);
      const silentNormal = await enqueue(20, false);
      expect(
        await notifiedCount([...silentCritical, ...silentNormal]),
        "nothing notifies above hard threshold",
      ).to.equal(0);
      // Recovery does not fail on a nearly full queue either; it just cannot wake anyone yet.
      const replayedWhileFull = await db.query("SELECT integration.replay_pending('DE') AS n");
      expect(replayedWhileFull.rows[0].n).to.equal(50 + 40 + 10 + 20 + 20);
      await new Promise((r) => setTimeout(r, 200));
      expect(wakeUps).to.equal(beforeHard);

      const {
        rows: [{ n: journaled }],
      } = await db.query("SELECT count(*)::int AS n FROM integration.event_journal");
      expect(journaled).to.equal(140);

      // The stuck listener finishes its transaction, catches up, and the queue drains.
      await stuck.query("ROLLBACK");
      await waitFor("the queue to drain", async () => (await usage()) < 0.1, 15_000);
      const beforeReplay = wakeUps;
      const replayed = await db.query("SELECT integration.replay_pending() AS n");
      expect(replayed.rows[0].n).to.equal(140);
      await waitFor("a replay wake-up", () => wakeUps > beforeReplay, 5_000);

      let handled = 0;
      for (;;) {
        const batch = await db.query<{ id: string; claim_token: string }>(
          "SELECT id, claim_token FROM integration.claim_events('DE', 64, 'drain')",
        );
        if (batch.rows.length === 0) break;
        for (const { id, claim_token } of batch.rows) {
          await db.query("SELECT integration.mark_event_handled($1, $2)", [id, claim_token]);
          handled++;
        }
      }
      expect(handled).to.equal(140);
      const states = await db.query("SELECT state, count(*)::int AS n FROM integration.event_journal GROUP BY state");
      expect(states.rows).to.deep.equal([{ state: "handled", n: 140 }]);
    } finally {
      await stuck.end().catch(() => undefined);
      await live.end().catch(() => undefined);
    }
  });

  it("commits a business transaction whose enqueue was due while the queue filled up to full", async () => {
    const businessUrl = await journalDatabase(server, "journal_commit_notify");
    const business = await connectClient(businessUrl, "business");
    const filler = await connectClient(businessUrl, "filler");
    const stuck = await connectClient(businessUrl, "stuck-listener");
    try {
      await stuck.query("LISTEN freshplan_events");
      await stuck.query("BEGIN");
      await stuck.query("SELECT 1");
      await business.query("BEGIN");
      const {
        rows: [{ id }],
      } = await business.query(
        "SELECT integration.enqueue_event('order.created', 'org', 'DE', NULL, '{}', true) AS id",
      );
      // The queue fills while the business transaction is open, until NOTIFY itself fails.
      let full = false;
      while (!full) {
        try {
          await filler.query("SELECT pg_notify('freshplan_filler', g::text) FROM generate_series(1, 500) g");
        } catch (err) {
          expect((err as Error).message).to.match(/too many notifications in the NOTIFY queue/);
          full = true;
        }
      }
      await business.query("COMMIT");
      const { rows } = await business.query("SELECT state, notified_at FROM integration.event_journal WHERE id = $1", [
        id,
      ]);
      expect(rows).to.deep.equal([{ state: "pending", notified_at: null }]);
    } finally {
      await stuck.query("ROLLBACK").catch(() => undefined);
      await Promise.all([business, filler, stuck].map((c) => c.end().catch(() => undefined)));
    }
  });
});
