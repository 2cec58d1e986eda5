-- Journal API. All entry points are SECURITY DEFINER with a fixed search_path, so callers
-- need EXECUTE only and never touch the tables (grants in V4).
--
-- Consumer contract (also in the README):
--   1. LISTEN freshplan_events on a dedicated connection. The payload is a territory code.
--   2. On a wake-up for your territory, and at least every poll interval (e.g. 1 s) without
--      one, call claim_events(territory, batch, consumer) until it returns no rows.
--      After draining on a wake-up, claim once more when notify_throttle has passed:
--      events enqueued inside the throttle window share the earlier wake-up.
--   3. For each event: do the work, then mark_event_handled(id, NULL, consumer), or
--      mark_event_handled(id, 'reason', consumer) to retry with backoff. Work must be
--      idempotent per event id: after a crash or an expired lease an event is handed out
--      again (attempts says how often).
--   4. After a reconnect, failover or a notify-queue overflow call replay_pending().
--   Use a consumer name unique per process (pod name + pid); it fences stale consumers.

-- True when the login role may consume the territory's events: superuser, a member of the
-- schema owner, or listed (directly or via a role it belongs to) in consumer_territory.
CREATE FUNCTION integration.may_consume(p_territory text) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, integration
AS $$
  SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = session_user AND rolsuper)
      OR pg_has_role(session_user,
                     (SELECT nspowner FROM pg_namespace WHERE nspname = 'integration'), 'MEMBER')
      OR EXISTS (
           SELECT 1
             FROM integration.consumer_territory ct
             JOIN pg_roles r ON r.rolname = ct.role_name
            WHERE ct.territory = p_territory
              AND pg_has_role(session_user, r.oid, 'MEMBER'))
$$;

