-- Recovery and observability: replay after crashes, failovers or notify-queue overflow, the
-- backlog count KEDA scales workers on, and the metrics view postgres_exporter reads (grants in V4).

CREATE FUNCTION integration.replay_pending(p_territory text DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, integration
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
    PERFORM integration.release_expired_leases(t);
    SELECT count(*) INTO v_waiting FROM integration.event_journal
     WHERE territory = t AND state = 'pending' AND available_at <= now();
    IF v_waiting > 0 THEN
      v_total := v_total + v_waiting;
      -- A full queue makes pg_notify fail; recovery must not, consumers still poll.
      IF pg_notification_queue_usage() < s.notify_threshold_hard THEN
        UPDATE integration.territory_notify_state
           SET last_notified_at = clock_timestamp(),
               next_notify_at = clock_timestamp() + s.notify_throttle
         WHERE territory = t;
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

COMMENT ON FUNCTION integration.replay_pending(text) IS
  'Recovery after a consumer crash, failover or notify-queue overflow: releases expired '
  'leases and wakes listeners of every territory (the given one, or all the caller may '
  'consume) that has claimable events. Returns the number of claimable events it woke '
  'listeners for (pending and due, including the leases it just released).';

-- For the KEDA postgresql scaler: events waiting to be claimed (including those in backoff).
CREATE FUNCTION integration.pending_event_count(p_territory text DEFAULT NULL) RETURNS bigint
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, integration
AS $$
  SELECT count(*) FROM integration.event_journal
   WHERE state = 'pending' AND (p_territory IS NULL OR territory = p_territory)
$$;

-- One row per territory plus a total row (territory IS NULL). Each figure comes from a
-- partial index, so the view stays cheap however many handled events are kept.
CREATE VIEW integration.event_metrics AS
WITH per_territory AS (
  SELECT t.code AS territory,
         p.pending,
         p.oldest_pending_age_seconds,
         (SELECT count(*) FROM integration.event_journal j
           WHERE j.territory = t.code AND j.state = 'claimed') AS claimed,
         (SELECT count(*) FROM integration.event_journal j
           WHERE j.territory = t.code AND j.state = 'failed') AS failed,
         (SELECT count(*) FROM integration.event_journal j
           WHERE j.territory = t.code AND j.state = 'handled'
             AND j.handled_at >= now() - interval '5 minutes') AS handled_last_5m
    FROM integration.territory t
    CROSS JOIN LATERAL (
      SELECT count(*) AS pending,
             coalesce(extract(epoch FROM now() - min(j.created_at)), 0)::double precision
               AS oldest_pending_age_seconds
        FROM integration.event_journal j
       WHERE j.territory = t.code AND j.state = 'pending') p
)
SELECT territory, pg_notification_queue_usage() AS notify_queue_usage,
       pending, claimed, failed, oldest_pending_age_seconds, handled_last_5m
  FROM per_territory
UNION ALL
SELECT NULL, pg_notification_queue_usage(),
       coalesce(sum(pending), 0)::bigint, coalesce(sum(claimed), 0)::bigint,
       coalesce(sum(failed), 0)::bigint, coalesce(max(oldest_pending_age_seconds), 0),
       coalesce(sum(handled_last_5m), 0)::bigint
  FROM per_territory;

COMMENT ON VIEW integration.event_metrics IS
  'Journal health per territory; the row with territory IS NULL is the total.';
