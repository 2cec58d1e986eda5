import { expect } from "chai";
import { applyMigrations } from "../../db/migrations";
import { syncTerritories } from "../../db/territories";
import { connectClient, sharedPostgres } from "../support/postgres";

describe("syncTerritories", () => {
  let url: string;
  let emptyUrl: string;

  before(async () => {
    const server = await sharedPostgres();
    url = server.url(await server.createDatabase("journal_territories"));
    emptyUrl = server.url(await server.createDatabase("journal_unmigrated"));
    await applyMigrations(url);
  });

  const rows = async (sql: string) => {
    const client = await connectClient(url);
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  it("inserts, keeps the consumer mapping complete, and is idempotent", async () => {
    const first = await syncTerritories(url, ["DE", "CH", "AT"], {
      consumerRoles: { DE: ["de_app", "de_batch"], CH: ["ch_app"] },
    });
    expect(first).to.deep.equal({
      added: ["AT", "CH", "DE"],
      reactivated: [],
      retired: [],
      deleted: [],
      consumerMappingChanges: 3,
    });
    const again = await syncTerritories(url, ["DE", "CH", "AT"], {
      consumerRoles: { DE: ["de_app", "de_batch"], CH: ["ch_app"] },
    });
    expect(again).to.deep.equal({ added: [], reactivated: [], retired: [], deleted: [], consumerMappingChanges: 0 });
    const moved = await syncTerritories(url, ["DE", "CH", "AT"], { consumerRoles: { DE: ["de_app"], AT: ["at_app"] } });
    expect(moved.consumerMappingChanges).to.equal(3);
    expect(await rows("SELECT role_name, territory FROM integration.consumer_territory ORDER BY 1")).to.deep.equal([
      { role_name: "at_app", territory: "AT" },
      { role_name: "de_app", territory: "DE" },
    ]);
    // Without consumerRoles the mapping is left alone.
    await syncTerritories(url, ["DE", "CH", "AT"]);
    expect(await rows("SELECT count(*)::int AS n FROM integration.consumer_territory")).to.deep.equal([{ n: 2 }]);
    expect(await rows("SELECT count(*)::int AS n FROM integration.territory_notify_state")).to.deep.equal([{ n: 3 }]);
  });

  it("reports every invalid code and unknown mapping at once, changing nothing", async () => {
    try {
      await syncTerritories(url, ["DE", "de", "X", "CH"], { consumerRoles: { FR: ["fr_app"], CH: [" "] } });
      expect.fail("expected an error");
    } catch (err) {
      const message = (err as Error).message;
      expect(message).to.match(/territory code "de" does not match/);
      expect(message).to.match(/territory code "X" does not match/);
      expect(message).to.match(/consumerRoles\.FR: territory FR is not in the territory list/);
      expect(message).to.match(/consumerRoles\.CH: blank role name/);
    }
    expect(await rows("SELECT code FROM integration.territory ORDER BY code")).to.deep.equal([
      { code: "AT" },
      { code: "CH" },
      { code: "DE" },
    ]);
  });

  it("accepts region codes such as DE-BY, as the config model does", async () => {
    const sync = await syncTerritories(url, ["DE", "CH", "AT", "DE-BY"]);
    expect(sync.added).to.deep.equal(["DE-BY"]);
    expect(
      await rows("SELECT integration.enqueue_event('x', 'org', 'DE-BY', NULL, '{}') IS NOT NULL AS ok"),
    ).to.deep.equal([{ ok: true }]);
  });

  it("asks for the migrations when the schema is missing", async () => {
    try {
      await syncTerritories(emptyUrl, ["DE"]);
      expect.fail("expected an error");
    } catch (err) {
      expect((err as Error).message).to.match(/integration\.territory does not exist: apply the migrations/);
    }
  });
});