CREATE FUNCTION integration.require_consumer_of(p_function text, p_territory text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, integration
AS $$
BEGIN
  IF NOT integration.may_consume(p_territory) THEN
    RAISE EXCEPTION USING
      ERRCODE = 'insufficient_privilege',
      MESSAGE = format('%s: role %I may not consume events of territory %L',
                       p_function, session_user, p_territory),
      HINT = 'Map the role in integration.consumer_territory (syncTerritories consumerRoles).';
  END IF;
END;
$$;

CREATE FUNCTION integration.enqueue_event(
  p_event_type     text,
  p_org_id         text,
  p_territory      text,
  p_correlation_id text,
  p_payload        jsonb,
  p_critical       boolean DEFAULT false
) RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, integration
AS $$
DECLARE
  v_id       bigint;
  v_due      boolean;
  v_active   boolean;
  s          integration.settings;
  v_usage    double precision;
BEGIN
  -- The producers' hot path is kept to one check and one statement: in a short transaction
  -- each further statement costs about a tenth of the INSERT.
  IF p_event_type IS NULL OR p_org_id IS NULL OR p_payload IS NULL
     OR btrim(p_event_type) = '' OR btrim(p_org_id) = '' OR jsonb_typeof(p_payload) = 'null' THEN
    IF p_event_type IS NULL OR btrim(p_event_type) = '' THEN
      RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
        MESSAGE = format('enqueue_event: event_type must be a non-blank text, got %s',
                         coalesce(quote_literal(p_event_type), 'NULL'));
    ELSIF p_org_id IS NULL OR btrim(p_org_id) = '' THEN
      RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
        MESSAGE = format('enqueue_event: org_id must be a non-blank text, got %s',
                         coalesce(quote_literal(p_org_id), 'NULL'));
    ELSE
      RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
        MESSAGE = format('enqueue_event: payload must be a JSON value other than null, got %s',
                         coalesce(p_payload::text, 'NULL')),
        HINT = 'Pass ''{}''::jsonb for an event without data.';
    END IF;
  END IF;

  INSERT INTO integration.event_journal (event_type, org_id, territory, correlation_id, payload, critical)
  SELECT p_event_type, p_org_id, t.code, p_correlation_id, p_payload, coalesce(p_critical, false)
    FROM integration.territory t
   WHERE t.code = p_territory AND t.active
  RETURNING id,
            -- The throttle marker, read in the same statement (one statement less per event).
            (SELECT ns.next_notify_at <= clock_timestamp()
               FROM integration.territory_notify_state ns WHERE ns.territory = p_territory)
  INTO v_id, v_due;

  IF v_id IS NULL THEN
    SELECT t.active INTO v_active FROM integration.territory t WHERE t.code = p_territory;
    IF v_active IS NULL THEN
      RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
        MESSAGE = format('enqueue_event: territory %s is unknown; known territories: %s',
                         coalesce(quote_literal(p_territory), 'NULL'),
                         coalesce((SELECT string_agg(code, ', ' ORDER BY code)
                                     FROM integration.territory WHERE active), 'none')),
        HINT = 'Territories come from the stack config (freshplan-scaling:territories).';
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('enqueue_event: territory %L was removed from the stack config', p_territory);
  END IF;

  -- Throttle: the marker was read without a lock, so the common (throttled) case takes no
  -- row lock and dirties no page. Only when it is due do we try to take the marker row;
  -- SKIP LOCKED means a producer that finds another one mid-notify coalesces into that
  -- wake-up instead of queueing behind it. NOTIFY itself takes a cluster-wide lock at
  -- commit, which is why it is sent at most once per territory per notify_throttle.
  IF v_due IS FALSE THEN
    RETURN v_id;
  END IF;

  SELECT * INTO s FROM integration.settings;
  v_usage := pg_notification_queue_usage();
  IF v_usage >= s.notify_threshold_hard
     OR (v_usage >= s.notify_threshold_soft AND NOT coalesce(p_critical, false)) THEN
    RETURN v_id;  -- backpressure: journaled, consumers find it by polling or replay_pending
  END IF;
  IF v_due IS NULL THEN
    INSERT INTO integration.territory_notify_state (territory) VALUES (p_territory)
    ON CONFLICT (territory) DO NOTHING;
  END IF;
  UPDATE integration.territory_notify_state
     SET last_notified_at = clock_timestamp(),
         next_notify_at = clock_timestamp() + s.notify_throttle
   WHERE territory = (SELECT ns.territory FROM integration.territory_notify_state ns
                       WHERE ns.territory = p_territory AND ns.next_notify_at <= clock_timestamp()
                       FOR UPDATE SKIP LOCKED);
  IF FOUND THEN
    UPDATE integration.event_journal SET notified_at = clock_timestamp() WHERE id = v_id;
    PERFORM pg_notify('freshplan_events', p_territory);
  END IF;
  RETURN v_id;
END;
$$;

COMMENT ON FUNCTION integration.enqueue_event(text, text, text, text, jsonb, boolean) IS
  'Journals an event and, throttled per territory, sends NOTIFY freshplan_events with the '
  'territory code as payload. Under notify-queue backpressure only critical events notify '
  '(usage >= notify_threshold_soft) or none (>= notify_threshold_hard); the row is always written.';

-- Releases expired leases in one territory: back to pending, or failed once the event has
-- used up max_attempts (a consumer crashing on the same event must not loop forever).
-- available_at is kept, so a released event is claimed before younger ones.
CREATE FUNCTION integration.release_expired_leases(p_territory text) RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, integration
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
         lease_expires_at = NULL
    FROM expired e
   WHERE j.id = e.id;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END;
$$;

CREATE FUNCTION integration.claim_events(p_territory text, p_max_count integer, p_consumer text)
RETURNS SETOF integration.event_journal
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, integration
AS $$
DECLARE
  s  integration.settings;
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
  -- Expired leases go back to pending first (and then compete in available_at order),
  -- which keeps claiming on the one claimable index below.
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
         lease_expires_at = now() + s.lease_duration,
         attempts = j.attempts + 1
    FROM batch b
   WHERE j.id = b.id
  RETURNING j.*;
END;
$$;

COMMENT ON FUNCTION integration.claim_events(text, integer, text) IS
  'Claims up to max_count claimable events of a territory for consumer (pending and due, '
  'or claimed with an expired lease), with FOR UPDATE SKIP LOCKED so consumers never block '
  'each other. Each claim increments attempts and sets a lease of settings.lease_duration.';

CREATE FUNCTION integration.mark_event_handled(
  p_event_id bigint,
  p_error    text DEFAULT NULL,
  p_consumer text DEFAULT NULL
) RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, integration
AS $$
DECLARE
  s      integration.settings;
  e      integration.event_journal;
BEGIN
  SELECT * INTO e FROM integration.event_journal WHERE id = p_event_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'no_data_found',
      MESSAGE = format('mark_event_handled: event %s does not exist',
                       coalesce(p_event_id::text, 'NULL'));
  END IF;
  PERFORM integration.require_consumer_of('mark_event_handled', e.territory);

  IF e.state = 'handled' AND p_error IS NULL THEN
    -- A repeated success is idempotent for the consumer that settled it (claimed_by is kept
    -- as "handled by"); a stale one learns that its result was not the one recorded.
    RETURN p_consumer IS NULL OR e.claimed_by = p_consumer;
  END IF;
  -- Fencing: only the current claim may settle an event. A consumer whose lease expired
  -- and whose event was reclaimed (claimed_by changed, or a new lease) gets false and must
  -- drop its result. Without p_consumer only an unexpired lease is checked.
  IF e.state <> 'claimed'
     OR (p_consumer IS NOT NULL AND e.claimed_by IS DISTINCT FROM p_consumer)
     OR (p_consumer IS NULL AND e.lease_expires_at <= now()) THEN
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
       SET state = 'pending', last_error = p_error, claimed_by = NULL, lease_expires_at = NULL,
           available_at = now() + least(s.backoff_max,
                                        s.backoff_base * power(2, least(e.attempts - 1, 30)))
     WHERE id = p_event_id;
  END IF;
  RETURN true;
END;
$$;

COMMENT ON FUNCTION integration.mark_event_handled(bigint, text, text) IS
  'Settles a claimed event: without error -> handled; with error -> pending again after '
  'exponential backoff (backoff_base * 2^(attempts-1), capped at backoff_max), or failed '
  '(kept as dead letter) once attempts reached max_attempts. Returns true when recorded or '
  'already handled by this consumer, false when the caller no longer holds the claim (drop '
  'the result). claimed_by is kept on handled and failed events as the consumer that settled it. '
  'Pass p_consumer: it is the fence against a stale consumer overwriting a newer claim.';
