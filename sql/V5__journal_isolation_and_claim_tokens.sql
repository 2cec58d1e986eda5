-- Territory isolation that survives hostile sessions, and claims settled by an owner token.
--
-- Without pg_temp in a function's search_path PostgreSQL searches the session's temporary
-- schema FIRST, so a consumer could shadow pg_roles with a temporary view and pass
-- may_consume for any territory. Every function of the schema now ends its search_path with
-- pg_temp and names catalog relations with their schema; PUBLIC loses TEMP on the database.

-- TEMP is a database privilege: only the database owner (or a member of its role) may revoke
-- it. When the migrating role is not, the stack's PUBLIC grant (components/event-journal.ts)
-- does it; the functions are safe either way, this only removes the tool.
DO $$
BEGIN
  IF pg_catalog.pg_has_role(current_user,
       (SELECT d.datdba FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()),
       'MEMBER') THEN
    EXECUTE pg_catalog.format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', pg_catalog.current_database());
  ELSE
    RAISE WARNING 'role % does not own database %: TEMPORARY stays granted to PUBLIC until the owner revokes it',
      current_user, pg_catalog.current_database();
  END IF;
END;
$$;

-- The owner token of a claim: one random value per claim_events call, returned with every
-- claimed row and required to settle or extend it. A consumer name is chosen by the caller
-- and can be guessed; the token cannot. Released and retried events lose their token.
ALTER TABLE integration.event_journal ADD COLUMN claim_token uuid;
COMMENT ON COLUMN integration.event_journal.claim_token IS
  'Owner token of the current claim (from claim_events); kept on handled and failed events as '
  'the token of the claim that settled them.';
-- Rows claimed before this migration have no token: they cannot be settled and come back
-- when their lease expires, which is what a consumer restart would do anyway.
ALTER TABLE integration.event_journal
  ADD CONSTRAINT claimed_has_token CHECK (state <> 'claimed' OR claim_token IS NOT NULL) NOT VALID;
CREATE INDEX event_journal_claim_token
  ON integration.event_journal (claim_token) WHERE state = 'claimed';

