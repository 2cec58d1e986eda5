import { connect, type DatabaseTarget } from "./connection";

/** Same rule as the CHECK constraint on integration.territory.code. */
export const TERRITORY_CODE = /^[A-Z][A-Z0-9_-]{1,15}$/;

export interface TerritorySyncOptions {
  /**
   * Territory code → database roles allowed to consume its events (login roles, or group
   * roles whose members may). When given, it is the complete mapping: rows for roles not
   * listed are removed. When omitted, integration.consumer_territory is left as it is.
   */
  readonly consumerRoles?: Readonly<Record<string, readonly string[]>>;
}

export interface TerritorySync {
  /** Codes inserted by this sync. */
  readonly added: string[];
  /** Codes that were retired and are in the config again. */
  readonly reactivated: string[];
  /** Codes no longer in the config that still have events: kept with active = false. */
  readonly retired: string[];
  /** Codes no longer in the config without any events: deleted. */
  readonly deleted: string[];
  /** Consumer mapping rows inserted plus rows deleted. */
  readonly consumerMappingChanges: number;
}

/**
 * Makes integration.territory match the stack's territory codes, in one transaction.
 * A code that disappears from the config is deleted when no event references it; otherwise
 * it is kept with active = false, so its history stays and consumers can still drain it
 * while enqueue_event refuses new events for it.
 */
export async function syncTerritories(
  target: DatabaseTarget,
  codes: readonly string[],
  options: TerritorySyncOptions = {},
): Promise<TerritorySync> {
  const wanted = [...new Set(codes)].sort();
  const problems = wanted
    .filter((c) => !TERRITORY_CODE.test(c))
    .map((c) => `territory code ${JSON.stringify(c)} does not match ${TERRITORY_CODE}`);
  for (const [code, roles] of Object.entries(options.consumerRoles ?? {})) {
    if (!wanted.includes(code)) {
      problems.push(`consumerRoles.${code}: territory ${code} is not in the territory list [${wanted.join(", ")}]`);
    }
    for (const role of roles) {
      if (role.trim() === "") problems.push(`consumerRoles.${code}: blank role name`);
    }
  }
  if (problems.length > 0) throw new Error(`cannot sync territories:\n  ${problems.join("\n  ")}`);

  const client = await connect(target, "freshplan-territory-sync");
  try {
    const schema = await client.query<{ t: string | null }>("SELECT to_regclass('integration.territory')::text AS t");
    if (!schema.rows[0].t) {
      throw new Error(
        "integration.territory does not exist: apply the migrations (applyMigrations) before syncing territories",
      );
    }
    await client.query("BEGIN");
    // Two syncs at once would otherwise race on the same inserts and deletes.
    await client.query("LOCK TABLE integration.territory IN SHARE ROW EXCLUSIVE MODE");
    const existing = await client.query<{ code: string; active: boolean; has_events: boolean }>(`
      SELECT t.code, t.active,
             EXISTS (SELECT 1 FROM integration.event_journal j WHERE j.territory = t.code) AS has_events
        FROM integration.territory t`);
    const byCode = new Map(existing.rows.map((r) => [r.code, r]));

    const added = wanted.filter((c) => !byCode.has(c));
    const reactivated = wanted.filter((c) => byCode.get(c)?.active === false);
    const gone = existing.rows.filter((r) => !wanted.includes(r.code));
    const retired = gone.filter((r) => r.has_events && r.active).map((r) => r.code);
    const deleted = gone.filter((r) => !r.has_events).map((r) => r.code);

    if (added.length > 0) {
      await client.query(`INSERT INTO integration.territory (code) SELECT unnest($1::text[])`, [added]);
    }
    if (reactivated.length > 0) {
      await client.query(`UPDATE integration.territory SET active = true, updated_at = now() WHERE code = ANY($1)`, [
        reactivated,
      ]);
    }
    if (retired.length > 0) {
      await client.query(`UPDATE integration.territory SET active = false, updated_at = now() WHERE code = ANY($1)`, [
        retired,
      ]);
    }
    if (deleted.length > 0) {
      await client.query(`DELETE FROM integration.territory WHERE code = ANY($1)`, [deleted]);
    }

    let consumerMappingChanges = 0;
    if (options.consumerRoles) {
      const pairs = Object.entries(options.consumerRoles).flatMap(([code, roles]) =>
        [...new Set(roles)].map((role) => [role, code] as const),
      );
      const roles = pairs.map(([role]) => role);
      const territories = pairs.map(([, code]) => code);
      const removed = await client.query(
        `DELETE FROM integration.consumer_territory ct
          WHERE NOT EXISTS (SELECT 1 FROM unnest($1::text[], $2::text[]) AS w(role_name, territory)
                             WHERE w.role_name = ct.role_name AND w.territory = ct.territory)`,
        [roles, territories],
      );
      const inserted = await client.query(
        `INSERT INTO integration.consumer_territory (role_name, territory)
         SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT DO NOTHING`,
        [roles, territories],
      );
      consumerMappingChanges = (removed.rowCount ?? 0) + (inserted.rowCount ?? 0);
    }
    await client.query("COMMIT");
    return { added, reactivated, retired, deleted, consumerMappingChanges };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}
