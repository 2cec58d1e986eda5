// The runbook's lead-protection SQL, taken from the document and run as written by the CRM login.
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { leadDatabase, type LeadDatabase } from "./lead-database";

function runbookBlocks(): string[] {
  const runbook = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "runbook-seasonal.md"), "utf8");
  const start = runbook.indexOf("## Lead protection");
  if (start < 0) throw new Error("the runbook has no '## Lead protection' section");
  const section = runbook.slice(start, runbook.indexOf("\n## ", start + 1));
  return [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const block = (needle: string) => {
  const found = runbookBlocks().find((b) => b.includes(needle));
  if (!found) throw new Error(`the runbook's lead-protection section has no SQL block with ${needle}`);
  return found;
};
const withId = (sql: string, placeholder: string, id: string) => {
  if (!sql.includes(placeholder)) throw new Error(`placeholder ${placeholder} missing in:\n${sql}`);
  return sql.replace(placeholder, id);
};

describe("runbook: lead protection procedures as written", function () {
  this.timeout(120_000);
  let db: LeadDatabase;
  before(async () => {
    db = await leadDatabase("lead_runbook");
  });
  after(async () => db?.close());

  it("shows the state, lists and records an unsent reminder, and approves and ends a hold", async () => {
    const claim = (
      await db.crm.query(
        "SELECT lead_protection.register_claim('lead-rb', 'agent-1', 'DE', now() - interval '61 days') AS id",
      )
    ).rows[0].id;
    await db.scanner.query("SELECT * FROM lead_protection.run_scan(now())");

    const state = async () => (await db.crm.query(withId(block("protection_state("), "/* claim id */", claim))).rows[0];
    expect((await state()).state).to.equal("reminder_due");

    const unsent = await db.crm.query(block("unsent_reminders("));
    expect(unsent.rows.map((r) => r.lead_id)).to.deep.equal(["lead-rb"]);
    const reminder = unsent.rows[0].reminder_id;
    const record = withId(block("mark_reminder_sent("), "/* reminder id */", reminder);
    await db.crm.query(record);
    await db.crm.query(record);
    expect((await db.crm.query(block("unsent_reminders("))).rows).to.deep.equal([]);
    expect((await state()).state).to.equal("grace");

    const hold = (
      await db.crm.query(
        "SELECT lead_protection.request_hold($1, 'documents', now() + interval '1 second', 'agent-1') AS id",
        [claim],
      )
    ).rows[0].id;
    const [approve, end] = block("approve_hold(").trim().split("\n");
    await db.crm.query(withId(approve, "/* hold id */", hold));
    await new Promise((r) => setTimeout(r, 1500));
    expect((await state()).paused).to.equal(true);
    await db.crm.query(withId(end, "/* hold id */", hold));
    expect((await state()).paused).to.equal(false);
  });
});
