/**
 * The offline plan CLI end to end: files written, schemas, plan.json, PromQL, campaigns over time, bad input and
 * secrets.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { parseAllDocuments } from "yaml";
import { promqlSyntaxErrors } from "../../model/prometheus/syntax";
import { validateAgainstSchema } from "../support/kubernetes-schemas";
import { ROOT, rawStackConfig, writeStackFile } from "../support/stack-fixtures";

const run = promisify(execFile);
const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");

async function plan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, ["scripts/plan.ts", ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-plan-"));
const documents = (file: string) =>
  parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJSON() as Record<string, any>);

for (const stack of ["prod", "staging"]) {
  describe(`offline plan: ${stack}`, () => {
    const out = tempDir();
    let result: Awaited<ReturnType<typeof plan>>;
    before(async () => {
      result = await plan(["--stack", stack, "--out", out, "--at", "2026-11-23"]);
    });

    it("exits 0 and prints min/max, floors with their windows, and the RPS target", () => {
      expect(result.code, result.stderr).to.equal(0);
      const line = result.stdout.split("\n").find((l) => l.startsWith("DE ") && l.includes("queries"));
      const season = /08-18 → 10-15 \(oktoberfest 09-01…10-15, 14 lead days\)/.source;
      const leadPhase = /08-18 → 08-31 \(oktoberfest phase lead, from 14 days before 09-01\)/.source;
      expect(line).to.match(
        new RegExp(String.raw`^DE\s+queries\s+\d+\s+\d+\s+80\s+300 ms\s+(${season}|${leadPhase}) → \d`),
      );
    });

    it("writes complete objects, one per document, each valid against its schema", async () => {
      const objects = documents(path.join(out, "manifests.yaml"));
      expect(objects.length).to.be.greaterThan(10);
      for (const o of objects) {
        expect(o).to.include.keys("apiVersion", "kind", "metadata");
        await validateAgainstSchema(o);
      }
    });

    it("writes plan.json with every resource and each ScaledObject's min, max and triggers", () => {
      const summary = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8"));
      const manifests = documents(path.join(out, "manifests.yaml"));
      const scaled = manifests.filter((o) => o.kind === "ScaledObject");
      expect(summary.scaledObjects.map((s: { name: string }) => s.name)).to.have.members(
        scaled.map((o) => o.metadata.name),
      );
      for (const so of summary.scaledObjects) {
        const rendered = scaled.find((o) => o.metadata.name === so.name)!;
        expect([so.min, so.max]).to.deep.equal([rendered.spec.minReplicaCount, rendered.spec.maxReplicaCount]);
        expect(so.triggers).to.deep.equal(rendered.spec.triggers);
      }
      expect(summary.resources).to.deep.include({ type: "kubernetes:helm.sh/v3:Release", name: "keda" });
    });

    it("gives every Prometheus trigger a query that parses as PromQL", () => {
      const scaled = documents(path.join(out, "manifests.yaml")).filter(
        (o) => o.kind === "ScaledObject" && o.metadata.name.startsWith("freshplan-api-"),
      );
      const queries = scaled.flatMap((o) =>
        o.spec.triggers.filter((t: any) => t.type === "prometheus").map((t: any) => t.metadata.query as string),
      );
      expect(queries.length).to.equal(scaled.length * 2);
      for (const q of queries) expect(promqlSyntaxErrors(q), q).to.deep.equal([]);
    });
  });
}

describe("offline plan: one-off campaigns over time", () => {
  it("emits a campaign ahead of time and warns to remove it once it has ended", async () => {
    const before = await plan(["--stack", "staging", "--out", tempDir(), "--at", "2027-03-01"]);
    expect(before.stdout).to.contain("2027-03-15 → 2027-03-19 (spring-promo-rehearsal");
    expect(before.stdout).not.to.contain("warning: campaigns[0]");
    const after = await plan(["--stack", "staging", "--out", tempDir(), "--at", "2027-04-01"]);
    expect(after.code).to.equal(0);
    expect(after.stdout).not.to.contain("2027-03-15 → 2027-03-19");
    expect(after.stdout).to.contain(
      'warning: campaigns[0] "spring-promo-rehearsal" ended on 2027-03-19 (Europe/Berlin); it is no longer ' +
        "emitted — remove it from the stack config",
    );
  });
});

describe("offline plan: bad input", () => {
  it("exits non-zero with every validation message and writes nothing", async () => {
    const raw = rawStackConfig("prod");
    raw.territories.DE.queries.minReplicas = 9;
    raw.seasons[0].lastDay = "02-30";
    const out = tempDir();
    const result = await plan(["--stack", "prod", "--config-file", writeStackFile("prod", raw), "--out", out]);
    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.contain(
      "territories.DE.queries.minReplicas = 9: expected at most territories.DE.queries.maxReplicas = 6",
    );
    expect(result.stderr).to.contain('seasons[0].lastDay (season "oktoberfest") = "02-30"');
    expect(fs.readdirSync(out)).to.deep.equal([]);
  });

  it("renders a stack with secure values without the passphrase and never writes them", async () => {
    const ciphertext = "v1:c2VjcmV0c2VjcmV0:QUJDREVGR0hJSktMTU5PUA==";
    const file = writeStackFile("prod", rawStackConfig("prod"), {
      "freshplan-scaling:grafanaToken": { secure: ciphertext },
    });
    const out = tempDir();
    const result = await plan(["--stack", "prod", "--config-file", file, "--out", out]);
    // An unknown key is still an error (typos must not pass): the secure value is named by path only.
    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.contain("grafanaToken = [secret]: expected no such key");
    expect(result.stderr + result.stdout).not.to.contain(ciphertext);
  });
});
