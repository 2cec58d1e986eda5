-- Group roles (NOLOGIN) of lead protection; the stack makes its login roles members.
--   freshplan_lead_crm      records claims, progress, holds, extensions, conversions and sent
--                           reminders, reads states and the reminder outbox
--   freshplan_lead_scanner  EXECUTE run_scan only (the CronJob)
--   freshplan_lead_monitor  SELECT the metrics view (postgres_exporter)
-- Nobody but the owner (the migrating role) reads or writes the tables, except the CRM's read
-- of the outbox it delivers.

DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['freshplan_lead_crm', 'freshplan_lead_scanner', 'freshplan_lead_monitor'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', r);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END;
    END IF;
  END LOOP;
END;
$$;

REVOKE ALL ON SCHEMA lead_protection FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA lead_protection FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA lead_protection FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA lead_protection FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA lead_protection REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

GRANT USAGE ON SCHEMA lead_protection TO freshplan_lead_crm, freshplan_lead_scanner, freshplan_lead_monitor;

GRANT EXECUTE ON FUNCTION
    lead_protection.register_claim(text, text, text, timestamptz),
    lead_protection.record_progress(bigint, timestamptz, text),
    lead_protection.request_hold(bigint, text, timestamptz, text),
    lead_protection.approve_hold(bigint, text, timestamptz),
    lead_protection.end_hold(bigint, timestamptz),
    lead_protection.extend_term(bigint, interval, text, text, timestamptz),
    lead_protection.convert_claim(bigint, timestamptz),
    lead_protection.mark_reminder_sent(bigint, timestamptz),
    lead_protection.protection_state(bigint, timestamptz)
  TO freshplan_lead_crm;
GRANT SELECT ON lead_protection.reminder_outbox TO freshplan_lead_crm;

GRANT EXECUTE ON FUNCTION lead_protection.run_scan(timestamptz) TO freshplan_lead_scanner;

-- The view calls metrics_as_of (SECURITY DEFINER), and a view's caller needs EXECUTE on the
-- functions it calls; metrics_as_of returns aggregates only.
GRANT SELECT ON lead_protection.metrics TO freshplan_lead_monitor;
GRANT EXECUTE ON FUNCTION lead_protection.metrics_as_of(timestamptz) TO freshplan_lead_monitor;
