-- Group roles (NOLOGIN). Login roles of workloads are granted one of these by the stack.
--   freshplan_journal_writer    EXECUTE enqueue_event only
--   freshplan_journal_consumer  EXECUTE claim_events, mark_event_handled, replay_pending
--   freshplan_journal_monitor   SELECT event_metrics, EXECUTE pending_event_count (KEDA)
-- Nobody but the owner (the migrating role) reads or writes the tables directly.
--
-- Territory isolation: a consumer role may only claim, settle or replay the territories that
-- integration.consumer_territory maps to its login role (or a role it is a member of). The
-- check runs inside the SECURITY DEFINER functions against session_user. Chosen over one
-- group role per territory (roles are cluster-wide, so territories would leak into the
-- cluster's role list) and over RLS (callers never read the table, the functions do).

-- Roles are cluster-wide and several databases may migrate at once, so creation must
-- tolerate a concurrent creator as well as an existing role.
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['freshplan_journal_writer', 'freshplan_journal_consumer',
                           'freshplan_journal_monitor'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', r);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END;
    END IF;
  END LOOP;
END;
$$;

REVOKE ALL ON SCHEMA integration FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA integration FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA integration FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA integration FROM PUBLIC;
-- Functions are executable by PUBLIC by default; later migrations must not reopen that.
ALTER DEFAULT PRIVILEGES IN SCHEMA integration REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

GRANT USAGE ON SCHEMA integration
  TO freshplan_journal_writer, freshplan_journal_consumer, freshplan_journal_monitor;

GRANT EXECUTE ON FUNCTION integration.enqueue_event(text, text, text, text, jsonb, boolean)
  TO freshplan_journal_writer;

GRANT EXECUTE ON FUNCTION integration.claim_events(text, integer, text)
  TO freshplan_journal_consumer;
GRANT EXECUTE ON FUNCTION integration.mark_event_handled(bigint, text, text)
  TO freshplan_journal_consumer;
GRANT EXECUTE ON FUNCTION integration.replay_pending(text)
  TO freshplan_journal_consumer;

GRANT SELECT ON integration.event_metrics TO freshplan_journal_monitor;
GRANT EXECUTE ON FUNCTION integration.pending_event_count(text) TO freshplan_journal_monitor;
