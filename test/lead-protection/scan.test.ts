// The reminder pipeline on PostgreSQL: one reminder per cycle however often or concurrently the scan runs, and the
// metrics it feeds.
import { expect } from "chai";
import { connectClient } from "../support/postgres";
import { leadDatabase, rejection, type LeadDatabase } from "./lead-database";
import { Scenario, berlin } from "./scenario";

describe("lead protection: scan, reminders and metrics", function () {
  this.timeout(120_000);
  let db: LeadDatabase;
  let s: Scenario;

  beforeEach(async () => {
    db = await leadDatabase("lead_scan");
    s = new Scenario(db.crm, db.scanner);
  });
  afterEach(async () => db?.close());

  const count = async (table: string) =>
    (await (await db.connectAs("owner")).query(`SELECT count(*)::int AS n FROM lead_protection.${table}`)).rows[0]
      .n as number;

  it("creates one reminder and one outbox row per cycle when scanned twice", async () => {
    const c = await s.register("lead-1", berlin("2026-01-05 09:00"));
    expect(await s.scan(berlin("2026-03-06 08:59"))).to.deep.equal({
      reminders_created: 0,
      expired_inactivity: 0,
      expired_term: 0,
    });
    expect((await s.scan(berlin("2026-03-06 09:00"))).reminders_created).to.equal(1);
    expect((await s.scan(berlin("2026-03-06 09:05"))).reminders_created).to.equal(0);
    const { rows } = await db.crm.query(
      "SELECT idempotency_key, lead_id, territory, due_at = $2::timestamptz AS on_time FROM " +
        "lead_protection.reminder_outbox WHERE claim_id = $1",
      [c, berlin("2026-03-06 09:00")],
    );
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ lead_id: "lead-1", territory: "DE", on_time: true });
    expect(rows[0].idempotency_key).to.match(new RegExp(`^lead-reminder:${c}:\\d+$`));
    // a new cycle after progress gets its own reminder
    await s.progress(c, berlin("2026-03-07 10:00"));
    expect((await s.scan(berlin("2026-05-06 10:00"))).reminders_created).to.equal(1);
    expect(await count("reminder")).to.equal(2);
  });

  it("creates one reminder when two scans run at the same time", async () => {
    for (let i = 0; i < 20; i++) await s.register(`lead-${i}`, berlin("2026-01-05 09:00"));
    const first = await db.connectAs("scanner");
    const second = await db.connectAs("scanner");
    await first.query("BEGIN");
    const a = (await first.query("SELECT * FROM lead_protection.run_scan($1)", [berlin("2026-03-06 09:00")])).rows[0];
    // The second scan must wait for the first one's transaction, then find nothing left to do.
    const pending = second.query("SELECT * FROM lead_protection.run_scan($1)", [berlin("2026-03-06 09:01")]);
    await new Promise((r) => setTimeout(r, 300));
    // Only a superuser sees other roles' wait events.
    const postgres = await connectClient(db.server.url());
    try {
      const waiting = await postgres.query(
        "SELECT count(*)::int AS n FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND wait_event = 'advisory'",
        [db.database],
      );
      expect(waiting.rows[0].n).to.equal(1);
    } finally {
      await postgres.end();
    }
    await first.query("COMMIT");
    const b = (await pending).rows[0];
    expect([a.reminders_created, b.reminders_created]).to.deep.equal([20, 0]);
    expect(await count("reminder")).to.equal(20);
    expect(await count("reminder_outbox")).to.equal(20);
  });

  it("leaves a claim the CRM is changing to the next scan instead of waiting or deciding on stale facts", async () => {
    const c = await s.register("lead-busy", berlin("2026-01-05 09:00"));
    const crm = await db.connectAs("crm");
    await crm.query("BEGIN");
    await crm.query("SELECT lead_protection.record_progress($1, $2, 'customer_reaction')", [
      c,
      berlin("2026-03-06 08:30"),
    ]);
    expect((await s.scan(berlin("2026-03-06 09:00"))).reminders_created).to.equal(0);
    await crm.query("COMMIT");
    // the progress landed before the deadline: nothing is due, now or at the next scan
    expect((await s.scan(berlin("2026-03-06 09:05"))).reminders_created).to.equal(0);
    expect((await s.state(c, berlin("2026-03-06 09:05"))).state).to.equal("protected");
  });

  it("lets only one of two concurrent registrations of a lead win", async () => {
    const [a, b] = [await db.connectAs("crm"), await db.connectAs("crm")];
    const register = (client: typeof a, owner: string) =>
      client
        .query("SELECT lead_protection.register_claim('lead-race', $1, 'DE', $2) AS id", [
          owner,
          berlin("2026-01-05 09:00"),
        ])
        .then(
          (r) => ({ ok: r.rows[0].id as string }),
          (e: { code?: string; message: string }) => ({ code: e.code, message: e.message }),
        );
    const results = await Promise.all([register(a, "agent-1"), register(b, "agent-2")]);
    expect(results.filter((r) => "ok" in r)).to.have.length(1);
    const lost = results.find((r) => !("ok" in r)) as { code?: string; message: string };
    expect(lost.code).to.equal("23505");
    expect(lost.message).to.match(/lead 'lead-race' is already claimed/);
  });

  it("marks a reminder sent once (a retry keeps the first time) and refuses a cancelled one", async () => {
    const c = await s.register("lead-1", berlin("2026-01-05 09:00"));
    await s.scan(berlin("2026-03-06 09:00"));
    const id = (await s.state(c, berlin("2026-03-06 09:00"))).reminderId!;
    const early = await rejection(
      db.crm.query("SELECT lead_protection.mark_reminder_sent($1, $2)", [id, berlin("2026-03-06 08:00")]),
    );
    expect(early.code).to.equal("22023");
    const first = await db.crm.query("SELECT lead_protection.mark_reminder_sent($1, $2)::text AS t", [
      id,
      berlin("2026-03-06 09:10"),
    ]);
    const retry = await db.crm.query("SELECT lead_protection.mark_reminder_sent($1, $2)::text AS t", [
      id,
      berlin("2026-03-06 11:00"),
    ]);
    expect(retry.rows[0].t).to.equal(first.rows[0].t);
    expect((await s.state(c, berlin("2026-03-06 12:00"))).graceEndsAt).to.equal("2026-03-16 09:10");

    const other = await s.register("lead-2", berlin("2026-01-05 09:00"));
    await s.scan(berlin("2026-03-06 09:00"));
    const moot = (await s.state(other, berlin("2026-03-06 09:00"))).reminderId!;
    await s.progress(other, berlin("2026-03-06 10:00"));
    const err = await rejection(
      db.crm.query("SELECT lead_protection.mark_reminder_sent($1, $2)", [moot, berlin("2026-03-06 11:00")]),
    );
    expect(err.code).to.equal("55000");
    expect(err.message).to.match(/was cancelled at .* do not send it/);
  });

  it("closes expired claims once and counts them", async () => {
    const c = await s.register("lead-1", berlin("2026-01-05 09:00"));
    await s.scan(berlin("2026-03-06 09:00"));
    await s.send(c, berlin("2026-03-06 09:00"), berlin("2026-03-06 09:30"));
    expect((await s.scan(berlin("2026-03-16 09:29"))).expired_inactivity).to.equal(0);
    expect((await s.scan(berlin("2026-03-16 09:30"))).expired_inactivity).to.equal(1);
    expect((await s.scan(berlin("2026-03-16 09:35"))).expired_inactivity).to.equal(0);
    const row = await (
      await db.connectAs("owner")
    ).query("SELECT status, closed_at = $2::timestamptz AS at_end FROM lead_protection.claim WHERE id = $1", [
      c,
      berlin("2026-03-16 09:30"),
    ]);
    expect(row.rows[0]).to.deep.equal({ status: "expired_inactivity", at_end: true });
    // the lead is free again: another agent may register it
    expect(await s.register("lead-1", berlin("2026-03-17 09:00"), "DE", "agent-2")).to.match(/^\d+$/);
  });

  it("reports an old unsent reminder as overdue although later ones were sent on time", async () => {
    const old = await s.register("lead-old", berlin("2026-01-05 09:00"));
    const later = await s.register("lead-later", berlin("2026-01-05 12:00"));
    await s.register("lead-fresh", berlin("2026-03-01 09:00"));
    await s.scan(berlin("2026-03-06 09:00"));
    await s.scan(berlin("2026-03-06 12:00"));
    await s.send(later, berlin("2026-03-06 12:00"), berlin("2026-03-06 12:20"));
    const metrics = async (at: string) =>
      (await db.monitor.query("SELECT * FROM lead_protection.metrics_as_of($1) WHERE territory = 'DE'", [at])).rows[0];
    expect(await metrics(berlin("2026-03-06 09:59"))).to.include({
      reminders_overdue: "0",
      reminder_due: "1",
      protected: "2",
    });
    const at = await metrics(berlin("2026-03-06 12:30"));
    expect(at).to.include({
      reminders_due_total: "2",
      reminders_sent_total: "1",
      reminders_overdue: "1",
      reminder_due: "1",
      grace: "1",
      protected: "1",
    });
    expect(at.oldest_unsent_due_age_seconds).to.equal(3.5 * 3600);
    await s.send(old, berlin("2026-03-06 12:30"), berlin("2026-03-06 12:40"));
    expect(await metrics(berlin("2026-03-06 12:45"))).to.include({
      reminders_overdue: "0",
      reminders_sent_total: "2",
      grace: "2",
    });
    expect((await metrics(berlin("2026-03-06 12:45"))).oldest_unsent_due_age_seconds).to.equal(0);
  });

  it("counts a claim converted later in its state before the conversion", async () => {
    const c = await s.register("lead-1", berlin("2026-01-05 09:00"));
    await db.crm.query("SELECT lead_protection.convert_claim($1, $2)", [c, berlin("2026-02-01 12:00")]);
    const metrics = async (at: string) =>
      (
        await db.monitor.query(
          "SELECT protected, converted FROM lead_protection.metrics_as_of($1) WHERE territory = 'DE'",
          [at],
        )
      ).rows[0];
    expect(await metrics(berlin("2026-01-20 00:00"))).to.deep.equal({ protected: "1", converted: "0" });
    expect(await metrics(berlin("2026-02-01 12:00"))).to.deep.equal({ protected: "0", converted: "1" });
  });

  it("shows a claim whose reminder was never created (no scan ran) as overdue in the live view", async () => {
    await db.crm.query(
      "SELECT lead_protection.register_claim('lead-live', 'agent-1', 'AT', now() - interval '60 days 2 hours')",
    );
    const { rows } = await db.monitor.query("SELECT * FROM lead_protection.metrics ORDER BY territory");
    expect(rows.map((r) => r.territory)).to.deep.equal(["AT", "CH", "DE"]);
    expect(rows[0]).to.include({ reminder_due: "1", reminders_due_total: "0", reminders_overdue: "1" });
    // 2 hours, give or take the DST offset change of a 60-day span
    expect(rows[0].oldest_unsent_due_age_seconds).to.be.within(3600 - 5, 3 * 3600 + 5);
  });
});
