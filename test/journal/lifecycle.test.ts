import { expect } from "chai";
import type { Client, Notification } from "pg";
import { connectClient, journalDatabase, sharedPostgres, waitFor } from "../support/postgres";
import { syncTerritories } from "../../db/territories";

interface MetricsRow {
  territory: string | null;
  notify_queue_usage: number;
  pending: string;
  claimed: string;
  failed: string;
  oldest_pending_age_seconds: number;
  handled_last_5m: string;
}

async function metrics(client: Client, territory: string | null): Promise<MetricsRow> {
  const { rows } = await client.query<MetricsRow>(
    "SELECT * FROM integration.event_metrics WHERE territory IS NOT DISTINCT FROM $1",
    [territory],
  );
  expect(rows, `metrics row for ${territory ?? "total"}`).to.have.length(1);
  return rows[0];
}

async function expectError(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  try {
    await promise;
  } catch (err) {
    const e = err as { code?: string; message: string };
    expect(e.message).to.match(message);
    expect(e.code, e.message).to.equal(code);
    return;
  }
  expect.fail(`expected an error matching ${message}`);
}

describe("event journal: lifecycle", () => {
  let url: string;
  let db: Client;

  before(async () => {
    url = await journalDatabase(await sharedPostgres(), "journal_lifecycle");
    db = await connectClient(url);
  });
  after(async () => {
    await db?.end();
  });
  beforeEach(async () => {
    await db.query("TRUNCATE integration.event_journal");
    await db.query(
      "UPDATE integration.territory_notify_state SET last_notified_at = '-infinity', next_notify_at = '-infinity'",
    );
    await db.query(`UPDATE integration.settings SET notify_throttle = '25 ms', lease_duration = '30 s',
                      max_attempts = 10, backoff_base = '1 s', backoff_max = '10 min'`);
  });

  it("wakes a listener, then claims and settles the event; metrics follow each step", async () => {
    const listener = await connectClient(url, "listener");
    const wakeUps: Notification[] = [];
    listener.on("notification", (n) => wakeUps.push(n));
    await listener.query("LISTEN freshplan_events");
    try {
      const {
        rows: [{ id }],
      } = await db.query<{ id: string }>(
        `SELECT integration.enqueue_event('order.created', 'org-1', 'DE', 'corr-1', '{"order": 42}') AS id`,
      );
      await waitFor("a wake-up", () => wakeUps.length > 0, 2_000);
      expect(wakeUps[0]).to.include({ channel: "freshplan_events", payload: "DE" });

      let m = await metrics(db, "DE");
      expect(m).to.include({ pending: "1", claimed: "0", failed: "0", handled_last_5m: "0" });
      expect(m.oldest_pending_age_seconds).to.be.at.least(0).and.below(5);
      expect((await metrics(db, null)).pending).to.equal("1");

      const claimed = await db.query("SELECT * FROM integration.claim_events('DE', 10, 'worker-a')");
      expect(claimed.rows).to.have.length(1);
      expect(claimed.rows[0]).to.include({ id, state: "claimed", claimed_by: "worker-a", attempts: 1 });
      expect(claimed.rows[0].payload).to.deep.equal({ order: 42 });
      expect(claimed.rows[0].lease_expires_at).to.be.instanceOf(Date);
      m = await metrics(db, "DE");
      expect(m).to.include({ pending: "0", claimed: "1" });
      expect((await db.query("SELECT * FROM integration.claim_events('DE', 10, 'worker-b')")).rows).to.have.length(
        0,
        "a claimed event is not handed out twice",
      );

      const marked = await db.query("SELECT integration.mark_event_handled($1, NULL, 'worker-a') AS ok", [id]);
      expect(marked.rows[0].ok).to.equal(true);
      m = await metrics(db, "DE");
      expect(m).to.include({ pending: "0", claimed: "0", handled_last_5m: "1" });
      expect((await metrics(db, null)).handled_last_5m).to.equal("1");
      // Idempotent: a repeated success changes nothing.
      expect(
        (await db.query("SELECT integration.mark_event_handled($1, NULL, 'worker-a') AS ok", [id])).rows[0].ok,
      ).to.equal(true);
      const row = await db.query("SELECT state, handled_at FROM integration.event_journal WHERE id = $1", [id]);
      expect(row.rows[0].state).to.equal("handled");
    } finally {
      await listener.end();
    }
  });

  it("coalesces wake-ups within the throttle interval but journals every event", async () => {
    await db.query("UPDATE integration.settings SET notify_throttle = '10 s'");
    for (let i = 0; i < 20; i++) {
      await db.query(`SELECT integration.enqueue_event('tick', 'org', 'CH', NULL, '{}')`);
    }
    const { rows } = await db.query(
      "SELECT count(*)::int AS events, count(notified_at)::int AS notified FROM integration.event_journal",
    );
    expect(rows[0]).to.deep.equal({ events: 20, notified: 1 });
  });

  it("enqueues a 1 MB payload; the notification carries only the territory", async () => {
    const listener = await connectClient(url, "listener");
    const wakeUps: Notification[] = [];
    listener.on("notification", (n) => wakeUps.push(n));
    await listener.query("LISTEN freshplan_events");
    try {
      const big = { blob: "x".repeat(1024 * 1024), items: [1, 2, 3] };
      const {
        rows: [{ id }],
      } = await db.query("SELECT integration.enqueue_event('doc.uploaded', 'org-9', 'AT', NULL, $1::jsonb) AS id", [
        JSON.stringify(big),
      ]);
      await waitFor("a wake-up", () => wakeUps.length > 0, 2_000);
      expect(wakeUps[0].payload).to.equal("AT");
      const stored = await db.query(
        "SELECT length(payload->>'blob') AS n FROM integration.event_journal WHERE id = $1",
        [id],
      );
      expect(stored.rows[0].n).to.equal(1024 * 1024);
    } finally {
      await listener.end();
    }
  });

  it("rejects invalid arguments with messages naming argument and value, writing nothing", async () => {
    const enqueue = (type: unknown, org: unknown, territory: unknown, payload: unknown) =>
      db.query("SELECT integration.enqueue_event($1, $2, $3, NULL, $4::jsonb)", [type, org, territory, payload]);
    await expectError(
      enqueue("t", "o", "XX", "{}"),
      "22023",
      /enqueue_event: territory 'XX' is unknown; known territories: AT, CH, DE/,
    );
    await expectError(enqueue("t", "o", null, "{}"), "22023", /territory NULL is unknown/);
    await expectError(enqueue("t", "o", "DE", null), "22004", /payload must be a JSON value other than null, got NULL/);
    await expectError(enqueue("t", "o", "DE", "null"), "22004", /payload .* got null/);
    await expectError(enqueue("", "o", "DE", "{}"), "22023", /event_type must be a non-blank text, got ''/);
    await expectError(enqueue("   ", "o", "DE", "{}"), "22023", /event_type must be a non-blank text, got '   '/);
    await expectError(enqueue(null, "o", "DE", "{}"), "22023", /event_type .* got NULL/);
    await expectError(enqueue("t", null, "DE", "{}"), "22023", /org_id must be a non-blank text, got NULL/);

    // Inside a caller's transaction the failed call leaves nothing behind either.
    await db.query("BEGIN");
    await db.query("SAVEPOINT s");
    await expectError(enqueue("t", "o", "FR", "{}"), "22023", /territory 'FR' is unknown/);
    await db.query("ROLLBACK TO SAVEPOINT s");
    await db.query("COMMIT");
    const { rows } = await db.query("SELECT count(*)::int AS n FROM integration.event_journal");
    expect(rows[0].n).to.equal(0);
  });

  it("stores injection-shaped strings verbatim", async () => {
    const nasty = [
      "'; DROP TABLE integration.event_journal; --",
      "Robert'); DELETE FROM integration.territory; --",
      "$$ LANGUAGE sql; $$",
      "\\x00 %s %I %L \" ' `",
    ];
    for (const s of nasty) {
      const {
        rows: [{ id }],
      } = await db.query(
        "SELECT integration.enqueue_event($1, $1, 'DE', $1, jsonb_build_object('text', $1::text)) AS id",
        [s],
      );
      const { rows } = await db.query(
        "SELECT event_type, org_id, correlation_id, payload FROM integration.event_journal WHERE id = $1",
        [id],
      );
      expect(rows[0]).to.deep.equal({ event_type: s, org_id: s, correlation_id: s, payload: { text: s } });
    }
    const { rows } = await db.query("SELECT count(*)::int AS n FROM integration.territory");
    expect(rows[0].n).to.equal(3);
  });

  it("retries a failed event with exponential backoff and dead-letters it after max_attempts", async () => {
    await db.query("UPDATE integration.settings SET max_attempts = 3, backoff_base = '0 s', backoff_max = '0 s'");
    const {
      rows: [{ id }],
    } = await db.query("SELECT integration.enqueue_event('credit.check', 'org', 'DE', NULL, '{}') AS id");
    for (let attempt = 1; attempt <= 3; attempt++) {
      const claimed = await db.query("SELECT id, attempts FROM integration.claim_events('DE', 1, 'w')");
      expect(claimed.rows).to.deep.equal([{ id, attempts: attempt }]);
      await db.query("SELECT integration.mark_event_handled($1, $2, 'w')", [id, `boom ${attempt}`]);
    }
    const { rows } = await db.query("SELECT state, last_error, attempts FROM integration.event_journal WHERE id = $1", [
      id,
    ]);
    expect(rows[0]).to.deep.equal({ state: "failed", last_error: "boom 3", attempts: 3 });
    expect((await metrics(db, "DE")).failed).to.equal("1");
    expect((await db.query("SELECT * FROM integration.claim_events('DE', 1, 'w')")).rows).to.have.length(0);

    await db.query("UPDATE integration.settings SET max_attempts = 10, backoff_base = '1 s', backoff_max = '1 min'");
    const {
      rows: [{ id: id2 }],
    } = await db.query("SELECT integration.enqueue_event('credit.check', 'org', 'DE', NULL, '{}') AS id");
    await db.query("SELECT * FROM integration.claim_events('DE', 1, 'w')");
    await db.query("SELECT integration.mark_event_handled($1, 'first', 'w')", [id2]);
    const first = await db.query(
      "SELECT extract(epoch FROM available_at - now()) AS s FROM integration.event_journal WHERE id = $1",
      [id2],
    );
    expect(Number(first.rows[0].s)).to.be.within(0.5, 1.01);
    expect((await db.query("SELECT * FROM integration.claim_events('DE', 1, 'w')")).rows).to.have.length(
      0,
      "not claimable during backoff",
    );
    await db.query("UPDATE integration.event_journal SET available_at = now() WHERE id = $1", [id2]);
    await db.query("SELECT * FROM integration.claim_events('DE', 1, 'w')");
    await db.query("SELECT integration.mark_event_handled($1, 'second', 'w')", [id2]);
    const second = await db.query(
      "SELECT extract(epoch FROM available_at - now()) AS s FROM integration.event_journal WHERE id = $1",
      [id2],
    );
    expect(Number(second.rows[0].s)).to.be.within(1.5, 2.01);
  });

  it("fences a stale consumer whose expired lease was reclaimed by another", async () => {
    await db.query("UPDATE integration.settings SET lease_duration = '50 ms'");
    const {
      rows: [{ id }],
    } = await db.query("SELECT integration.enqueue_event('x', 'org', 'DE', NULL, '{}') AS id");
    await db.query("SELECT * FROM integration.claim_events('DE', 1, 'slow')");
    await new Promise((r) => setTimeout(r, 120));
    await db.query("UPDATE integration.settings SET lease_duration = '30 s'");
    const reclaimed = await db.query("SELECT claimed_by, attempts FROM integration.claim_events('DE', 1, 'fast')");
    expect(reclaimed.rows).to.deep.equal([{ claimed_by: "fast", attempts: 2 }]);

    const stale = await db.query("SELECT integration.mark_event_handled($1, 'late failure', 'slow') AS ok", [id]);
    expect(stale.rows[0].ok).to.equal(false);
    let row = await db.query("SELECT state, claimed_by FROM integration.event_journal WHERE id = $1", [id]);
    expect(row.rows[0]).to.deep.equal({ state: "claimed", claimed_by: "fast" });

    expect((await db.query("SELECT integration.mark_event_handled($1, NULL, 'fast') AS ok", [id])).rows[0].ok).to.equal(
      true,
    );
    expect((await db.query("SELECT integration.mark_event_handled($1, NULL, 'fast') AS ok", [id])).rows[0].ok).to.equal(
      true,
    );
    expect(
      (await db.query("SELECT integration.mark_event_handled($1, 'late', 'slow') AS ok", [id])).rows[0].ok,
    ).to.equal(false);
    expect((await db.query("SELECT integration.mark_event_handled($1, NULL, 'slow') AS ok", [id])).rows[0].ok).to.equal(
      false,
    );
    row = await db.query("SELECT state, claimed_by FROM integration.event_journal WHERE id = $1", [id]);
    expect(row.rows[0]).to.deep.equal({ state: "handled", claimed_by: "fast" });
    await expectError(
      db.query("SELECT integration.mark_event_handled(999999)"),
      "P0002",
      /event 999999 does not exist/,
    );
  });

  it("replay_pending releases expired leases and wakes every territory with claimable events", async () => {
    await db.query("UPDATE integration.settings SET lease_duration = '10 ms', notify_throttle = '1 hour'");
    await db.query("SELECT integration.enqueue_event('x', 'org', 'DE', NULL, '{}')");
    await db.query("SELECT integration.enqueue_event('x', 'org', 'CH', NULL, '{}')");
    await db.query("SELECT integration.enqueue_event('x', 'org', 'CH', NULL, '{}')");
    await db.query("SELECT * FROM integration.claim_events('DE', 5, 'crashed')");
    await new Promise((r) => setTimeout(r, 50));
    const listener = await connectClient(url, "listener");
    const wakeUps: string[] = [];
    listener.on("notification", (n) => wakeUps.push(n.payload ?? ""));
    await listener.query("LISTEN freshplan_events");
    try {
      const { rows } = await db.query("SELECT integration.replay_pending() AS n");
      expect(rows[0].n).to.equal(3);
      await waitFor("two wake-ups", () => wakeUps.length >= 2, 2_000);
      expect([...wakeUps].sort()).to.deep.equal(["CH", "DE"]);
      const de = await db.query(
        "SELECT state, claimed_by, last_error FROM integration.event_journal WHERE territory = 'DE'",
      );
      expect(de.rows[0]).to.include({ state: "pending", claimed_by: null });
      expect(de.rows[0].last_error).to.match(/lease of crashed expired/);
    } finally {
      await listener.end();
    }
  });

  it("refuses events for a territory removed from the config but keeps its history drainable", async () => {
    await db.query("SELECT integration.enqueue_event('x', 'org', 'AT', NULL, '{}')");
    try {
      const sync = await syncTerritories(url, ["DE", "CH", "LI"]);
      expect(sync).to.deep.include({ added: ["LI"], retired: ["AT"], deleted: [] });
      await expectError(
        db.query("SELECT integration.enqueue_event('x', 'org', 'AT', NULL, '{}')"),
        "22023",
        /territory 'AT' was removed from the stack config/,
      );
      expect((await db.query("SELECT * FROM integration.claim_events('AT', 5, 'w')")).rows).to.have.length(1);
      const again = await syncTerritories(url, ["DE", "CH"]);
      expect(again).to.deep.include({ added: [], retired: [], deleted: ["LI"] });
    } finally {
      const restored = await syncTerritories(url, ["DE", "CH", "AT"]);
      expect(restored.reactivated).to.deep.equal(["AT"]);
    }
  });
});
