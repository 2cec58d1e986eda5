-- Leases and backlog: a bounded lease sweep, lease extension, batch settlement, a
-- replay_pending that never waits for producers, and a backlog count KEDA can scale on.

ALTER TABLE integration.settings
  ADD COLUMN lease_sweep_limit integer NOT NULL DEFAULT 500
    CONSTRAINT settings_lease_sweep_limit CHECK (lease_sweep_limit BETWEEN 1 AND 100000),
  ADD COLUMN max_lease_extension interval NOT NULL DEFAULT interval '1 hour'
    CONSTRAINT settings_max_lease_extension CHECK (max_lease_extension > interval '0');
COMMENT ON COLUMN integration.settings.lease_sweep_limit IS
  'At most this many expired leases are released per claim_events or replay_pending call, so a '
  'mass expiry (a whole consumer fleet lost) never makes a claim slow.';
COMMENT ON COLUMN integration.settings.max_lease_extension IS 'Longest lease extend_lease grants in one call.';

-- Bounded: a claim releases at most lease_sweep_limit expired leases, oldest first; the rest
-- go with the next claims. Each released event is claimable again right away.
DROP FUNCTION integration.release_expired_leases(text);
CREATE FUNCTION integration.release_expired_leases(p_territory text, p_limit integer) RETURNS integer
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
     LIMIT p_limit
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
REVOKE ALL ON FUNCTION integration.release_expired_leases(text, integer) FROM PUBLIC;

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
  PERFORM integration.release_expired_leases(p_territory, s.lease_sweep_limit);

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

-- Success for many events of one claim in one statement: the lever that lets one worker keep
-- up with many producers. Returns the ids recorded as handled by this claim (now or before);
-- ids missing from the result were not this claim's any more (drop their results).
CREATE FUNCTION integration.mark_events_handled(p_claim_token uuid, p_event_ids bigint[])
RETURNS SETOF bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, integration, pg_temp
AS $$
BEGIN
  IF p_claim_token IS NULL OR p_event_ids IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
      MESSAGE = format('mark_events_handled: claim_token and event_ids must not be NULL, got %s and %s',
                       coalesce(p_claim_token::text, 'NULL'), coalesce(p_event_ids::text, 'NULL'));
  END IF;
  IF cardinality(p_event_ids) > 10000 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('mark_events_handled: at most 10000 event ids per call, got %s', cardinality(p_event_ids));
  END IF;
  RETURN QUERY
  WITH mine AS (
    SELECT code FROM integration.territory WHERE integration.may_consume(code)
  ), settled AS (
    UPDATE integration.event_journal j
       SET state = 'handled', handled_at = now(), lease_expires_at = NULL
     WHERE j.id = ANY (p_event_ids) AND j.state = 'claimed' AND j.claim_token = p_claim_token
       AND j.territory IN (SELECT code FROM mine)
    RETURNING j.id
  )
  SELECT id FROM settled
  UNION ALL
  SELECT j.id FROM integration.event_journal j
   WHERE j.id = ANY (p_event_ids) AND j.state = 'handled' AND j.claim_token = p_claim_token
     AND j.territory IN (SELECT code FROM mine);
END;
$$;

-- A long handler (or a large batch) keeps its claim by extending it before the lease runs
-- out. Only the claim's token extends, and only events still claimed by it.
CREATE FUNCTION integration.extend_lease(
  p_claim_token uuid,
  p_event_ids   bigint[] DEFAULT NULL,
  p_extension   interval DEFAULT NULL
) RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, integration, pg_temp
AS $$
DECLARE
  s        integration.settings;
  v_count  integer;
BEGIN
  SELECT * INTO s FROM integration.settings;
  IF p_claim_token IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
      MESSAGE = 'extend_lease: claim_token must be the claim_token claim_events returned, got NULL';
  END IF;
  IF p_extension IS NOT NULL AND (p_extension <= interval '0' OR p_extension > s.max_lease_extension) THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('extend_lease: extension must be above 0 and at most %s (settings.max_lease_extension), got %s',
                       s.max_lease_extension, p_extension);
  END IF;
  UPDATE integration.event_journal j
     SET lease_expires_at = now() + coalesce(p_extension, s.lease_duration)
   WHERE j.claim_token = p_claim_token AND j.state = 'claimed'
     AND (p_event_ids IS NULL OR j.id = ANY (p_event_ids))
     AND j.territory IN (SELECT code FROM integration.territory WHERE integration.may_consume(code));
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END;
$$;

COMMENT ON FUNCTION integration.extend_lease(uuid, bigint[], interval) IS
  'Extends the lease of the events (all, or the given ids) a claim still holds to now() + '
  'extension (default settings.lease_duration, at most settings.max_lease_extension). Returns '
  'how many were extended; fewer than expected means the lease of the others expired and they '
  'were taken back.';

-- Never waits for producers: leases are released with SKIP LOCKED and the throttle row is
-- not touched (a replay wakes regardless of the throttle).
CREATE OR REPLACE FUNCTION integration.replay_pending(p_territory text DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, integration, pg_temp
AS $$
DECLARE
  s          integration.settings;
  t          text;
  v_waiting  integer;
  v_total    integer := 0;
BEGIN
  IF p_territory IS NOT NULL THEN
    IF NOT EXISTS (SELECT 1 FROM integration.territory WHERE code = p_territory) THEN
      RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
        MESSAGE = format('replay_pending: territory %L is unknown', p_territory);
    END IF;
    PERFORM integration.require_consumer_of('replay_pending', p_territory);
  END IF;
  SELECT * INTO s FROM integration.settings;

  FOR t IN
    SELECT code FROM integration.territory
     WHERE (p_territory IS NULL AND integration.may_consume(code)) OR code = p_territory
     ORDER BY code
  LOOP
    PERFORM integration.release_expired_leases(t, s.lease_sweep_limit);
    SELECT count(*) INTO v_waiting FROM integration.event_journal
     WHERE territory = t AND state = 'pending' AND available_at <= now();
    IF v_waiting > 0 THEN
      v_total := v_total + v_waiting;
      IF pg_notification_queue_usage() < s.notify_threshold_hard THEN
        PERFORM pg_notify('freshplan_events', t);
      ELSE
        RAISE NOTICE 'replay_pending: notify queue above %, territory % not woken; consumers will poll',
          s.notify_threshold_hard, t;
      END IF;
    END IF;
  END LOOP;
  RETURN v_total;
END;
$$;

-- What a new worker could claim right now: due pending events and expired leases. Events
-- waiting out a retry backoff are not work a worker can do, so they must not hold the
-- worker count up during a downstream outage.
CREATE OR REPLACE FUNCTION integration.pending_event_count(p_territory text DEFAULT NULL) RETURNS bigint
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, integration, pg_temp
AS $$
  SELECT (SELECT count(*) FROM integration.event_journal
           WHERE state = 'pending' AND available_at <= now()
             AND (p_territory IS NULL OR territory = p_territory))
       + (SELECT count(*) FROM integration.event_journal
           WHERE state = 'claimed' AND lease_expires_at <= now()
             AND (p_territory IS NULL OR territory = p_territory))
$$;

REVOKE ALL ON FUNCTION integration.mark_events_handled(uuid, bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION integration.extend_lease(uuid, bigint[], interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION integration.mark_events_handled(uuid, bigint[]) TO freshplan_journal_consumer;
GRANT EXECUTE ON FUNCTION integration.extend_lease(uuid, bigint[], interval) TO freshplan_journal_consumer;
