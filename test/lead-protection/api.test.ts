// Bad arguments raise a clear error with a SQLSTATE and change nothing; each group may do its job and no more.
import { expect } from "chai";
import type { Client } from "pg";
import { leadDatabase, rejection, type LeadDatabase } from "./lead-database";
import { Scenario, berlin } from "./scenario";

const TABLES = ["claim", "progress", "hold", "extension", "reminder", "reminder_outbox"];

describe("lead protection: bad arguments and privileges", function () {
  this.timeout(120_000);
  let db: LeadDatabase;
  let s: Scenario;
  let owner: Client;
  let claim: string;
  let closed: string;
  let hold: string;

  /** Every table's rows as JSON: a refused call must leave all of them as they were. */
  const snapshot = async () => {
    const parts: string[] = [];
    for (const t of TABLES) {
      const { rows } = await owner.query(
        `SELECT coalesce(json_agg(x ORDER BY x.id), '[]')::text AS j FROM lead_protection.${t} x`,
      );
      parts.push(rows[0].j);
    }
    return parts.join("\n");
  };

  before(async () => {
    db = await leadDatabase("lead_api");
    s = new Scenario(db.crm, db.scanner);
    owner = await db.connectAs("owner");
    claim = await s.register("lead-open", berlin("2026-01-05 09:00"));
    hold = await s.hold(
      claim,
      berlin("2026-02-01 00:00"),
      berlin("2026-02-11 00:00"),
      berlin("2026-01-31 00:00"),
      "samples",
    );
    closed = await s.register("lead-converted", berlin("2026-01-05 09:00"));
    await db.crm.query("SELECT lead_protection.convert_claim($1, $2)", [closed, berlin("2026-02-01 12:00")]);
  });
  after(async () => db?.close());

  const refused: [name: string, sql: () => [string, unknown[]], code: string, message: RegExp][] = [
    [
      "an unknown claim",
      () => ["SELECT lead_protection.record_progress(999999, $1, 'customer_reaction')", [berlin("2026-02-01 10:00")]],
      "P0002",
      /claim 999999 does not exist/,
    ],
    [
      "the state of an unknown claim",
      () => ["SELECT * FROM lead_protection.protection_state(999999, now())", []],
      "P0002",
      /claim 999999 does not exist/,
    ],
    [
      "progress before registration",
      () => [
        "SELECT lead_protection.record_progress($1, $2, 'customer_reaction')",
        [claim, berlin("2026-01-05 08:59")],
      ],
      "22023",
      /before claim \d+ was registered/,
    ],
    [
      "progress of an unknown kind",
      () => ["SELECT lead_protection.record_progress($1, $2, 'coffee')", [claim, berlin("2026-02-01 10:00")]],
      "22023",
      /kind 'coffee' is not one of/,
    ],
    [
      "a hold ending before it starts",
      () => [
        "SELECT lead_protection.end_hold(h.id, $2) FROM (SELECT lead_protection.request_hold($1, " +
          "'documents', $3, 'agent-1') AS id) h",
        [claim, berlin("2026-03-01 00:00"), berlin("2026-03-02 00:00")],
      ],
      "22023",
      /cannot end at .* it starts at/,
    ],
    [
      "a hold on a closed claim",
      () => ["SELECT lead_protection.request_hold($1, 'samples', $2, 'agent-1')", [closed, berlin("2026-03-01 00:00")]],
      "55000",
      /is closed \(converted .*\) and never reopens/,
    ],
    [
      "progress on a closed claim",
      () => [
        "SELECT lead_protection.record_progress($1, $2, 'customer_reaction')",
        [closed, berlin("2026-03-01 00:00")],
      ],
      "55000",
      /never reopens/,
    ],
    [
      "an overlapping approved hold of the same reason",
      () => [
        "SELECT lead_protection.approve_hold(lead_protection.request_hold($1, 'samples', $2, 'agent-1'), " +
          "'manager-1', $3)",
        [claim, berlin("2026-02-05 00:00"), berlin("2026-02-04 00:00")],
      ],
      "23P01",
      /overlaps approved hold \d+ with the same reason/,
    ],
    [
      "a hold starting before its approval",
      () => [
        "SELECT lead_protection.approve_hold(lead_protection.request_hold($1, 'documents', $2, 'agent-1'), " +
          "'manager-1', $3)",
        [claim, berlin("2026-03-01 00:00"), berlin("2026-03-02 00:00")],
      ],
      "22023",
      /before its approval/,
    ],
    [
      "a hold approved by its requester",
      () => [
        "SELECT lead_protection.approve_hold(lead_protection.request_hold($1, 'documents', $2, 'agent-1'), " +
          "'agent-1', $3)",
        [claim, berlin("2026-03-01 00:00"), berlin("2026-02-28 00:00")],
      ],
      "22023",
      /cannot approve it too/,
    ],
    [
      "a second approval",
      () => ["SELECT lead_protection.approve_hold($1, 'manager-2', $2)", [hold, berlin("2026-01-31 00:00")]],
      "55000",
      /already approved/,
    ],
    [
      "a hold of an unknown reason",
      () => ["SELECT lead_protection.request_hold($1, 'holiday', $2, 'agent-1')", [claim, berlin("2026-03-01 00:00")]],
      "22023",
      /reason 'holiday' is not one of/,
    ],
    [
      "a hold without requester",
      () => ["SELECT lead_protection.request_hold($1, 'samples', $2, ' ')", [claim, berlin("2026-03-01 00:00")]],
      "22004",
      /requested_by must not be blank/,
    ],
    [
      "a registration in an unknown territory",
      () => ["SELECT lead_protection.register_claim('lead-x', 'agent-1', 'XX', $1)", [berlin("2026-01-05 09:00")]],
      "22023",
      /territory 'XX' is unknown/,
    ],
    [
      "a second claim on a protected lead",
      () => ["SELECT lead_protection.register_claim('lead-open', 'agent-2', 'DE', $1)", [berlin("2026-01-06 09:00")]],
      "23505",
      /lead 'lead-open' is already claimed \(open claim \d+\)/,
    ],
    [
      "a registration at infinity",
      () => ["SELECT lead_protection.register_claim('lead-y', 'agent-1', 'DE', 'infinity')", []],
      "22023",
      /registered_at must be a finite instant/,
    ],
    [
      "a zero extension",
      () => [
        "SELECT lead_protection.extend_term($1, interval '0', 'manager-1', 'why', $2)",
        [claim, berlin("2026-02-01 00:00")],
      ],
      "22023",
      /extra must be a positive interval/,
    ],
    [
      "an extension without reason",
      () => [
        "SELECT lead_protection.extend_term($1, interval '1 month', 'manager-1', '', $2)",
        [claim, berlin("2026-02-01 00:00")],
      ],
      "22004",
      /reason must not be blank/,
    ],
    [
      "marking an unknown reminder sent",
      () => ["SELECT lead_protection.mark_reminder_sent(999999, $1)", [berlin("2026-02-01 00:00")]],
      "P0002",
      /reminder 999999 does not exist/,
    ],
    [
      "an outbox listing of zero rows",
      () => ["SELECT * FROM lead_protection.unsent_reminders(0)", []],
      "22023",
      /limit must be between 1 and 10000/,
    ],
    [
      "a scan without an instant",
      () => ["SELECT * FROM lead_protection.run_scan(NULL)", []],
      "22023",
      /as_of must be a finite instant/,
    ],
  ];

  for (const [name, sql, code, message] of refused) {
    it(`refuses ${name} with SQLSTATE ${code} and changes nothing`, async () => {
      const client = name.startsWith("a scan") ? db.scanner : db.crm;
      const before = await snapshot();
      const [text, params] = sql();
      const err = await rejection(client.query(text, params));
      expect(err.message).to.match(message);
      expect(err.code, err.message).to.equal(code);
      expect(await snapshot()).to.equal(before);
    });
  }

  it("refuses progress after protection ended, even before a scan closed the claim", async () => {
    const c = await s.register("lead-lapsed", berlin("2026-01-05 09:00"));
    await s.scan(berlin("2026-03-06 09:05"));
    await s.send(c, berlin("2026-03-06 09:05"), berlin("2026-03-06 10:00"));
    const before = await snapshot();
    const err = await rejection(s.progress(c, berlin("2026-03-16 10:00")));
    expect(err.code).to.equal("55000");
    expect(err.message).to.match(/ended \(expired_inactivity\) at/);
    expect(await snapshot()).to.equal(before);
  });

  it("lets only the CRM record, only the scanner scan and only the monitor read the metrics", async () => {
    const denied = async (client: Client, sql: string) => {
      const err = await rejection(client.query(sql));
      expect(err.code, `${sql}: ${err.message}`).to.equal("42501");
    };
    const register = "SELECT lead_protection.register_claim('lead-z', 'a', 'DE', now())";
    for (const other of [db.scanner, db.monitor, db.stranger]) await denied(other, register);
    for (const other of [db.crm, db.monitor, db.stranger])
      await denied(other, "SELECT * FROM lead_protection.run_scan(now())");
    for (const other of [db.crm, db.scanner, db.stranger]) await denied(other, "SELECT * FROM lead_protection.metrics");
    for (const client of [db.crm, db.scanner, db.monitor, db.stranger]) {
      await denied(client, "SELECT * FROM lead_protection.claim");
      await denied(client, "UPDATE lead_protection.reminder SET sent_at = now()");
      await denied(client, "SELECT * FROM lead_protection.evaluate_claim(1, now())");
    }
    await denied(db.monitor, "SELECT * FROM lead_protection.protection_state(1, now())");
    for (const other of [db.scanner, db.monitor, db.stranger])
      await denied(other, "SELECT * FROM lead_protection.unsent_reminders(10)");
    expect((await db.monitor.query("SELECT count(*)::int AS n FROM lead_protection.metrics")).rows[0].n).to.equal(3);
    expect(
      (await db.crm.query("SELECT count(*)::int AS n FROM lead_protection.reminder_outbox")).rows[0].n,
    ).to.be.at.least(1);
  });

  it("gives every function a fixed search_path with pg_temp last", async () => {
    const { rows } = await owner.query(`
      SELECT p.proname, (SELECT c FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%') AS path
        FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'lead_protection'::regnamespace ORDER BY 1`);
    expect(rows.length).to.be.at.least(15);
    for (const r of rows) expect(r.path, r.proname).to.equal("search_path=pg_catalog, lead_protection, pg_temp");
  });

  it("is owned and migrated by a role that is not a superuser", async () => {
    const { rows } = await owner.query("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user");
    expect(rows[0].rolsuper).to.equal(false);
    const schemaOwner = await owner.query(
      "SELECT pg_catalog.pg_get_userbyid(nspowner) = current_user AS mine FROM pg_catalog.pg_namespace WHERE " +
        "nspname = 'lead_protection'",
    );
    expect(schemaOwner.rows[0].mine).to.equal(true);
  });
});
