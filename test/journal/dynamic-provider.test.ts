/**
 * The journal migrations' dynamic provider, serialized the way Pulumi does and run in a bare node process against
 * PostgreSQL.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { migrationChecksum, readMigrations } from "../../db/migrations";
import { journalMigrationProvider } from "../../components/journal-migrations";
import { connectClient, sharedPostgres } from "../support/postgres";

const run = promisify(execFile);
const ROOT = path.join(__dirname, "..", "..");

/**
 * Drives the serialized provider in a bare `node` process (no tsx, no test code), the way Pulumi's
 * dynamic provider host runs it: it only has the serialized text and the project's node_modules.
 */
const DRIVER = `
const provider = require(process.argv[2]).handler();
const call = JSON.parse(require("fs").readFileSync(process.argv[3], "utf8"));
Promise.resolve(provider[call.method](...call.args))
  .then((result) => process.stdout.write(JSON.stringify(result === undefined ? null : result)))
  .catch((e) => { process.stderr.write(String(e && e.message || e)); process.exit(1); });
`;

describe("journal migrations as a Pulumi dynamic provider", () => {
  let dir: string;
  let serialized: string;
  let url: URL;
  const migrations = readMigrations();

  before(async function () {
    this.timeout(120_000);
    const server = await sharedPostgres();
    url = new URL(server.url(await server.createDatabase("journal_dynamic")));
    const sf = await pulumi.runtime.serializeFunction(() => journalMigrationProvider, { allowSecrets: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-dynamic-"));
    serialized = path.join(dir, "provider.js");
    fs.writeFileSync(serialized, sf.text);
    fs.writeFileSync(path.join(dir, "driver.js"), DRIVER);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function call(method: string, ...args: unknown[]): Promise<any> {
    // Through a file: the migrations' SQL, twice for a diff, outgrows one argv string (128 KiB).
    const callFile = path.join(dir, `call-${method}.json`);
    fs.writeFileSync(callFile, JSON.stringify({ method, args }));
    const { stdout } = await run(process.execPath, [path.join(dir, "driver.js"), serialized, callFile], {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules"), NODE_OPTIONS: "" },
    });
    return JSON.parse(stdout);
  }

  const inputs = () => ({
    connection: {
      host: url.hostname,
      port: Number(url.port),
      database: url.pathname.slice(1),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      sslMode: "disable",
    },
    migrations,
    territories: ["DE", "CH", "AT"],
    consumerRoles: { DE: ["freshplan_consumer_de"], CH: ["freshplan_consumer_ch"], AT: ["freshplan_consumer_at"] },
    leadTerritoryZones: { DE: "Europe/Berlin", CH: "Europe/Zurich", AT: "Europe/Vienna" },
  });

  it("serializes without capturing test or Pulumi runtime state", () => {
    const text = fs.readFileSync(serialized, "utf8");
    expect(text).to.contain("exports.handler");
    expect(text).not.to.contain("mocha");
  });

  it(
    "creates: applies every migration once and syncs territories and consumer roles, " + "from a bare node process",
    async function () {
      this.timeout(60_000);
      const created = await call("create", inputs());
      expect(created.id).to.equal(`${url.hostname}:${url.port}${url.pathname}`);
      expect(created.outs.appliedVersions).to.deep.equal(migrations.map((m) => m.version));
      const client = await connectClient(url.toString());
      try {
        const history = await client.query(
          "SELECT version, checksum FROM public.freshplan_schema_history ORDER BY version",
        );
        expect(history.rows).to.deep.equal(migrations.map((m) => ({ version: m.version, checksum: m.checksum })));
        const mapping = await client.query(
          "SELECT role_name, territory FROM integration.consumer_territory ORDER BY territory",
        );
        expect(mapping.rows.map((r) => `${r.territory}:${r.role_name}`)).to.deep.equal([
          "AT:freshplan_consumer_at",
          "CH:freshplan_consumer_ch",
          "DE:freshplan_consumer_de",
        ]);
        const zones = await client.query("SELECT code, time_zone FROM lead_protection.territory ORDER BY code");
        expect(zones.rows.map((r) => `${r.code}:${r.time_zone}`)).to.deep.equal([
          "AT:Europe/Vienna",
          "CH:Europe/Zurich",
          "DE:Europe/Berlin",
        ]);
      } finally {
        await client.end();
      }
    },
  );

  it("diffs: nothing to do when nothing changed, an update when a migration is pending", async function () {
    this.timeout(60_000);
    const olds = { ...inputs(), appliedVersions: migrations.map((m) => m.version) };
    expect((await call("diff", "id", olds, inputs())).changes).to.equal(false);
    const sql = "CREATE TABLE integration.dynamic_provider_probe (id int);";
    const next = { version: 99, name: "probe", file: "V99__probe.sql", checksum: migrationChecksum(sql), sql };
    const withPending = { ...inputs(), migrations: [...migrations, next] };
    expect((await call("diff", "id", olds, withPending)).changes).to.equal(true);
    const updated = await call("update", "id", olds, withPending);
    expect(updated.outs.appliedVersions).to.deep.equal([...migrations.map((m) => m.version), 99]);
  });

  it("refuses at check time when an applied migration's file changed, naming it", async () => {
    const olds = inputs();
    const edited = {
      ...inputs(),
      migrations: migrations.map((m, i) =>
        i === 0 ? { ...m, sql: `${m.sql}\n-- edited`, checksum: migrationChecksum(`${m.sql}\n-- edited`) } : m,
      ),
    };
    const checked = await call("check", olds, edited);
    expect(checked.failures).to.have.length(1);
    expect(checked.failures[0].reason).to.match(new RegExp(`^${migrations[0].file} was changed after it was applied`));
  });

  it("never drops the journal when the resource is deleted", async () => {
    await call("delete", "id", inputs());
    const client = await connectClient(url.toString());
    try {
      const { rows } = await client.query("SELECT to_regclass('integration.event_journal')::text AS t");
      expect(rows[0].t).to.equal("integration.event_journal");
    } finally {
      await client.end();
    }
  });
});
