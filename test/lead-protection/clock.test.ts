// Day-by-day scenarios of the contract's clock on PostgreSQL: term, 60 days, grace, holds, extensions, DST.
import { expect } from "chai";
import { leadDatabase, type LeadDatabase } from "./lead-database";
import { Scenario, berlin } from "./scenario";

describe("lead protection: the contract's clock", function () {
  this.timeout(120_000);
  let db: LeadDatabase;
  let s: Scenario;
  let n = 0;
  // Registered 09:00 on 5 January 2026 in Berlin: day 60 is 6 March, the term ends 5 July.
  const registered = berlin("2026-01-05 09:00");
  const claim = () => s.register(`lead-${++n}`, registered);

  before(async () => {
    db = await leadDatabase("lead_clock");
    s = new Scenario(db.crm, db.scanner);
  });
  after(async () => db?.close());

  it("is protected on day 59 and has its deadlines 60 days and 6 months out", async () => {
    const c = await claim();
    expect(await s.state(c, berlin("2026-03-05 09:00"))).to.include({
      state: "protected",
      paused: false,
      reminderDueAt: "2026-03-06 09:00",
      termEndsAt: "2026-07-05 09:00",
      graceEndsAt: null,
    });
    expect((await s.state(c, berlin("2026-03-06 08:59"))).state).to.equal("protected");
  });

  it("is reminder_due on day 60 without progress, and stays so until a reminder is sent", async () => {
    const c = await claim();
    expect((await s.state(c, berlin("2026-03-06 09:00"))).state).to.equal("reminder_due");
    // No reminder sent: the grace period never started, so day 75 is not an expiry.
    expect(await s.state(c, berlin("2026-03-21 09:00"))).to.include({ state: "reminder_due", graceEndsAt: null });
  });

  it("starts the 10-day grace period when the reminder is sent and expires for inactivity at its end", async () => {
    const c = await claim();
    await s.scan(berlin("2026-03-06 09:05"));
    await s.send(c, berlin("2026-03-06 09:05"), berlin("2026-03-08 10:00"));
    expect((await s.state(c, berlin("2026-03-08 09:59"))).state).to.equal("reminder_due");
    expect(await s.state(c, berlin("2026-03-08 10:00"))).to.include({
      state: "grace",
      graceEndsAt: "2026-03-18 10:00",
    });
    expect((await s.state(c, berlin("2026-03-18 09:59"))).state).to.equal("grace");
    expect(await s.state(c, berlin("2026-03-18 10:00"))).to.include({
      state: "expired_inactivity",
      endedAt: "2026-03-18 10:00",
    });
  });

  it("starts a new cycle on progress during grace", async () => {
    const c = await claim();
    await s.scan(berlin("2026-03-06 09:05"));
    await s.send(c, berlin("2026-03-06 09:05"), berlin("2026-03-06 10:00"));
    await s.progress(c, berlin("2026-03-12 14:30"), "customer_reaction");
    expect(await s.state(c, berlin("2026-03-20 09:00"))).to.include({
      state: "protected",
      reminderDueAt: "2026-05-11 14:30",
      graceEndsAt: null,
    });
  });

  it("moves the term, the 60 days and the grace period by a 14-day hold", async () => {
    const c = await claim();
    await s.hold(c, berlin("2026-02-01 00:00"), berlin("2026-02-15 00:00"), berlin("2026-01-30 12:00"));
    expect(await s.state(c, berlin("2026-03-19 09:00"))).to.include({
      state: "protected",
      paused: false,
      reminderDueAt: "2026-03-20 09:00",
      termEndsAt: "2026-07-19 09:00",
    });
    await s.scan(berlin("2026-03-20 09:00"));
    await s.send(c, berlin("2026-03-20 09:00"), berlin("2026-03-20 09:30"));
    expect((await s.state(c, berlin("2026-03-20 09:30"))).graceEndsAt).to.equal("2026-03-30 09:30");
    // a 14-day hold during grace moves its end by 14 days too
    await s.hold(c, berlin("2026-03-25 00:00"), berlin("2026-04-08 00:00"), berlin("2026-03-24 08:00"), "documents");
    expect(await s.state(c, berlin("2026-04-10 09:00"))).to.include({
      state: "grace",
      graceEndsAt: "2026-04-13 09:30",
    });
  });

  it("counts two overlapping holds (1–11 and 5–15 February) once: 14 days, not 20", async () => {
    const c = await claim();
    await s.hold(c, berlin("2026-02-01 00:00"), berlin("2026-02-11 00:00"), berlin("2026-01-30 12:00"), "samples");
    await s.hold(
      c,
      berlin("2026-02-05 00:00"),
      berlin("2026-02-15 00:00"),
      berlin("2026-02-04 12:00"),
      "customer_blackout",
    );
    expect(await s.state(c, berlin("2026-03-01 09:00"))).to.include({
      reminderDueAt: "2026-03-20 09:00",
      termEndsAt: "2026-07-19 09:00",
    });
  });

  it("ignores a hold until it is approved", async () => {
    const c = await claim();
    await db.crm.query("SELECT lead_protection.request_hold($1, 'price_approval', $2, 'agent-1')", [
      c,
      berlin("2026-02-01 00:00"),
    ]);
    expect(await s.state(c, berlin("2026-03-06 09:00"))).to.include({
      state: "reminder_due",
      paused: false,
      reminderDueAt: "2026-03-06 09:00",
    });
  });

  it("freezes every deadline while a hold is open, and lets the clock run on when it ends", async () => {
    const c = await claim();
    const hold = await s.hold(c, berlin("2026-02-01 00:00"), null, berlin("2026-01-31 08:00"));
    // 26 days 15 hours of the 60 had run: 33 days 9 hours remain, whenever we look.
    for (const at of ["2026-04-01 09:00", "2026-09-01 12:00"]) {
      const st = await s.state(c, berlin(at));
      expect(st, at).to.include({ state: "protected", paused: true });
      const remaining = await db.crm.query(
        "SELECT reminder_due_at - $2::timestamptz AS left FROM lead_protection.protection_state($1, $2)",
        [c, berlin(at)],
      );
      expect(remaining.rows[0].left, at).to.deep.include({ days: 33, hours: 9 });
    }
    await db.crm.query("SELECT lead_protection.end_hold($1, $2)", [hold, berlin("2026-04-01 00:00")]);
    expect(await s.state(c, berlin("2026-04-20 09:00"))).to.include({
      state: "protected",
      paused: false,
      reminderDueAt: "2026-05-04 09:00",
    });
    expect((await s.state(c, berlin("2026-05-04 09:00"))).state).to.equal("reminder_due");
  });

  it("ends at 6 months plus holds and extensions although the activity cycle is open", async () => {
    const c = await claim();
    await s.hold(c, berlin("2026-02-01 00:00"), berlin("2026-02-15 00:00"), berlin("2026-01-31 08:00"));
    for (const day of ["2026-03-10", "2026-04-30", "2026-06-15"]) await s.progress(c, berlin(`${day} 11:00`));
    await db.crm.query(
      "SELECT lead_protection.extend_term($1, interval '30 days', 'manager-1', 'sampling scheduled', $2)",
      [c, berlin("2026-06-01 10:00")],
    );
    await s.progress(c, berlin("2026-08-10 11:00"));
    // 5 July + 30 days = 4 August, + 14 days of hold = 18 August 09:00
    expect(await s.state(c, berlin("2026-08-18 08:59"))).to.include({
      state: "protected",
      termEndsAt: "2026-08-18 09:00",
      reminderDueAt: "2026-10-09 11:00",
    });
    expect(await s.state(c, berlin("2026-08-18 09:00"))).to.include({
      state: "expired_term",
      endedAt: "2026-08-18 09:00",
    });
    // before the extension was approved, the term ended 19 July
    expect((await s.state(c, berlin("2026-05-31 10:00"))).termEndsAt).to.equal("2026-07-19 09:00");
    expect((await s.scan(berlin("2026-08-18 09:05"))).expired_term).to.be.at.least(1);
    const closed = await db.crm
      .query("SELECT lead_protection.record_progress($1, $2, 'customer_reaction')", [c, berlin("2026-08-19 09:00")])
      .then(
        () => null,
        (e) => e,
      );
    expect(closed?.code).to.equal("55000");
  });

  it("keeps the term end fixed when the setting says holds do not extend it (clause f)", async () => {
    const c = await claim();
    await s.hold(c, berlin("2026-02-01 00:00"), berlin("2026-02-15 00:00"), berlin("2026-01-31 08:00"));
    const owner = await db.connectAs("owner");
    await owner.query("UPDATE lead_protection.settings SET holds_extend_term = false");
    try {
      expect(await s.state(c, berlin("2026-03-01 09:00"))).to.include({
        termEndsAt: "2026-07-05 09:00",
        reminderDueAt: "2026-03-20 09:00",
      });
    } finally {
      await owner.query("UPDATE lead_protection.settings SET holds_extend_term = true");
    }
  });

  it("ends everything on conversion", async () => {
    const c = await claim();
    await s.scan(berlin("2026-03-06 09:10"));
    await db.crm.query("SELECT lead_protection.convert_claim($1, $2)", [c, berlin("2026-03-07 15:00")]);
    expect(await s.state(c, berlin("2026-12-31 00:00"))).to.include({
      state: "converted",
      endedAt: "2026-03-07 15:00",
    });
    expect((await s.state(c, berlin("2026-03-07 14:59"))).state).to.equal("reminder_due");
    const owner = await db.connectAs("owner");
    const reminder = await owner.query(
      "SELECT cancelled_at IS NOT NULL AS cancelled FROM lead_protection.reminder WHERE claim_id = $1",
      [c],
    );
    expect(reminder.rows).to.deep.equal([{ cancelled: true }]);
    const err = await db.crm
      .query("SELECT lead_protection.request_hold($1, 'samples', $2, 'agent-1')", [c, berlin("2026-03-08 00:00")])
      .then(
        () => null,
        (e) => e,
      );
    expect(err?.code).to.equal("55000");
  });

  it("counts calendar days in the territory's zone across DST changes", async () => {
    // 1 March 09:00 CET (08:00 UTC) + 60 days = 30 April 09:00 CEST (07:00 UTC).
    const c = await s.register(`lead-${++n}`, berlin("2026-03-01 09:00"));
    const utc = await db.crm.query(
      "SELECT to_char(reminder_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS due FROM " +
        "lead_protection.protection_state($1, $2)",
      [c, berlin("2026-03-02 00:00")],
    );
    expect(utc.rows[0].due).to.equal("2026-04-30 07:00");
    expect((await s.state(c, berlin("2026-03-02 00:00"))).reminderDueAt).to.equal("2026-04-30 09:00");
    // Grace across the end of summer time (25 October): sent 20 October 10:00 CEST, ends 30 October 10:00 CET.
    const late = await s.register(`lead-${++n}`, berlin("2026-08-21 10:00"));
    await s.scan(berlin("2026-10-20 10:00"));
    await s.send(late, berlin("2026-10-20 10:00"), berlin("2026-10-20 10:00"));
    expect((await s.state(late, berlin("2026-10-21 00:00"))).graceEndsAt).to.equal("2026-10-30 10:00");
    expect((await s.state(late, "2026-10-30 08:59:59+00")).state).to.equal("grace");
    expect((await s.state(late, "2026-10-30 09:00:00+00")).state).to.equal("expired_inactivity");
    // The same deadline in Zurich's zone, for a CH claim.
    const ch = await s.register(`lead-${++n}`, "2026-03-01 09:00 Europe/Zurich", "CH");
    expect((await s.state(ch, "2026-03-02 00:00 Europe/Zurich")).reminderDueAt).to.equal("2026-04-30 09:00");
  });
});
