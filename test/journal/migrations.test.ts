import { expect } from "chai";
import { execFile } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import {
  applyMigrations,
  defaultMigrationsDir,
  HISTORY_TABLE,
  pendingMigrations,
  readMigrations,
} from "../../db/migrations";
import { connectClient, sharedPostgres, type PostgresServer } from "../support/postgres";

const repoRoot = path.resolve(__dirname, "..", "..");

function copyOfSqlDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-sql-"));
  for (const f of fs.readdirSync(defaultMigrationsDir())) {
    fs.copyFileSync(path.join(defaultMigrationsDir(), f), path.join(dir, f));
  }
  return dir;
}

async function history(url: string): Promise<Array<{ version: number; name: string }>> {
  const client = await connectClient(url);
  try {
    return (await client.query(`SELECT version, name FROM ${HISTORY_TABLE} ORDER BY version`)).rows;
  } finally {
    await client.end();
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  return expect.fail("expected a rejection");
}

function runCli(args: string[], cwd = repoRoot): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [require.resolve("tsx/cli"), path.join(repoRoot, "scripts/migrate.ts"), ...args],
      { cwd, env: { ...process.env, DATABASE_URL: "" } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("journal migrations", () => {
  let server: PostgresServer;
  const fresh = async () => server.url(await server.createDatabase("journal_migrations"));
  const files = readMigrations();

  before(async () => {
    server = await sharedPostgres();
  });

  it("reads V<n>__<name>.sql in numeric order with sha256 checksums", () => {
    expect(files.map((m) => m.version)).to.deep.equal([...files.map((m) => m.version)].sort((a, b) => a - b));
    expect(files[0]).to.include({ version: 1, file: "V1__journal_schema.sql", name: "journal_schema" });
    expect(files.every((m) => /^[0-9a-f]{64}$/.test(m.checksum))).to.equal(true);
  });

  it("lists pending migrations without applying them, applies them once, and a second run is a no-op", async () => {
    const url = await fresh();
    expect((await pendingMigrations(url)).map((m) => m.file)).to.deep.equal(files.map((m) => m.file));
    const client = await connectClient(url);
    try {
      expect((await client.query("SELECT to_regnamespace('integration') AS s")).rows[0].s).to.equal(null);
    } finally {
      await client.end();
    }
    const first = await applyMigrations(url);
    expect(first.applied.map((m) => m.version)).to.deep.equal(files.map((m) => m.version));
    const second = await applyMigrations(url);
    expect(second.applied).to.deep.equal([]);
    expect(second.alreadyApplied).to.deep.equal(files.map((m) => m.version));
    expect(await pendingMigrations(url)).to.deep.equal([]);
    expect(await history(url)).to.deep.equal(files.map((m) => ({ version: m.version, name: m.name })));
  });

  it("refuses, naming the file, when an applied migration was edited", async () => {
    const dir = copyOfSqlDir();
    try {
      const url = await fresh();
      await applyMigrations(url, { migrationsDir: dir });
      fs.appendFileSync(path.join(dir, "V2__journal_functions.sql"), "\n-- an innocent-looking edit\n");
      const err = await rejection(applyMigrations(url, { migrationsDir: dir }));
      expect(err.message).to.match(/V2__journal_functions\.sql was changed after it was applied/);
      expect((await rejection(pendingMigrations(url, { migrationsDir: dir }))).message).to.match(
        /V2__journal_functions\.sql was changed/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("applies a new migration, rolls back a failing one and names it", async () => {
    const dir = copyOfSqlDir();
    try {
      const url = await fresh();
      await applyMigrations(url, { migrationsDir: dir });
      fs.writeFileSync(
        path.join(dir, "V10__add_note.sql"),
        "ALTER TABLE integration.territory ADD COLUMN note text;\n",
      );
      expect((await pendingMigrations(url, { migrationsDir: dir })).map((m) => m.file)).to.deep.equal([
        "V10__add_note.sql",
      ]);
      expect((await applyMigrations(url, { migrationsDir: dir })).applied.map((m) => m.version)).to.deep.equal([10]);

      fs.writeFileSync(path.join(dir, "V11__broken.sql"), "CREATE TABLE integration.half (x int);\nSELECT 1/0;\n");
      const err = await rejection(applyMigrations(url, { migrationsDir: dir }));
      expect(err.message).to.match(/V11__broken\.sql failed and was rolled back: division by zero/);
      const client = await connectClient(url);
      try {
        expect((await client.query("SELECT to_regclass('integration.half') AS t")).rows[0].t).to.equal(null);
      } finally {
        await client.end();
      }
      expect((await history(url)).map((h) => h.version)).to.not.include(11);

      fs.writeFileSync(path.join(dir, "v12-wrong-name.sql"), "SELECT 1;\n");
      expect(() => readMigrations(dir)).to.throw(/v12-wrong-name\.sql: expected a name like V<number>__<name>\.sql/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("applies each migration exactly once when runners race", async () => {
    const url = await fresh();
    const runs = await Promise.all([applyMigrations(url), applyMigrations(url), applyMigrations(url)]);
    const appliedVersions = runs.flatMap((r) => r.applied.map((m) => m.version)).sort((a, b) => a - b);
    expect(appliedVersions).to.deep.equal(files.map((m) => m.version));
    expect((await history(url)).map((h) => h.version)).to.deep.equal(files.map((m) => m.version));
  });

  describe("the db:migrate CLI", () => {
    let projectDir: string;
    before(() => {
      projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-stack-"));
      const prod = fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.prod.yaml"), "utf8");
      fs.writeFileSync(path.join(projectDir, "Pulumi.prod.yaml"), prod);
      fs.writeFileSync(
        path.join(projectDir, "Pulumi.broken.yaml"),
        prod.replace("timeZone: Europe/Zurich", "timeZone: Europe/Zürich"),
      );
    });
    after(() => fs.rmSync(projectDir, { recursive: true, force: true }));

    it("refuses a stack config with errors before touching the database", async () => {
      const url = await fresh();
      const broken = await runCli(["--database-url", url, "--stack", "broken", "--project-dir", projectDir]);
      expect(broken.code).to.equal(1);
      expect(broken.stderr).to.contain('territories.CH.timeZone = "Europe/Zürich": expected an IANA time zone');
      expect(await pendingMigrations(url)).to.have.length(files.length);
    });

    it("migrates and syncs territories from the CLI, with --dry-run changing nothing", async function () {
      this.timeout(60_000);
      const url = await fresh();
      const dry = await runCli(["--database-url", url, "--dry-run", "--project-dir", projectDir]);
      expect(dry.code, dry.stderr).to.equal(0);
      expect(dry.stdout).to.match(/would apply V1__journal_schema\.sql, V2__journal_functions\.sql/);
      expect(dry.stdout).to.match(/would sync territories of stack prod: DE, CH, AT/);
      expect(await pendingMigrations(url)).to.have.length(files.length);

      const real = await runCli(["--database-url", url, "--stack", "prod", "--project-dir", projectDir]);
      expect(real.code, real.stderr).to.equal(0);
      expect(real.stdout).to.match(/applied V1__journal_schema\.sql/);
      expect(real.stdout).to.match(/added AT, CH, DE/);
      const client = await connectClient(url);
      try {
        const { rows } = await client.query("SELECT code FROM integration.territory ORDER BY code");
        expect(rows.map((r) => r.code)).to.deep.equal(["AT", "CH", "DE"]);
      } finally {
        await client.end();
      }

      const { rows: mapping } = await (async () => {
        const c = await connectClient(url);
        try {
          return await c.query("SELECT role_name, territory FROM integration.consumer_territory ORDER BY territory");
        } finally {
          await c.end();
        }
      })();
      expect(mapping).to.deep.equal([
        { role_name: "freshplan_consumer_at", territory: "AT" },
        { role_name: "freshplan_consumer_ch", territory: "CH" },
        { role_name: "freshplan_consumer_de", territory: "DE" },
      ]);

      const missing = await runCli(["--database-url", url, "--stack", "staging", "--project-dir", projectDir]);
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.match(
        /db:migrate failed: no stack config for "staging": .*Pulumi\.staging\.yaml does not exist/,
      );
      const noUrl = await runCli(["--project-dir", projectDir]);
      expect(noUrl.code).to.equal(1);
      expect(noUrl.stderr).to.match(/no database given: pass --database-url/);
    });
  });
});
