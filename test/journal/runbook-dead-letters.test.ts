import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import type { Client } from "pg";
import { connectClient, journalDatabase, sharedPostgres } from "../support/postgres";

/** The SQL block the runbook gives ops for reviving dead letters, taken from the document itself. */
function runbookRevivalSql(): string {
  const runbook = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "runbook-seasonal.md"), "utf8");
  const section = runbook.slice(runbook.indexOf("### FreshplanJournalDeadLetters"));
  const blocks = [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]);
  const revival = blocks.find((b) => b.includes("UPDATE integration.event_journal"));
  if (!revival) throw new Error("the FreshplanJournalDeadLetters section has no revival SQL block");
  return revival;
}

describe("runbook: reviving dead letters", () => {
  let db: Client;
  before(async () => {
    db = await connectClient(await journalDatabase(await sharedPostgres(), "journal_runbook"));
  });
  after(async () => db?.end());

  it("works as written: a failed event becomes claimable again and is handled once", async () => {
    await db.query("UPDATE integration.settings SET max_attempts = 1, backoff_base = '0 s', backoff_max = '0 s'");
    const { rows } = await db.query(
      `SELECT integration.enqueue_event('credit.check', 'org-9', 'AT', 'c-9', '{"x": 1}'::jsonb) AS id`,
    );
    const id = Number(rows[0].id);
    await db.query("SELECT * FROM integration.claim_events('AT', 10, 'w1')");
    await db.query("SELECT integration.mark_event_handled($1, 'credit bureau down', 'w1')", [id]);
    const state = async () =>
      (await db.query("SELECT state, attempts, last_error FROM integration.event_journal WHERE id = $1", [id])).rows[0];
    expect(await state()).to.deep.include({ state: "failed", last_error: "credit bureau down" });

    await db.query(runbookRevivalSql().replace("/* the fixed ids */", String(id)));
    expect(await state()).to.deep.include({ state: "pending", attempts: 0, last_error: null });

    const claimed = await db.query("SELECT id FROM integration.claim_events('AT', 10, 'w2')");
    expect(claimed.rows.map((r) => Number(r.id))).to.deep.equal([id]);
    expect((await db.query("SELECT integration.mark_event_handled($1, NULL, 'w2') AS ok", [id])).rows[0].ok).to.equal(
      true,
    );
    expect((await state()).state).to.equal("handled");
  });
});
