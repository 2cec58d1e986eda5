// Keeps lead_protection.territory (code and IANA time zone) in step with the stack config.
import { connect, type DatabaseTarget } from "./connection";
import { TERRITORY_CODE } from "./territories";

export interface LeadTerritorySync {
  /** Codes inserted by this sync. */
  readonly added: string[];
  /** Codes whose time zone changed. */
  readonly rezoned: string[];
  /** Codes no longer in the config and without claims: deleted. */
  readonly deleted: string[];
  /** Codes no longer in the config that still have claims: kept, zone unchanged. */
  readonly kept: string[];
}

/**
 * Makes lead_protection.territory match `zones` (territory code → IANA time zone), in one
 * transaction. A territory that leaves the config is kept while claims reference it, so their
 * deadlines keep being counted in its zone. A zone PostgreSQL does not know is refused (CHECK).
 */
export async function syncLeadTerritories(
  target: DatabaseTarget,
  zones: Readonly<Record<string, string>>,
): Promise<LeadTerritorySync> {
  const wanted = Object.entries(zones).sort(([a], [b]) => a.localeCompare(b));
  const problems = wanted.flatMap(([code, zone]) => [
    ...(TERRITORY_CODE.test(code) ? [] : [`territory code ${JSON.stringify(code)} does not match ${TERRITORY_CODE}`]),
    ...(typeof zone === "string" && zone.trim() !== "" ? [] : [`territory ${code}: blank time zone`]),
  ]);
  if (problems.length > 0) throw new Error(`cannot sync lead-protection territories:\n  ${problems.join("\n  ")}`);

  const client = await connect(target, "freshplan-lead-territory-sync");
  try {
    const schema = await client.query<{ t: string | null }>(
      "SELECT to_regclass('lead_protection.territory')::text AS t",
    );
    if (!schema.rows[0].t) {
      throw new Error(
        "lead_protection.territory does not exist: apply the migrations (applyMigrations) before syncing territories",
      );
    }
    await client.query("BEGIN");
    await client.query("LOCK TABLE lead_protection.territory IN SHARE ROW EXCLUSIVE MODE");
    const existing = await client.query<{ code: string; time_zone: string; has_claims: boolean }>(`
      SELECT t.code, t.time_zone,
             EXISTS (SELECT 1 FROM lead_protection.claim c WHERE c.territory = t.code) AS has_claims
        FROM lead_protection.territory t`);
    const byCode = new Map(existing.rows.map((r) => [r.code, r]));
    const codes = new Set(wanted.map(([code]) => code));
    const added = wanted.filter(([code]) => !byCode.has(code)).map(([code]) => code);
    const rezoned = wanted
      .filter(([code, zone]) => byCode.has(code) && byCode.get(code)!.time_zone !== zone)
      .map(([code]) => code);
    const gone = existing.rows.filter((r) => !codes.has(r.code));
    const deleted = gone.filter((r) => !r.has_claims).map((r) => r.code);
    const kept = gone.filter((r) => r.has_claims).map((r) => r.code);
    try {
      await client.query(
        `INSERT INTO lead_protection.territory (code, time_zone)
         SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT (code) DO UPDATE SET time_zone = EXCLUDED.time_zone, updated_at = now()
          WHERE lead_protection.territory.time_zone IS DISTINCT FROM EXCLUDED.time_zone`,
        [wanted.map(([code]) => code), wanted.map(([, zone]) => zone)],
      );
    } catch (err) {
      if ((err as { code?: string }).code === "23514") {
        throw new Error(
          `cannot sync lead-protection territories: a time zone PostgreSQL does not know ` +
            `(${wanted.map(([c, z]) => `${c}=${z}`).join(", ")}): ${(err as Error).message}`,
        );
      }
      throw err;
    }
    if (deleted.length > 0) await client.query("DELETE FROM lead_protection.territory WHERE code = ANY($1)", [deleted]);
    await client.query("COMMIT");
    return { added, rezoned, deleted, kept };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}
