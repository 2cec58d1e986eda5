-- The contract's clock: term, activity period and grace period, each paused by approved holds,
-- judged as of an explicit instant (never now()), so a state can be recomputed for any past
-- instant and tests are exact.
--
-- Arithmetic runs on the territory's local wall clock (timestamp without time zone): the
-- contract counts calendar days, so 60 days after 09:00 on 1 March is 09:00 on 30 April in
-- Berlin although a DST change lies between. A hold pauses for its local wall-clock length.

-- start + length, then pushed back by every pause that begins before the (moving) deadline.
-- pauses come merged and ordered (a multirange), so overlapping holds count once.
CREATE FUNCTION lead_protection.deadline_after(p_start timestamp, p_length interval, p_pauses tsmultirange)
RETURNS timestamp
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
DECLARE
  v_deadline timestamp := p_start + p_length;
  v_pause    tsrange;
BEGIN
  FOR v_pause IN SELECT r FROM unnest(p_pauses) AS r ORDER BY pg_catalog.lower(r) LOOP
    EXIT WHEN pg_catalog.lower(v_pause) >= v_deadline;
    IF pg_catalog.upper(v_pause) > p_start THEN
      v_deadline := v_deadline + (pg_catalog.upper(v_pause) - greatest(pg_catalog.lower(v_pause), p_start));
    END IF;
  END LOOP;
  RETURN v_deadline;
END;
$$;

-- Approved holds of a claim as local ranges, cut at p_as_of: an open hold pauses until p_as_of,
-- and what has not begun by p_as_of does not count yet.
CREATE FUNCTION lead_protection.claim_pauses(p_claim_id bigint, p_zone text, p_as_of timestamptz)
RETURNS tsmultirange
LANGUAGE sql STABLE
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
  SELECT coalesce(range_agg(tsrange(l.lo, greatest(l.lo, l.hi))), '{}'::tsmultirange)
    FROM lead_protection.hold h
   CROSS JOIN LATERAL (
     SELECT h.starts_at AT TIME ZONE p_zone AS lo,
            least(coalesce(h.ends_at, 'infinity'::timestamptz), p_as_of) AT TIME ZONE p_zone AS hi) l
   WHERE h.claim_id = p_claim_id
     AND h.approved_at IS NOT NULL
     AND h.starts_at < p_as_of
$$;

