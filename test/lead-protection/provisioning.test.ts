// What the stack feeds lead protection on PostgreSQL: territory time zones from the config, and the exporter's query as
// its login.
import { expect } from "chai";
import crypto from "crypto";
import { parse } from "yaml";
import { syncLeadTerritories } from "../../db/lead-territories";
import { LEAD_METRIC_PREFIX } from "../../model/conventions";
import { journalExporterQueries } from "../../model/journal/exporter";
import { connectClient } from "../support/postgres";
import { leadDatabase, rejection, type LeadDatabase, TEST_ZONES } from "./lead-database";
import { Scenario, berlin } from "./scenario";

interface ExporterQuery {
  query: string;
  metrics: Record<string, { usage: string }>[];
}

describe("lead protection: provisioning on PostgreSQL", function () {
  this.timeout(120_000);
  let db: LeadDatabase;
  before(async () => {
    db = await leadDatabase("lead_provisioning");
  });
  after(async () => db?.close());

  const zones = async () => {
    const owner = await db.connectAs("owner");
    const { rows } = await owner.query("SELECT code, time_zone FROM lead_protection.territory ORDER BY code");
    await owner.end();
    return Object.fromEntries(rows.map((r) => [r.code, r.time_zone]));
  };

  it("syncs time zones: adds, changes, deletes an unused territory and keeps one with claims", async () => {
    await new Scenario(db.crm, db.scanner).register("lead-ch", berlin("2026-01-05 09:00"), "CH");
    const sync = await syncLeadTerritories(db.ownerUrl, {
      DE: "Europe/Berlin",
      AT: "Europe/Berlin",
      "DE-BY": "Europe/Berlin",
    });
    expect(sync).to.deep.equal({ added: ["DE-BY"], rezoned: ["AT"], deleted: [], kept: ["CH"] });
    expect(await zones()).to.deep.equal({
      AT: "Europe/Berlin",
      CH: "Europe/Zurich",
      DE: "Europe/Berlin",
      "DE-BY": "Europe/Berlin",
    });
    expect((await syncLeadTerritories(db.ownerUrl, TEST_ZONES)).deleted).to.deep.equal(["DE-BY"]);
    expect(await zones()).to.deep.equal(TEST_ZONES);
  });

  it("refuses a time zone PostgreSQL does not know and changes nothing", async () => {
    const err = await rejection(syncLeadTerritories(db.ownerUrl, { ...TEST_ZONES, DE: "Europe/Bärlin" }));
    expect(err.message).to.match(/a time zone PostgreSQL does not know .*DE=Europe\/Bärlin/);
    expect(await zones()).to.deep.equal(TEST_ZONES);
    expect((await rejection(syncLeadTerritories(db.ownerUrl, { de: "Europe/Berlin" }))).message).to.match(
      /territory code "de" does not match/,
    );
  });

  it("exports every column of lead_protection.metrics per territory, signed in like postgres_exporter", async () => {
    // The exporter's login: the journal monitor group plus, granted by the stack, the lead monitor group.
    const role = `lp_exporter_${crypto.randomBytes(3).toString("hex")}`;
    const password = crypto.randomBytes(12).toString("hex");
    const postgres = await connectClient(db.server.url());
    await postgres.query(
      `CREATE ROLE ${role} LOGIN PASSWORD '${password}' IN ROLE freshplan_journal_monitor, freshplan_lead_monitor`,
    );
    const exporter = await connectClient(db.server.urlAs(role, password, db.database), role);
    try {
      const file = parse(journalExporterQueries()) as Record<string, ExporterQuery>;
      const { query, metrics } = file[LEAD_METRIC_PREFIX];
      const { rows, fields } = await exporter.query(query);
      const declared = metrics.map((m) => Object.keys(m)[0]);
      expect(fields.map((f) => f.name)).to.deep.equal(declared);
      expect(declared).to.include.members([
        "reminders_due_total",
        "reminders_sent_total",
        "reminders_overdue",
        "oldest_unsent_due_age_seconds",
        "claims_protected",
      ]);
      expect(rows.map((r) => r.territory)).to.deep.equal(["AT", "CH", "DE"]);
      for (const column of declared.filter((c) => c !== "territory"))
        expect(Number.isFinite(Number(rows[1][column])), column).to.equal(true);
      // The journal query of the same file still works for the same login.
      const journal = file.freshplan_journal;
      expect((await exporter.query(journal.query)).rows.length).to.be.at.least(1);
    } finally {
      await exporter.end();
      await postgres.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
      await postgres.end();
    }
  });
});
