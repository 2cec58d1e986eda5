-- The scan the cluster runs every few minutes (CronJob freshplan-lead-scan) and the metrics
-- view postgres_exporter reads. Grants in V14.

-- Creates the reminder of every cycle that has become due (exactly once: one row per claim and
-- cycle, plus its outbox row) and closes the claims whose protection has ended. Scans are
-- serialised by a transaction advisory lock, so a second concurrent scan waits and then finds
-- the work done. A claim the CRM holds locked right now is skipped and taken by the next scan.
CREATE FUNCTION lead_protection.run_scan(p_as_of timestamptz)
RETURNS TABLE (reminders_created integer, expired_inactivity integer, expired_term integer)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
DECLARE
  c             lead_protection.claim;
  st            record;
  v_reminder    bigint;
BEGIN
  PERFORM lead_protection.require_instant('run_scan', 'as_of', p_as_of);
  -- "lead_protection.run_scan" as a stable key, distinct from the migration runner's lock.
  PERFORM pg_advisory_xact_lock(7382074285561506927);
  reminders_created := 0;
  expired_inactivity := 0;
  expired_term := 0;
  FOR c IN
    SELECT * FROM lead_protection.claim
     WHERE status = 'open' AND registered_at <= p_as_of
     ORDER BY id
     FOR UPDATE SKIP LOCKED
  LOOP
    SELECT * INTO st FROM lead_protection.evaluate_claim(c.id, p_as_of);
    IF st.state = 'reminder_due' AND st.reminder_id IS NULL THEN
      INSERT INTO lead_protection.reminder (claim_id, cycle_started_at, due_at, created_at)
      VALUES (c.id, st.cycle_started_at, st.reminder_due_at, p_as_of)
      ON CONFLICT ON CONSTRAINT reminder_one_per_cycle DO NOTHING
      RETURNING id INTO v_reminder;
      IF v_reminder IS NOT NULL THEN
        INSERT INTO lead_protection.reminder_outbox
          (reminder_id, idempotency_key, claim_id, lead_id, owner_user_id, territory, due_at, created_at)
        VALUES (v_reminder,
                format('lead-reminder:%s:%s', c.id, floor(extract(epoch FROM st.cycle_started_at) * 1000000)::bigint),
                c.id, c.lead_id, c.owner_user_id, c.territory, st.reminder_due_at, p_as_of);
        reminders_created := reminders_created + 1;
      END IF;
    ELSIF st.state IN ('expired_inactivity', 'expired_term') THEN
      UPDATE lead_protection.claim SET status = st.state, closed_at = st.ended_at WHERE id = c.id;
      UPDATE lead_protection.reminder SET cancelled_at = st.ended_at
       WHERE claim_id = c.id AND sent_at IS NULL AND cancelled_at IS NULL;
      IF st.state = 'expired_inactivity' THEN
        expired_inactivity := expired_inactivity + 1;
      ELSE
        expired_term := expired_term + 1;
      END IF;
    END IF;
  END LOOP;
  RETURN NEXT;
END;
$$;

COMMENT ON FUNCTION lead_protection.run_scan(timestamptz) IS
  'Creates each due reminder once per activity cycle (with an outbox row keyed '
  'lead-reminder:<claim>:<cycle start in microseconds since the epoch>) and closes claims whose protection ended by '
  'as_of. Serialised by an advisory lock; returns what it created and closed.';

-- Aggregates per territory as of an instant; the view below reads it as of now(). Overdue and
-- the oldest-due age look at claims in state reminder_due, not only at reminder rows, so a
-- scanner that stopped creating reminders shows up as well as a mailer that stopped sending.
CREATE FUNCTION lead_protection.metrics_as_of(p_as_of timestamptz)
RETURNS TABLE (territory text, protected bigint, reminder_due bigint, grace bigint,
               expired_inactivity bigint, expired_term bigint, converted bigint, paused bigint,
               reminders_due_total bigint, reminders_sent_total bigint, reminders_cancelled_total bigint,
               reminders_overdue bigint, oldest_unsent_due_age_seconds double precision)
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
  WITH s AS (SELECT reminder_sla FROM lead_protection.settings),
  states AS (
    SELECT c.territory, e.state, e.paused, e.reminder_due_at FROM lead_protection.claim c
     CROSS JOIN LATERAL lead_protection.evaluate_claim(c.id, p_as_of) e
     WHERE c.status = 'open' AND c.registered_at <= p_as_of
    UNION ALL
    SELECT c.territory, c.status, false, NULL FROM lead_protection.claim c
     WHERE c.status <> 'open' AND c.closed_at <= p_as_of
  ),
  by_state AS (
    SELECT st.territory,
           count(*) FILTER (WHERE st.state = 'protected') AS protected,
           count(*) FILTER (WHERE st.state = 'reminder_due') AS reminder_due,
           count(*) FILTER (WHERE st.state = 'grace') AS grace,
           count(*) FILTER (WHERE st.state = 'expired_inactivity') AS expired_inactivity,
           count(*) FILTER (WHERE st.state = 'expired_term') AS expired_term,
           count(*) FILTER (WHERE st.state = 'converted') AS converted,
           count(*) FILTER (WHERE st.paused) AS paused,
           count(*) FILTER (WHERE st.state = 'reminder_due' AND st.reminder_due_at < p_as_of - (SELECT reminder_sla FROM s)) AS overdue,
           min(st.reminder_due_at) FILTER (WHERE st.state = 'reminder_due') AS oldest_due
      FROM states st GROUP BY st.territory
  ),
  reminders AS (
    SELECT c.territory,
           count(*) FILTER (WHERE r.created_at <= p_as_of) AS due_total,
           count(*) FILTER (WHERE r.sent_at <= p_as_of) AS sent_total,
           count(*) FILTER (WHERE r.cancelled_at <= p_as_of) AS cancelled_total
      FROM lead_protection.reminder r JOIN lead_protection.claim c ON c.id = r.claim_id
     GROUP BY c.territory
  )
  SELECT t.code,
         coalesce(b.protected, 0), coalesce(b.reminder_due, 0), coalesce(b.grace, 0),
         coalesce(b.expired_inactivity, 0), coalesce(b.expired_term, 0), coalesce(b.converted, 0),
         coalesce(b.paused, 0),
         coalesce(r.due_total, 0), coalesce(r.sent_total, 0), coalesce(r.cancelled_total, 0),
         coalesce(b.overdue, 0),
         coalesce(extract(epoch FROM p_as_of - b.oldest_due)::double precision, 0)
    FROM lead_protection.territory t
    LEFT JOIN by_state b ON b.territory = t.code
    LEFT JOIN reminders r ON r.territory = t.code
   ORDER BY t.code
$$;

CREATE VIEW lead_protection.metrics AS
  SELECT * FROM lead_protection.metrics_as_of(now());

COMMENT ON VIEW lead_protection.metrics IS
  'Per territory, now: claims by state (and how many are paused), reminders created, sent and '
  'cancelled (counters), claims whose reminder is due for longer than settings.reminder_sla and '
  'unsent, and the age in seconds of the oldest due, unsent reminder (0 when none).';
