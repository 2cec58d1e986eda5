-- Retention of handled events, stricter inputs and a payload size cap.
--
-- Retention by bounded DELETE batches rather than time partitions: the journal's hot rows are
-- few (pending and claimed, on partial indexes), events of every age share one identity and
-- dead letters must outlive any partition they were born in. A batch of handled events older
-- than handled_retention is deleted at most every few seconds, piggybacked on claim_events
-- (there is no scheduler inside PostgreSQL to rely on); failed events are never deleted.

ALTER TABLE integration.settings
  ADD COLUMN handled_retention interval NOT NULL DEFAULT interval '7 days'
    CONSTRAINT settings_handled_retention CHECK (handled_retention >= interval '1 minute'),
  ADD COLUMN purge_batch integer NOT NULL DEFAULT 2000
    CONSTRAINT settings_purge_batch CHECK (purge_batch BETWEEN 1 AND 100000),
  ADD COLUMN max_payload_bytes integer NOT NULL DEFAULT 2097152
    CONSTRAINT settings_max_payload_bytes CHECK (max_payload_bytes BETWEEN 1024 AND 268435456);
COMMENT ON COLUMN integration.settings.handled_retention IS
  'Handled events older than this (by handled_at) are deleted; failed events (dead letters) are kept.';
COMMENT ON COLUMN integration.settings.purge_batch IS 'Most handled events deleted by one purge.';
COMMENT ON COLUMN integration.settings.max_payload_bytes IS
  'Largest payload enqueue_event accepts, in bytes of its stored jsonb form (default 2 MiB).';

-- When the next purge is due; one row, taken with SKIP LOCKED so only one claim purges.
CREATE TABLE integration.maintenance_state (
  singleton      boolean PRIMARY KEY DEFAULT true CONSTRAINT maintenance_single_row CHECK (singleton),
  next_purge_at  timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO integration.maintenance_state DEFAULT VALUES;
REVOKE ALL ON integration.maintenance_state FROM PUBLIC;

-- Deletes up to p_limit handled events older than handled_retention, oldest first per
-- territory (walking the handled partial index), and returns how many it deleted.
CREATE FUNCTION integration.purge_handled_events(p_limit integer DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, integration, pg_temp
AS $$
DECLARE
  s         integration.settings;
  t         text;
  v_left    integer;
  v_count   integer;
  v_total   integer := 0;
BEGIN
  SELECT * INTO s FROM integration.settings;
  v_left := coalesce(p_limit, s.purge_batch);
  IF v_left < 1 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('purge_handled_events: limit must be at least 1, got %s', v_left);
  END IF;
  FOR t IN SELECT code FROM integration.territory ORDER BY code LOOP
    EXIT WHEN v_left <= 0;
    WITH doomed AS MATERIALIZED (
      SELECT id FROM integration.event_journal
       WHERE territory = t AND state = 'handled' AND handled_at < now() - s.handled_retention
       ORDER BY handled_at
       LIMIT v_left
       FOR UPDATE SKIP LOCKED
    )
    DELETE FROM integration.event_journal j USING doomed d WHERE j.id = d.id;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_total := v_total + v_count;
    v_left := v_left - v_count;
  END LOOP;
  RETURN v_total;
END;
$$;
REVOKE ALL ON FUNCTION integration.purge_handled_events(integer) FROM PUBLIC;

COMMENT ON FUNCTION integration.purge_handled_events(integer) IS
  'Retention: deletes up to limit (default settings.purge_batch) handled events older than '
  'settings.handled_retention. Called by claim_events every few seconds; the owner may call it '
  'by hand to catch up. Never deletes pending, claimed or failed events.';

-- At most one claim every 5 s purges (every 1 s while full batches show a backlog).
CREATE FUNCTION integration.purge_if_due() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, integration, pg_temp
AS $$
DECLARE
  v_deleted  integer;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM integration.maintenance_state WHERE next_purge_at <= now()) THEN
    RETURN;
  END IF;
  PERFORM 1 FROM integration.maintenance_state WHERE next_purge_at <= now() FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  v_deleted := integration.purge_handled_events(NULL);
  UPDATE integration.maintenance_state
     SET next_purge_at = now() + CASE WHEN v_deleted >= (SELECT purge_batch FROM integration.settings)
                                      THEN interval '1 second' ELSE interval '5 seconds' END;
END;
$$;
REVOKE ALL ON FUNCTION integration.purge_if_due() FROM PUBLIC;

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
  PERFORM integration.purge_if_due();

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

CREATE OR REPLACE FUNCTION integration.enqueue_event(
  p_event_type     text,
  p_org_id         text,
  p_territory      text,
  p_correlation_id text,
  p_payload        jsonb,
  p_critical       boolean DEFAULT false
) RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, integration, pg_temp
AS $$
DECLARE
  v_id       bigint;
  v_marked   boolean;
  v_active   boolean;
  v_limit    integer;
  -- Blank means nothing but whitespace, Unicode's included (tab, newline, no-break space,
  -- ideographic space ...): btrim alone only strips ASCII spaces. A constant, not a helper
  -- function, and only tried on text whose first character could be whitespace (code point
  -- <= 32 or >= 133; 0 for ''): the producers' hot path pays one ascii() per argument.
  c_blank    CONSTANT text :=
    '^[[:space:]\u0085\u00a0\u1680\u180e\u2000-\u200b\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]*$';