-- The state machine. Precedence: a claim closed by then keeps its closed state; otherwise the
-- earlier of term end and end of grace ends it (the term wins a tie); otherwise the activity
-- cycle decides: protected before its deadline, reminder_due until a reminder is sent, grace
-- after. Deadlines of a paused claim are what they would be if the hold ended at p_as_of.
CREATE FUNCTION lead_protection.evaluate_claim(
  p_claim_id bigint, p_as_of timestamptz,
  OUT state text, OUT paused boolean, OUT term_ends_at timestamptz, OUT reminder_due_at timestamptz,
  OUT grace_ends_at timestamptz, OUT cycle_started_at timestamptz, OUT reminder_id bigint,
  OUT ended_at timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
DECLARE
  c             lead_protection.claim;
  s             lead_protection.settings;
  v_zone        text;
  v_pauses      tsmultirange;
  v_extra       interval;
  v_sent_at     timestamptz;
BEGIN
  IF p_as_of IS NULL OR NOT isfinite(p_as_of) THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('lead protection: as_of must be a finite instant, got %s', coalesce(p_as_of::text, 'NULL'));
  END IF;
  SELECT * INTO c FROM lead_protection.claim WHERE id = p_claim_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'no_data_found',
      MESSAGE = format('lead protection: claim %s does not exist', coalesce(p_claim_id::text, 'NULL'));
  END IF;
  IF p_as_of < c.registered_at THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('lead protection: %s is before claim %s was registered (%s)', p_as_of, c.id, c.registered_at);
  END IF;
  SELECT * INTO s FROM lead_protection.settings;
  SELECT t.time_zone INTO v_zone FROM lead_protection.territory t WHERE t.code = c.territory;

  v_pauses := lead_protection.claim_pauses(c.id, v_zone, p_as_of);
  paused := EXISTS (
    SELECT 1 FROM lead_protection.hold h
     WHERE h.claim_id = c.id AND h.approved_at IS NOT NULL
       AND h.starts_at <= p_as_of AND (h.ends_at IS NULL OR h.ends_at > p_as_of));

  SELECT coalesce(sum(e.extra), interval '0') INTO v_extra
    FROM lead_protection.extension e WHERE e.claim_id = c.id AND e.approved_at <= p_as_of;
  term_ends_at := lead_protection.deadline_after(
    c.registered_at AT TIME ZONE v_zone, s.term + v_extra,
    CASE WHEN s.holds_extend_term THEN v_pauses ELSE '{}'::tsmultirange END) AT TIME ZONE v_zone;

  SELECT greatest(c.registered_at, max(p.occurred_at)) INTO cycle_started_at
    FROM lead_protection.progress p WHERE p.claim_id = c.id AND p.occurred_at <= p_as_of;
  reminder_due_at := lead_protection.deadline_after(
    cycle_started_at AT TIME ZONE v_zone, s.activity_period, v_pauses) AT TIME ZONE v_zone;

  SELECT r.id, r.sent_at INTO reminder_id, v_sent_at
    FROM lead_protection.reminder r
   WHERE r.claim_id = c.id AND r.cycle_started_at = evaluate_claim.cycle_started_at;
  IF v_sent_at IS NOT NULL AND v_sent_at <= p_as_of THEN
    grace_ends_at := lead_protection.deadline_after(
      v_sent_at AT TIME ZONE v_zone, s.grace_period, v_pauses) AT TIME ZONE v_zone;
  END IF;

  IF c.status <> 'open' AND c.closed_at <= p_as_of THEN
    state := c.status;
    ended_at := c.closed_at;
  ELSIF term_ends_at <= p_as_of AND (grace_ends_at IS NULL OR term_ends_at <= grace_ends_at) THEN
    state := 'expired_term';
    ended_at := term_ends_at;
  ELSIF grace_ends_at <= p_as_of THEN
    state := 'expired_inactivity';
    ended_at := grace_ends_at;
  ELSIF p_as_of < reminder_due_at THEN
    state := 'protected';
  ELSIF grace_ends_at IS NULL THEN
    state := 'reminder_due';
  ELSE
    state := 'grace';
  END IF;
END;
$$;

-- Every claim registered by p_as_of with its state then: what run_scan and the metrics read.
CREATE FUNCTION lead_protection.claim_states(p_as_of timestamptz)
RETURNS TABLE (claim_id bigint, territory text, state text, paused boolean, reminder_due_at timestamptz,
               cycle_started_at timestamptz, reminder_id bigint, ended_at timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
  SELECT c.id, c.territory, e.state, e.paused, e.reminder_due_at, e.cycle_started_at, e.reminder_id, e.ended_at
    FROM lead_protection.claim c
   CROSS JOIN LATERAL lead_protection.evaluate_claim(c.id, p_as_of) e
   WHERE c.registered_at <= p_as_of
$$;

CREATE FUNCTION lead_protection.protection_state(
  p_claim_id bigint, p_as_of timestamptz,
  OUT state text, OUT paused boolean, OUT term_ends_at timestamptz, OUT reminder_due_at timestamptz,
  OUT grace_ends_at timestamptz, OUT cycle_started_at timestamptz, OUT reminder_id bigint,
  OUT ended_at timestamptz)
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$ SELECT * FROM lead_protection.evaluate_claim(p_claim_id, p_as_of) $$;

COMMENT ON FUNCTION lead_protection.protection_state(bigint, timestamptz) IS
  'State of a claim as of an instant: protected, reminder_due, grace, expired_inactivity, '
  'expired_term or converted; paused while an approved hold runs; the term end, the activity '
  'deadline (reminder due) and the end of grace (after a reminder was sent) with holds and '
  'extensions applied; the current cycle and its reminder; when the claim ended.';