CREATE OR REPLACE FUNCTION integration.may_consume(p_territory text) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, integration, pg_temp
AS $$
  SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = session_user AND r.rolsuper)
      OR pg_catalog.pg_has_role(session_user,
           (SELECT n.nspowner FROM pg_catalog.pg_namespace n WHERE n.nspname = 'integration'), 'MEMBER')
      OR EXISTS (
           SELECT 1
             FROM integration.consumer_territory ct
             JOIN pg_catalog.pg_roles r ON r.rolname = ct.role_name
            WHERE ct.territory = p_territory
              AND pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER'))
$$;

-- Same shape as V2, one difference: the claim gets a token.
CREATE OR REPLACE FUNCTION integration.claim_events(p_territory text, p_max_count integer, p_consumer text)
RETURNS SETOF integration.event_journal
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, integration, pg_temp
AS $$
DECLARE
  s        integration.settings;
  v_token  uuid := pg_catalog.gen_random_uuid();
BEGIN
  IF p_max_count IS NULL OR p_max_count < 1 OR p_max_count > 10000 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('claim_events: max_count must be between 1 and 10000, got %s',
                       coalesce(p_max_count::text, 'NULL'));
  END IF;
  IF p_consumer IS NULL OR btrim(p_consumer) = '' THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('claim_events: consumer must be a non-blank text, got %s',
                       coalesce(quote_literal(p_consumer), 'NULL'));
  END IF;
  IF NOT EXISTS (SELECT 1 FROM integration.territory WHERE code = p_territory) THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('claim_events: territory %s is unknown',
                       coalesce(quote_literal(p_territory), 'NULL'));
  END IF;
  PERFORM integration.require_consumer_of('claim_events', p_territory);

  SELECT * INTO s FROM integration.settings;
  PERFORM integration.release_expired_leases(p_territory);

  RETURN QUERY
  WITH batch AS MATERIALIZED (
    SELECT id FROM integration.event_journal
     WHERE territory = p_territory AND state = 'pending' AND available_at <= now()
     ORDER BY available_at, id
     LIMIT p_max_count
     FOR UPDATE SKIP LOCKED
  )
  UPDATE integration.event_journal j
     SET state = 'claimed',
         claimed_by = p_consumer,
         claim_token = v_token,
         lease_expires_at = now() + s.lease_duration,
         attempts = j.attempts + 1
    FROM batch b
   WHERE j.id = b.id
  RETURNING j.*;
END;
$$;

CREATE OR REPLACE FUNCTION integration.release_expired_leases(p_territory text) RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, integration, pg_temp
AS $$
DECLARE
  s        integration.settings;
  v_count  integer;
BEGIN
  SELECT * INTO s FROM integration.settings;
  WITH expired AS MATERIALIZED (
    SELECT id FROM integration.event_journal
     WHERE territory = p_territory AND state = 'claimed' AND lease_expires_at <= now()
     ORDER BY lease_expires_at
     FOR UPDATE SKIP LOCKED
  )
  UPDATE integration.event_journal j
     SET state            = CASE WHEN j.attempts >= s.max_attempts THEN 'failed' ELSE 'pending' END,
         handled_at       = CASE WHEN j.attempts >= s.max_attempts THEN now() END,
         last_error       = format('lease of %s expired (attempt %s)', j.claimed_by, j.attempts),
         claimed_by       = CASE WHEN j.attempts >= s.max_attempts THEN j.claimed_by END,
         claim_token      = NULL,
         lease_expires_at = NULL
    FROM expired e
   WHERE j.id = e.id;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END;
$$;

-- Settling now takes the claim's token instead of a consumer name. The old signature is
-- dropped rather than kept next to it: with a NULL consumer it let any consumer of the
-- territory settle another consumer's live claim.
DROP FUNCTION integration.mark_event_handled(bigint, text, text);

CREATE FUNCTION integration.mark_event_handled(
  p_event_id     bigint,
  p_claim_token  uuid,
  p_error        text DEFAULT NULL
) RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, integration, pg_temp
AS $$
DECLARE
  s            integration.settings;
  e            integration.event_journal;
  v_territory  text;
BEGIN
  IF p_claim_token IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
      MESSAGE = 'mark_event_handled: claim_token must be the claim_token claim_events returned, got NULL';
  END IF;
  -- Another territory's event is reported exactly like a missing one, and is looked at
  -- without a lock, so a consumer learns nothing about events it may not consume.
  SELECT j.territory INTO v_territory FROM integration.event_journal j WHERE j.id = p_event_id;
  IF v_territory IS NULL OR NOT integration.may_consume(v_territory) THEN
    RAISE EXCEPTION USING ERRCODE = 'no_data_found',
      MESSAGE = format('mark_event_handled: event %s does not exist',
                       coalesce(p_event_id::text, 'NULL'));
  END IF;
  SELECT * INTO e FROM integration.event_journal WHERE id = p_event_id FOR UPDATE;

  IF e.state = 'handled' AND p_error IS NULL THEN
    -- A repeated success by the claim that settled it is idempotent; any other is stale.
    RETURN e.claim_token = p_claim_token;
  END IF;
  -- Fencing: only the current claim settles. A lease that expired and was released or
  -- reclaimed has a new token (or none); its old holder gets false and drops its result.
  IF e.state <> 'claimed' OR e.claim_token IS DISTINCT FROM p_claim_token THEN
    RETURN false;
  END IF;

  SELECT * INTO s FROM integration.settings;
  IF p_error IS NULL THEN
    UPDATE integration.event_journal
       SET state = 'handled', handled_at = now(), lease_expires_at = NULL
     WHERE id = p_event_id;
  ELSIF e.attempts >= s.max_attempts THEN
    UPDATE integration.event_journal
       SET state = 'failed', handled_at = now(), last_error = p_error, lease_expires_at = NULL
     WHERE id = p_event_id;
  ELSE
    UPDATE integration.event_journal
       SET state = 'pending', last_error = p_error, claimed_by = NULL, claim_token = NULL,
           lease_expires_at = NULL,
           available_at = now() + least(s.backoff_max,
                                        s.backoff_base * power(2, least(e.attempts - 1, 30)))
     WHERE id = p_event_id;
  END IF;
  RETURN true;
END;
$$;

COMMENT ON FUNCTION integration.mark_event_handled(bigint, uuid, text) IS
  'Settles one event of a claim: without error -> handled; with error -> pending again after '
  'exponential backoff (backoff_base * 2^(attempts-1), capped at backoff_max), or failed (dead '
  'letter) once attempts reached max_attempts. Returns true when recorded or already handled by '
  'this claim, false when the claim_token is no longer the event''s current claim (drop the '
  'result). An event of a territory the caller may not consume is reported as not existing.';

REVOKE ALL ON FUNCTION integration.mark_event_handled(bigint, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION integration.mark_event_handled(bigint, uuid, text) TO freshplan_journal_consumer;

-- Every function of the schema, including those not redefined above (trigger functions,
-- enqueue_event, replay_pending, pending_event_count): pg_temp last.
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'integration'::regnamespace
  LOOP
    EXECUTE pg_catalog.format('ALTER FUNCTION %s SET search_path = pg_catalog, integration, pg_temp', f);
  END LOOP;
END;
$$;
