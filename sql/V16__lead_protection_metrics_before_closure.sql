-- metrics_as_of left out a claim whose recorded end lies after as_of (a conversion recorded
-- ahead of time, or metrics asked for a past instant): it was neither open nor closed by then.
-- Such a claim now counts in the state it had at as_of.

CREATE OR REPLACE FUNCTION lead_protection.metrics_as_of(p_as_of timestamptz)
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
     WHERE (c.status = 'open' OR c.closed_at > p_as_of) AND c.registered_at <= p_as_of
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
