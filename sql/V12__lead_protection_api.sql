-- What the CRM records: claims, progress, holds, extensions, conversions and sent reminders.
-- Every entry point is SECURITY DEFINER with pg_temp last in its search_path (a caller's
-- temporary objects must never shadow ours), checks its arguments before writing anything and
-- raises with a SQLSTATE: 22004/22023 bad argument, P0002 unknown id, 55000 the claim has ended
-- or the hold/reminder is already settled, 23505 lead already protected, 23P01 overlapping hold.

CREATE FUNCTION lead_protection.require_text(p_function text, p_name text, p_value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
BEGIN
  IF p_value IS NULL OR btrim(p_value) = '' THEN
    RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
      MESSAGE = format('%s: %s must not be blank', p_function, p_name);
  END IF;
  RETURN p_value;
END;
$$;

CREATE FUNCTION lead_protection.require_instant(p_function text, p_name text, p_value timestamptz) RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
BEGIN
  IF p_value IS NULL OR NOT isfinite(p_value) THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('%s: %s must be a finite instant, got %s', p_function, p_name, coalesce(p_value::text, 'NULL'));
  END IF;
  RETURN p_value;
END;
$$;

-- Locks the claim (callers of one claim queue up, run_scan skips it meanwhile) and refuses a
-- claim that is closed, or, when p_at is given, one whose protection had ended by p_at:
-- a closed claim never reopens, and nothing may be recorded after its end.
CREATE FUNCTION lead_protection.lock_live_claim(p_function text, p_claim_id bigint, p_at timestamptz)
RETURNS lead_protection.claim
LANGUAGE plpgsql
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
DECLARE
  c   lead_protection.claim;
  st  record;
BEGIN
  SELECT * INTO c FROM lead_protection.claim WHERE id = p_claim_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'no_data_found',
      MESSAGE = format('%s: claim %s does not exist', p_function, coalesce(p_claim_id::text, 'NULL'));
  END IF;
  IF c.status <> 'open' THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = format('%s: claim %s is closed (%s at %s) and never reopens', p_function, c.id, c.status, c.closed_at);
  END IF;
  IF p_at IS NOT NULL THEN
    IF p_at < c.registered_at THEN
      RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
        MESSAGE = format('%s: %s is before claim %s was registered (%s)', p_function, p_at, c.id, c.registered_at);
    END IF;
    SELECT * INTO st FROM lead_protection.evaluate_claim(c.id, p_at);
    IF st.state IN ('expired_inactivity', 'expired_term') THEN
      RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
        MESSAGE = format('%s: protection of claim %s ended (%s) at %s, before %s', p_function, c.id, st.state, st.ended_at, p_at);
    END IF;
  END IF;
  RETURN c;
END;
$$;

CREATE FUNCTION lead_protection.register_claim(
  p_lead_id text, p_owner_user_id text, p_territory text, p_registered_at timestamptz) RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
DECLARE
  v_existing  bigint;
  v_id        bigint;
BEGIN
  PERFORM lead_protection.require_text('register_claim', 'lead_id', p_lead_id);
  PERFORM lead_protection.require_text('register_claim', 'owner_user_id', p_owner_user_id);
  PERFORM lead_protection.require_instant('register_claim', 'registered_at', p_registered_at);
  IF NOT EXISTS (SELECT 1 FROM lead_protection.territory WHERE code = p_territory) THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('register_claim: territory %L is unknown (territories come from the stack config)', p_territory);
  END IF;
  SELECT id INTO v_existing FROM lead_protection.claim WHERE lead_id = p_lead_id AND status = 'open';
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'unique_violation',
      MESSAGE = format('register_claim: lead %L is already claimed (open claim %s)', p_lead_id, v_existing);
  END IF;
  BEGIN
    INSERT INTO lead_protection.claim (lead_id, owner_user_id, territory, registered_at)
    VALUES (p_lead_id, p_owner_user_id, p_territory, p_registered_at)
    RETURNING id INTO v_id;
  EXCEPTION WHEN unique_violation THEN
    -- a concurrent registration of the same lead won the partial unique index
    RAISE EXCEPTION USING ERRCODE = 'unique_violation',
      MESSAGE = format('register_claim: lead %L is already claimed', p_lead_id);
  END;
  RETURN v_id;
END;
$$;

CREATE FUNCTION lead_protection.record_progress(p_claim_id bigint, p_occurred_at timestamptz, p_kind text)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
DECLARE
  v_id bigint;
BEGIN
  PERFORM lead_protection.require_instant('record_progress', 'occurred_at', p_occurred_at);
  IF p_kind IS NULL OR p_kind NOT IN ('qualified_conversation', 'customer_reaction', 'follow_up_scheduled') THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('record_progress: kind %L is not one of qualified_conversation, customer_reaction, follow_up_scheduled', p_kind);
  END IF;
  PERFORM lead_protection.lock_live_claim('record_progress', p_claim_id, p_occurred_at);
  INSERT INTO lead_protection.progress (claim_id, occurred_at, kind)
  VALUES (p_claim_id, p_occurred_at, p_kind)
  RETURNING id INTO v_id;
  -- A new cycle begins: an unsent reminder of an earlier one must not be sent any more.
  UPDATE lead_protection.reminder SET cancelled_at = p_occurred_at
   WHERE claim_id = p_claim_id AND sent_at IS NULL AND cancelled_at IS NULL
     AND cycle_started_at < p_occurred_at;
  RETURN v_id;
END;
$$;

CREATE FUNCTION lead_protection.request_hold(
  p_claim_id bigint, p_reason text, p_starts_at timestamptz, p_requested_by text) RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
DECLARE
  v_id bigint;
BEGIN
  PERFORM lead_protection.require_instant('request_hold', 'starts_at', p_starts_at);
  PERFORM lead_protection.require_text('request_hold', 'requested_by', p_requested_by);
  IF p_reason IS NULL OR p_reason NOT IN ('price_approval', 'samples', 'documents', 'customer_blackout') THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('request_hold: reason %L is not one of price_approval, samples, documents, customer_blackout', p_reason);
  END IF;
  PERFORM lead_protection.lock_live_claim('request_hold', p_claim_id, p_starts_at);
  INSERT INTO lead_protection.hold (claim_id, reason, starts_at, requested_by)
  VALUES (p_claim_id, p_reason, p_starts_at, p_requested_by)
  RETURNING id INTO v_id;
  RETURN v_id;
END;
$$;

-- Approved holds of one reason on one claim may not overlap: they would be one hold recorded twice.
CREATE FUNCTION lead_protection.require_no_overlap(p_function text, h lead_protection.hold) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
DECLARE
  v_other bigint;
BEGIN
  SELECT o.id INTO v_other FROM lead_protection.hold o
   WHERE o.claim_id = h.claim_id AND o.id <> h.id AND o.reason = h.reason AND o.approved_at IS NOT NULL
     AND tstzrange(o.starts_at, o.ends_at) && tstzrange(h.starts_at, h.ends_at)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'exclusion_violation',
      MESSAGE = format('%s: hold %s (%s from %s) overlaps approved hold %s with the same reason; end or extend that one instead',
                       p_function, h.id, h.reason, h.starts_at, v_other);
  END IF;
END;
$$;

CREATE FUNCTION lead_protection.approve_hold(p_hold_id bigint, p_approved_by text, p_approved_at timestamptz)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
DECLARE
  h lead_protection.hold;
BEGIN
  PERFORM lead_protection.require_text('approve_hold', 'approved_by', p_approved_by);
  PERFORM lead_protection.require_instant('approve_hold', 'approved_at', p_approved_at);
  SELECT * INTO h FROM lead_protection.hold WHERE id = p_hold_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'no_data_found',
      MESSAGE = format('approve_hold: hold %s does not exist', coalesce(p_hold_id::text, 'NULL'));
  END IF;
  PERFORM lead_protection.lock_live_claim('approve_hold', h.claim_id, h.starts_at);
  SELECT * INTO h FROM lead_protection.hold WHERE id = p_hold_id;
  IF h.approved_at IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = format('approve_hold: hold %s was already approved by %s at %s', h.id, h.approved_by, h.approved_at);
  END IF;
  IF p_approved_by = h.requested_by THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('approve_hold: %s requested hold %s and cannot approve it too', p_approved_by, h.id);
  END IF;
  IF p_approved_at > h.starts_at THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('approve_hold: hold %s starts at %s, before its approval at %s; request it again from the approval on',
                       h.id, h.starts_at, p_approved_at);
  END IF;
  PERFORM lead_protection.require_no_overlap('approve_hold', h);
  UPDATE lead_protection.hold SET approved_by = p_approved_by, approved_at = p_approved_at WHERE id = h.id;
END;
$$;

CREATE FUNCTION lead_protection.end_hold(p_hold_id bigint, p_ends_at timestamptz) RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
DECLARE
  h lead_protection.hold;
BEGIN
  PERFORM lead_protection.require_instant('end_hold', 'ends_at', p_ends_at);
  SELECT * INTO h FROM lead_protection.hold WHERE id = p_hold_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'no_data_found',
      MESSAGE = format('end_hold: hold %s does not exist', coalesce(p_hold_id::text, 'NULL'));
  END IF;
  PERFORM lead_protection.lock_live_claim('end_hold', h.claim_id, NULL);
  SELECT * INTO h FROM lead_protection.hold WHERE id = p_hold_id;
  IF h.ends_at IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = format('end_hold: hold %s already ended at %s', h.id, h.ends_at);
  END IF;
  IF p_ends_at <= h.starts_at THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('end_hold: hold %s cannot end at %s, it starts at %s', h.id, p_ends_at, h.starts_at);
  END IF;
  UPDATE lead_protection.hold SET ends_at = p_ends_at WHERE id = h.id;
END;
$$;

CREATE FUNCTION lead_protection.extend_term(
  p_claim_id bigint, p_extra interval, p_approved_by text, p_reason text, p_approved_at timestamptz) RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
DECLARE
  v_id bigint;
BEGIN
  IF p_extra IS NULL OR p_extra <= interval '0' THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('extend_term: extra must be a positive interval, got %s', coalesce(p_extra::text, 'NULL'));
  END IF;
  PERFORM lead_protection.require_text('extend_term', 'approved_by', p_approved_by);
  PERFORM lead_protection.require_text('extend_term', 'reason', p_reason);
  PERFORM lead_protection.require_instant('extend_term', 'approved_at', p_approved_at);
  PERFORM lead_protection.lock_live_claim('extend_term', p_claim_id, p_approved_at);
  INSERT INTO lead_protection.extension (claim_id, extra, approved_by, reason, approved_at)
  VALUES (p_claim_id, p_extra, p_approved_by, p_reason, p_approved_at)
  RETURNING id INTO v_id;
  RETURN v_id;
END;
$$;

CREATE FUNCTION lead_protection.convert_claim(p_claim_id bigint, p_converted_at timestamptz) RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
BEGIN
  PERFORM lead_protection.require_instant('convert_claim', 'converted_at', p_converted_at);
  PERFORM lead_protection.lock_live_claim('convert_claim', p_claim_id, p_converted_at);
  UPDATE lead_protection.claim SET status = 'converted', closed_at = p_converted_at WHERE id = p_claim_id;
  UPDATE lead_protection.reminder SET cancelled_at = p_converted_at
   WHERE claim_id = p_claim_id AND sent_at IS NULL AND cancelled_at IS NULL;
END;
$$;

-- Safe to retry: a reminder already marked sent keeps its first sent_at, which is returned.
CREATE FUNCTION lead_protection.mark_reminder_sent(p_reminder_id bigint, p_sent_at timestamptz) RETURNS timestamptz
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
DECLARE
  r lead_protection.reminder;
BEGIN
  PERFORM lead_protection.require_instant('mark_reminder_sent', 'sent_at', p_sent_at);
  SELECT * INTO r FROM lead_protection.reminder WHERE id = p_reminder_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'no_data_found',
      MESSAGE = format('mark_reminder_sent: reminder %s does not exist', coalesce(p_reminder_id::text, 'NULL'));
  END IF;
  IF r.sent_at IS NOT NULL THEN
    RETURN r.sent_at;
  END IF;
  IF r.cancelled_at IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = format('mark_reminder_sent: reminder %s was cancelled at %s (progress or end of protection); do not send it',
                       r.id, r.cancelled_at);
  END IF;
  IF p_sent_at < r.due_at THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('mark_reminder_sent: reminder %s is due at %s, it cannot have been sent at %s', r.id, r.due_at, p_sent_at);
  END IF;
  UPDATE lead_protection.reminder SET sent_at = p_sent_at WHERE id = r.id;
  RETURN p_sent_at;
END;
$$;