BEGIN
  IF p_event_type IS NULL OR p_org_id IS NULL OR p_payload IS NULL
     OR ((ascii(p_event_type) <= 32 OR ascii(p_event_type) >= 133) AND p_event_type ~ c_blank)
     OR ((ascii(p_org_id) <= 32 OR ascii(p_org_id) >= 133) AND p_org_id ~ c_blank)
     OR jsonb_typeof(p_payload) = 'null' THEN
    IF p_event_type IS NULL OR p_event_type ~ c_blank THEN
      RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
        MESSAGE = format('enqueue_event: event_type must be a non-blank text, got %s',
                         coalesce(quote_literal(p_event_type), 'NULL'));
    ELSIF p_org_id IS NULL OR p_org_id ~ c_blank THEN
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

  -- As in V6, plus the size cap in the same statement. Payloads up to 1 KiB (the lowest cap
  -- settings allows) skip the settings lookup: the OR leaves the InitPlan unevaluated.
  INSERT INTO integration.event_journal
         (event_type, org_id, territory, correlation_id, payload, critical, notified_at)
  SELECT p_event_type, p_org_id, t.code, p_correlation_id, p_payload, coalesce(p_critical, false),
         CASE WHEN ns.next_notify_at <= clock_timestamp()
                   AND strpos(coalesce(current_setting('freshplan.wake_requested', true), ''),
                              ',' || t.code || ',') = 0
              THEN clock_timestamp() END
    FROM integration.territory t
    LEFT JOIN integration.territory_notify_state ns ON ns.territory = t.code
   WHERE t.code = p_territory AND t.active
     AND (pg_column_size(p_payload) <= 1024
          OR pg_column_size(p_payload) <= (SELECT s.max_payload_bytes FROM integration.settings s))
  RETURNING id, notified_at IS NOT NULL INTO v_id, v_marked;

  IF v_id IS NULL THEN
    SELECT t.active INTO v_active FROM integration.territory t WHERE t.code = p_territory;
    IF v_active IS NULL THEN
      RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
        MESSAGE = format('enqueue_event: territory %s is unknown; known territories: %s',
                         coalesce(quote_literal(p_territory), 'NULL'),
                         coalesce((SELECT string_agg(code, ', ' ORDER BY code)
                                     FROM integration.territory WHERE active), 'none')),
        HINT = 'Territories come from the stack config (freshplan-scaling:territories).';
    ELSIF NOT v_active THEN
      RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
        MESSAGE = format('enqueue_event: territory %L was removed from the stack config', p_territory);
    END IF;
    SELECT s.max_payload_bytes INTO v_limit FROM integration.settings s;
    RAISE EXCEPTION USING ERRCODE = 'program_limit_exceeded',
      MESSAGE = format('enqueue_event: payload is %s bytes, more than max_payload_bytes (%s)',
                       pg_column_size(p_payload), v_limit),
      HINT = 'Store large documents elsewhere and journal a reference to them.';
  END IF;
  IF v_marked THEN
    PERFORM set_config('freshplan.wake_requested',
                       coalesce(nullif(current_setting('freshplan.wake_requested', true), ''), ',')
                         || p_territory || ',', true);
  END IF;
  RETURN v_id;
END;
$$;
