// Attacks on territory isolation and claim fencing, run as the production roles would be set up:
// a non-superuser CREATEROLE owner migrates, consumers sign in as members of the consumer group.
import { expect } from "chai";
import crypto from "crypto";
import type { Client } from "pg";
import { applyMigrations } from "../../db/migrations";
import { syncTerritories } from "../../db/territories";
import { connectClient, sharedPostgres, type PostgresServer } from "../support/postgres";

async function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code?: string; message: string };
  }
  return expect.fail("expected the statement to fail");
}

describe("event journal: isolation attacks", () => {
  const suffix = crypto.randomBytes(3).toString("hex");
  const password = crypto.randomBytes(12).toString("hex");
  const roles = {
    owner: `test_owner_${suffix}`,
    consumerDE: `test_attack_de_${suffix}`,
    consumerCH: `test_attack_ch_${suffix}`,
  };
  let server: PostgresServer;
  let dbName: string;
  let owner: Client;
  const sessions: Client[] = [];
  const as = async (role: string) => {
    const client = await connectClient(server.urlAs(role, password, dbName), role);
    sessions.push(client);
    return client;
  };
  const enqueue = async (territory: string) =>
    (
      await owner.query("SELECT integration.enqueue_event('order.created', 'org', $1, NULL, '{\"secret\": 1}') AS id", [
        territory,
      ])
    ).rows[0].id as string;
  const stateOf = async (id: string) =>
    (await owner.query("SELECT state, claimed_by FROM integration.event_journal WHERE id = $1", [id])).rows[0];

  before(async () => {
    server = await sharedPostgres();
    const superuser = await connectClient(server.url());
    try {
      await superuser.query(`CREATE ROLE ${roles.owner} LOGIN CREATEROLE PASSWORD '${password}'`);
      dbName = `journal_attacks_${suffix}`;
      await superuser.query(`CREATE DATABASE ${dbName} OWNER ${roles.owner}`);
    } finally {
      await superuser.end();
    }
    const ownerUrl = server.urlAs(roles.owner, password, dbName);
    await applyMigrations(ownerUrl);
    const admin = await connectClient(server.url(dbName));
    try {
      for (const [role, territory] of [
        [roles.consumerDE, "DE"],
        [roles.consumerCH, "CH"],
      ]) {
        await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' IN ROLE freshplan_journal_consumer`);
        void territory;
      }
    } finally {
      await admin.end();
    }
    await syncTerritories(ownerUrl, ["DE", "CH", "AT"], {
      consumerRoles: { DE: [roles.consumerDE], CH: [roles.consumerCH] },
    });
    owner = await connectClient(ownerUrl, "owner");
  });

  after(async () => {
    await Promise.all(sessions.map((c) => c.end().catch(() => undefined)));
    await owner?.end();
    const superuser = await connectClient(server.url());
    try {
      await superuser.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      for (const role of Object.values(roles)) await superuser.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await superuser.end();
    }
  });

  it("ends every journal function's search_path with pg_temp", async () => {
    const { rows } = await owner.query<{ fn: string; config: string[] | null }>(`
      SELECT p.oid::regprocedure::text AS fn, p.proconfig AS config
        FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'integration'::regnamespace ORDER BY 1`);
    expect(rows.length).to.be.greaterThan(5);
    const wrong = rows.filter((r) => !(r.config ?? []).includes("search_path=pg_catalog, integration, pg_temp"));
    expect(wrong.map((r) => `${r.fn}: ${JSON.stringify(r.config)}`)).to.deep.equal([]);
  });

  it("gives PUBLIC no TEMP on the journal database, so a consumer cannot create a temporary view", async () => {
    const de = await as(roles.consumerDE);
    const err = await failure(
      de.query("CREATE TEMP VIEW pg_roles AS SELECT session_user AS rolname, true AS rolsuper, 0::oid AS oid"),
    );
    expect(err.code, err.message).to.equal("42501");
    expect(err.message).to.match(/permission denied to create temporary tables/);
  });

  it("refuses a DE consumer that shadows pg_roles and pg_namespace with temporary views", async () => {
    const chEvent = await enqueue("CH");
    // A database whose owner never revoked TEMP: the functions must hold on their own.
    await owner.query(`GRANT TEMPORARY ON DATABASE ${dbName} TO ${roles.consumerDE}`);
    try {
      const de = await as(roles.consumerDE);
      await de.query("CREATE TEMP VIEW pg_roles AS SELECT session_user AS rolname, true AS rolsuper, 0::oid AS oid");
      await de.query(`CREATE TEMP VIEW pg_namespace AS SELECT 'integration'::name AS nspname,
                        (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = session_user) AS nspowner`);
      await de.query(
        "CREATE TEMP TABLE consumer_territory AS SELECT session_user::text AS role_name, 'CH'::text AS territory",
      );
      // The functions run as the journal owner, who must be able to read the decoys.
      await de.query("GRANT SELECT ON pg_temp.pg_roles, pg_temp.pg_namespace, pg_temp.consumer_territory TO PUBLIC");
      const claim = await failure(
        de.query("SELECT id, payload FROM integration.claim_events('CH', 100, 'de-attacker')"),
      );
      expect(claim.code, claim.message).to.equal("42501");
      expect(claim.message).to.match(/may not consume events of territory 'CH'/);
      const replay = await failure(de.query("SELECT integration.replay_pending('CH')"));
      expect(replay.code, replay.message).to.equal("42501");
      const mark = await failure(de.query("SELECT integration.mark_event_handled($1, gen_random_uuid())", [chEvent]));
      expect(mark.code, mark.message).to.equal("P0002");
      expect(await stateOf(chEvent)).to.deep.equal({ state: "pending", claimed_by: null });

      // The CH worker still sees and settles its event.
      const ch = await as(roles.consumerCH);
      const { rows } = await ch.query("SELECT id, claim_token FROM integration.claim_events('CH', 100, 'ch-1')");
      expect(rows.map((r) => r.id)).to.include(chEvent);
      const token = rows.find((r) => r.id === chEvent).claim_token;
      expect(
        (await ch.query("SELECT integration.mark_event_handled($1, $2) AS ok", [chEvent, token])).rows[0].ok,
      ).to.equal(true);
    } finally {
      await owner.query(`REVOKE TEMPORARY ON DATABASE ${dbName} FROM ${roles.consumerDE}`);
    }
  });

  it("answers a consumer about another territory's event exactly as about a missing one", async () => {
    const chEvent = await enqueue("CH");
    const de = await as(roles.consumerDE);
    const missingId = String(BigInt(chEvent) + 1_000_000n);
    const foreign = await failure(de.query("SELECT integration.mark_event_handled($1, gen_random_uuid())", [chEvent]));
    const missing = await failure(
      de.query("SELECT integration.mark_event_handled($1, gen_random_uuid())", [missingId]),
    );
    expect({ code: foreign.code, message: foreign.message.replace(chEvent, "N") }).to.deep.equal({
      code: missing.code,
      message: missing.message.replace(missingId, "N"),
    });
    expect(missing.code).to.equal("P0002");
    expect(await stateOf(chEvent)).to.deep.equal({ state: "pending", claimed_by: null });
  });

  it("settles a claim only with its owner token; a NULL or another claim's token settles nothing", async () => {
    await owner.query("UPDATE integration.settings SET lease_duration = '30 s'");
    const id = await enqueue("DE");
    const de = await as(roles.consumerDE);
    const {
      rows: [claim],
    } = await de.query("SELECT id, claim_token FROM integration.claim_events('DE', 1, 'de-owner') WHERE id = $1", [id]);
    expect(claim.claim_token).to.match(/^[0-9a-f-]{36}$/);
    const other = await enqueue("DE");
    const {
      rows: [otherClaim],
    } = await de.query("SELECT claim_token FROM integration.claim_events('DE', 10, 'de-other') WHERE id = $1", [other]);

    const nullToken = await failure(de.query("SELECT integration.mark_event_handled($1, NULL)", [id]));
    expect(nullToken.code, nullToken.message).to.equal("22004");
    expect(nullToken.message).to.match(/claim_token must be the claim_token claim_events returned, got NULL/);
    expect(
      (await de.query("SELECT integration.mark_event_handled($1, $2) AS ok", [id, otherClaim.claim_token])).rows[0].ok,
    ).to.equal(false);
    expect(
      (await de.query("SELECT integration.mark_event_handled($1, $2, 'boom') AS ok", [id, crypto.randomUUID()])).rows[0]
        .ok,
    ).to.equal(false);
    expect(await stateOf(id)).to.deep.equal({ state: "claimed", claimed_by: "de-owner" });

    expect(
      (await de.query("SELECT integration.mark_event_handled($1, $2) AS ok", [id, claim.claim_token])).rows[0].ok,
    ).to.equal(true);
    expect(
      (await de.query("SELECT integration.mark_event_handled($1, $2) AS ok", [id, claim.claim_token])).rows[0].ok,
    ).to.equal(true, "a repeated success by the same claim is idempotent");
    expect(
      (await de.query("SELECT integration.mark_event_handled($1, $2) AS ok", [id, otherClaim.claim_token])).rows[0].ok,
    ).to.equal(false);
    // The consumer-name signature, which let a NULL consumer settle anyone's claim, is gone.
    const old = await failure(
      de.query("SELECT integration.mark_event_handled($1::bigint, NULL::text, 'de-owner'::text)", [other]),
    );
    expect(old.code, old.message).to.equal("42883");
  });
});
