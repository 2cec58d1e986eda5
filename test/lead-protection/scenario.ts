// Calls of the lead_protection API with instants written in a territory's local time, for the scenario tests.
import type { Client } from "pg";

/** `2026-03-06 09:00` in Berlin, as PostgreSQL timestamptz input. */
export const berlin = (local: string) => `${local} Europe/Berlin`;

export interface State {
  state: string;
  paused: boolean;
  /** Local Berlin wall-clock times `YYYY-MM-DD HH:MI`, null when not applicable. */
  termEndsAt: string | null;
  reminderDueAt: string | null;
  graceEndsAt: string | null;
  endedAt: string | null;
  reminderId: string | null;
}

const local = (column: string) => `to_char(${column} AT TIME ZONE 'Europe/Berlin', 'YYYY-MM-DD HH24:MI')`;

export class Scenario {
  constructor(
    readonly crm: Client,
    readonly scanner: Client,
  ) {}

  async register(lead: string, at: string, territory = "DE", owner = "agent-1"): Promise<string> {
    const { rows } = await this.crm.query("SELECT lead_protection.register_claim($1, $2, $3, $4) AS id", [
      lead,
      owner,
      territory,
      at,
    ]);
    return rows[0].id;
  }

  async progress(claim: string, at: string, kind = "qualified_conversation"): Promise<void> {
    await this.crm.query("SELECT lead_protection.record_progress($1, $2, $3)", [claim, at, kind]);
  }

  /** Requests and approves a hold; ends it when `ends` is given. Returns the hold id. */
  async hold(
    claim: string,
    starts: string,
    ends: string | null,
    approvedAt: string,
    reason = "samples",
  ): Promise<string> {
    const { rows } = await this.crm.query("SELECT lead_protection.request_hold($1, $2, $3, 'agent-1') AS id", [
      claim,
      reason,
      starts,
    ]);
    const id = rows[0].id;
    await this.crm.query("SELECT lead_protection.approve_hold($1, 'manager-1', $2)", [id, approvedAt]);
    if (ends) await this.crm.query("SELECT lead_protection.end_hold($1, $2)", [id, ends]);
    return id;
  }

  async state(claim: string, at: string): Promise<State> {
    const { rows } = await this.crm.query(
      `SELECT state, paused, ${local("term_ends_at")} AS "termEndsAt", ${local("reminder_due_at")} AS "reminderDueAt",
              ${local("grace_ends_at")} AS "graceEndsAt", ${local("ended_at")} AS "endedAt", reminder_id AS "reminderId"
         FROM lead_protection.protection_state($1, $2)`,
      [claim, at],
    );
    return rows[0];
  }

  async scan(at: string): Promise<{ reminders_created: number; expired_inactivity: number; expired_term: number }> {
    const { rows } = await this.scanner.query("SELECT * FROM lead_protection.run_scan($1)", [at]);
    return rows[0];
  }

  /** The reminder of the claim's current cycle at `at`, marked sent at `sentAt`. */
  async send(claim: string, at: string, sentAt: string): Promise<string> {
    const s = await this.state(claim, at);
    if (!s.reminderId) throw new Error(`claim ${claim} has no reminder at ${at} (state ${s.state})`);
    await this.crm.query("SELECT lead_protection.mark_reminder_sent($1, $2)", [s.reminderId, sentAt]);
    return s.reminderId;
  }
}
