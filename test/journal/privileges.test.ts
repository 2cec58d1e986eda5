/**
 * Journal roles on a real PostgreSQL: each group may do its job and nothing else; consumers stay in their territory.
 */
import { expect } from "chai";
import crypto from "crypto";
import type { Client } from "pg";
import { connectClient, journalDatabase, sharedPostgres, type PostgresServer } from "../support/postgres";
import { syncTerritories } from "../../db/territories";

async function expectDenied(promise: Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await promise;
  } catch (err) {
    const e = err as { code?: string; message: string };
    expect(e.message).to.match(message);
    expect(e.code, e.message).to.equal("42501");
    return;
  }
  expect.fail(`expected permission denied matching ${message}`);
}

describe("event journal: privileges and territory isolation", () => {
  const suffix = crypto.randomBytes(3).toString("hex");
  const password = crypto.randomBytes(12).toString("hex");
  const roles = {
    writer: `test_writer_${suffix}`,
    consumerDE: `test_consumer_de_${suffix}`,
    consumerCH: `test_consumer_ch_${suffix}`,
    monitor: `test_monitor_${suffix}`,
    stranger: `test_stranger_${suffix}`,
    atGroup: `test_at_consumers_${suffix}`,
    atPod: `test_at_pod_${suffix}`,
  };
  let server: PostgresServer;
  let url: string;
  let dbName: string;
  let admin: Client;
  const sessions: Client[] = [];
  const as = async (role: string) => {
    const client = await connectClient(server.urlAs(role, password, dbName), role);
    sessions.push(client);
    return client;
  };

  before(async () => {
    server = await sharedPostgres();
    url = await journalDatabase(server, "journal_privileges");
    dbName = new URL(url).pathname.slice(1);
    admin = await connectClient(url);
    const login = (role: string, group?: string) =>
      admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'${group ? ` IN ROLE ${group}` : ""}`);
    await login(roles.writer, "freshplan_journal_writer");
    await login(roles.consumerDE, "freshplan_journal_consumer");
    await login(roles.consumerCH, "freshplan_journal_consumer");
    await login(roles.monitor, "freshplan_journal_monitor");
    await login(roles.stranger);
    // AT is mapped to a group role; its members may consume AT.
    await admin.query(`CREATE ROLE ${roles.atGroup} NOLOGIN IN ROLE freshplan_journal_consumer`);
    await login(roles.atPod, roles.atGroup);
    await syncTerritories(url, ["DE", "CH", "AT"], {
      consumerRoles: { DE: [roles.consumerDE], CH: [roles.consumerCH], AT: [roles.atGroup] },
    });
  });

  after(async () => {
    await Promise.all(sessions.map((c) => c.end().catch(() => undefined)));
    await admin?.end();
    // Roles are cluster-wide: leave none behind on a shared (DATABASE_URL) server.
    const postgres = await connectClient(server.url());
    for (const role of Object.values(roles)) await postgres.query(`DROP ROLE IF EXISTS ${role}`);
    await postgres.end();
  });

  it("lets the writer enqueue and nothing else", async () => {
    const writer = await as(roles.writer);
    const { rows } = await writer.query("SELECT integration.enqueue_event('x', 'org', 'CH', NULL, '{}') AS id");
    expect(rows[0].id).to.match(/^\d+$/);
    await expectDenied(
      writer.query("UPDATE integration.event_journal SET state = 'handled'"),
      /permission denied for table event_journal/,
    );
    await expectDenied(
      writer.query("DELETE FROM integration.event_journal"),
      /permission denied for table event_journal/,
    );
    await expectDenied(
      writer.query(
        "INSERT INTO integration.event_journal (event_type, org_id, territory, payload) VALUES ('x','o','DE','{}')",
      ),
      /permission denied for table event_journal/,
    );
    await expectDenied(
      writer.query("SELECT * FROM integration.event_journal"),
      /permission denied for table event_journal/,
    );
    await expectDenied(
      writer.query("SELECT * FROM integration.claim_events('CH', 1, 'w')"),
      /permission denied for function claim_events/,
    );
    await expectDenied(
      writer.query("SELECT integration.mark_event_handled($1, gen_random_uuid())", [rows[0].id]),
      /permission denied for function mark_event_handled/,
    );
    await expectDenied(
      writer.query("SELECT * FROM integration.event_metrics"),
      /permission denied for view event_metrics/,
    );
    await expectDenied(
      writer.query("UPDATE integration.settings SET notify_throttle = '0'"),
      /permission denied for table settings/,
    );
  });

  it("lets a consumer claim and settle only its own territory's events", async () => {
    const {
      rows: [{ id: chEvent }],
    } = await admin.query("SELECT integration.enqueue_event('x', 'org', 'CH', NULL, '{}') AS id");
    await admin.query("SELECT integration.enqueue_event('x', 'org', 'DE', NULL, '{}')");
    const de = await as(roles.consumerDE);
    const claimed = await de.query("SELECT id, territory, claim_token FROM integration.claim_events('DE', 10, 'de-1')");
    expect(claimed.rows.map((r) => r.territory)).to.deep.equal(["DE"]);
    expect(
      (
        await de.query("SELECT integration.mark_event_handled($1, $2) AS ok", [
          claimed.rows[0].id,
          claimed.rows[0].claim_token,
        ])
      ).rows[0].ok,
    ).to.equal(true);

    await expectDenied(
      de.query("SELECT * FROM integration.claim_events('CH', 10, 'de-1')"),
      new RegExp(`claim_events: role ${roles.consumerDE} may not consume events of territory 'CH'`),
    );
    await expectDenied(de.query("SELECT * FROM integration.claim_events('AT', 10, 'de-1')"), /territory 'AT'/);
    const ch = await as(roles.consumerCH);
    const chClaim = await ch.query("SELECT id, claim_token FROM integration.claim_events('CH', 10, 'ch-1')");
    expect(chClaim.rows.map((r) => r.id)).to.include(chEvent);
    // Even holding the CH claim's token, DE is told the event does not exist (no existence oracle).
    const chToken = chClaim.rows.find((r) => r.id === chEvent).claim_token;
    try {
      await de.query("SELECT integration.mark_event_handled($1, $2)", [chEvent, chToken]);
      expect.fail("expected mark_event_handled to refuse a CH event to DE");
    } catch (err) {
      expect((err as { code?: string }).code).to.equal("P0002");
      expect((err as Error).message).to.match(/mark_event_handled: event \d+ does not exist/);
    }
    await expectDenied(de.query("SELECT integration.replay_pending('CH')"), /replay_pending: .*territory 'CH'/);
    // Without a territory, replay only touches what the caller may consume.
    expect((await de.query("SELECT integration.replay_pending() AS n")).rows[0].n).to.equal(0);

    await expectDenied(
      de.query("SELECT integration.enqueue_event('x', 'org', 'DE', NULL, '{}')"),
      /permission denied for function enqueue_event/,
    );
    await expectDenied(de.query("UPDATE integration.event_journal SET state = 'pending'"), /permission denied/);
    await expectDenied(
      de.query("INSERT INTO integration.consumer_territory VALUES ($1, 'CH')", [roles.consumerDE]),
      /permission denied for table consumer_territory/,
    );
    await expectDenied(
      de.query("SELECT integration.release_expired_leases('CH', 10)"),
      /permission denied for function release_expired_leases/,
    );
    const row = await admin.query("SELECT state, claimed_by FROM integration.event_journal WHERE id = $1", [chEvent]);
    expect(row.rows[0]).to.deep.equal({ state: "claimed", claimed_by: "ch-1" });
  });

  it("lets members of a mapped group role consume that territory", async () => {
    await admin.query("SELECT integration.enqueue_event('x', 'org', 'AT', NULL, '{}')");
    const pod = await as(roles.atPod);
    const claimed = await pod.query(
      "SELECT id, territory, claim_token FROM integration.claim_events('AT', 10, 'at-pod-1')",
    );
    expect(claimed.rows.map((r) => r.territory)).to.deep.equal(["AT"]);
    expect(
      (
        await pod.query("SELECT integration.mark_event_handled($1, $2) AS ok", [
          claimed.rows[0].id,
          claimed.rows[0].claim_token,
        ])
      ).rows[0].ok,
    ).to.equal(true);
    await expectDenied(pod.query("SELECT * FROM integration.claim_events('DE', 10, 'at-pod-1')"), /territory 'DE'/);
  });

  it("lets the monitor read metrics and the pending count only", async () => {
    await admin.query("SELECT integration.enqueue_event('x', 'org', 'AT', NULL, '{}')");
    const monitor = await as(roles.monitor);
    const metrics = await monitor.query("SELECT territory, pending FROM integration.event_metrics ORDER BY territory");
    expect(metrics.rows.find((r) => r.territory === "AT")?.pending).to.equal("1");
    expect((await monitor.query("SELECT integration.pending_event_count('AT') AS n")).rows[0].n).to.equal("1");
    await expectDenied(
      monitor.query("SELECT * FROM integration.event_journal"),
      /permission denied for table event_journal/,
    );
    await expectDenied(
      monitor.query("SELECT integration.enqueue_event('x', 'org', 'AT', NULL, '{}')"),
      /permission denied for function enqueue_event/,
    );
    await expectDenied(
      monitor.query("SELECT * FROM integration.claim_events('AT', 1, 'm')"),
      /permission denied for function claim_events/,
    );
  });

  it("gives a role without a journal group nothing", async () => {
    const stranger = await as(roles.stranger);
    await expectDenied(
      stranger.query("SELECT integration.enqueue_event('x', 'org', 'DE', NULL, '{}')"),
      /permission denied for schema integration/,
    );
    await expectDenied(
      stranger.query("SELECT * FROM integration.event_metrics"),
      /permission denied for schema integration/,
    );
  });
});
