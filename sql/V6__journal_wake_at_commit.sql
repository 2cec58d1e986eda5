-- Wake-ups decided at commit.
--
-- PostgreSQL writes a NOTIFY into the queue at COMMIT, not when pg_notify runs. Checking the
-- queue in enqueue_event therefore did not protect a business transaction that stayed open
-- while the queue filled: its COMMIT failed. And the producer that took the throttle row held
-- that lock until it committed, so one long transaction silenced its territory and made
-- replay_pending wait. Now enqueue_event only journals the row and marks it; a deferred
-- constraint trigger decides at commit, right before the queue is written, whether to wake
-- the territory, and holds the throttle row only for the rest of that commit.

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
BEGIN
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

  -- One statement on the hot path. notified_at marks a wake-up request, made when the throttle
  -- window is open and this transaction has not requested one for the territory yet (a bulk
  -- producer would otherwise mark every row); the commit trigger turns it into a NOTIFY. An
  -- event journaled inside the throttle window by a transaction that commits much later is
  -- found by the consumers' next poll.
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
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('enqueue_event: territory %L was removed from the stack config', p_territory);
  END IF;
  IF v_marked THEN
    -- Transaction-local: rolled back with a savepoint, gone at commit.
    PERFORM set_config('freshplan.wake_requested',
                       coalesce(nullif(current_setting('freshplan.wake_requested', true), ''), ',')
                         || p_territory || ',', true);
  END IF;
  RETURN v_id;
END;
$$;

-- Runs at COMMIT of the producer's transaction (deferred), once per marked row. Everything
-- that can make a commit fail or wait is avoided: the queue is checked right before
-- PostgreSQL writes to it, the throttle row is taken with SKIP LOCKED, and a serialization
-- conflict on it (REPEATABLE READ producers) only means another producer is waking the
-- territory. The row's notified_at is corrected only when the outcome differs from the mark.
-- SECURITY DEFINER: a deferred trigger fires at COMMIT, outside enqueue_event, as the writer.
CREATE FUNCTION integration.wake_territory_at_commit() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, integration, pg_temp
AS $$
DECLARE
  s         integration.settings;
  v_usage   double precision;
  v_woke    boolean := false;
BEGIN
  IF EXISTS (SELECT 1 FROM integration.territory_notify_state ns
              WHERE ns.territory = NEW.territory AND ns.next_notify_at <= clock_timestamp()) THEN
    SELECT * INTO s FROM integration.settings;
    v_usage := pg_notification_queue_usage();
    IF v_usage < s.notify_threshold_hard AND (v_usage < s.notify_threshold_soft OR NEW.critical) THEN
      BEGIN
        UPDATE integration.territory_notify_state
           SET last_notified_at = clock_timestamp(),
               next_notify_at = clock_timestamp() + s.notify_throttle
         WHERE territory = (SELECT ns.territory FROM integration.territory_notify_state ns
                             WHERE ns.territory = NEW.territory AND ns.next_notify_at <= clock_timestamp()
                             FOR UPDATE SKIP LOCKED);
        v_woke := FOUND;
      EXCEPTION WHEN serialization_failure OR lock_not_available OR deadlock_detected THEN
        v_woke := false;
      END;
      IF v_woke THEN
        PERFORM pg_notify('freshplan_events', NEW.territory);
      END IF;
    END IF;
  END IF;
  IF v_woke <> (NEW.notified_at IS NOT NULL) THEN
    UPDATE integration.event_journal
       SET notified_at = CASE WHEN v_woke THEN clock_timestamp() END
     WHERE id = NEW.id;
  END IF;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER event_journal_wake_at_commit
  AFTER INSERT ON integration.event_journal
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW
  WHEN (NEW.notified_at IS NOT NULL)
  EXECUTE FUNCTION integration.wake_territory_at_commit();

COMMENT ON FUNCTION integration.enqueue_event(text, text, text, text, jsonb, boolean) IS
  'Journals an event. At commit, throttled per territory, NOTIFY freshplan_events with the '
  'territory code as payload. Under notify-queue backpressure (checked at commit) only critical '
  'events notify (usage >= notify_threshold_soft) or none (>= notify_threshold_hard); the row is '
  'always written and the commit never fails because of the queue.';

REVOKE ALL ON FUNCTION integration.wake_territory_at_commit() FROM PUBLIC;
