-- The CRM's mailer reads what to deliver here: outbox rows whose reminder is neither sent nor
-- cancelled, oldest due first. Without it the mailer could not tell a delivered row from a
-- pending one (it may read the outbox, not the reminder table). Re-running it after a crash
-- returns the same rows until mark_reminder_sent records them, so delivery is at-least-once and
-- the idempotency key lets the mail provider drop a duplicate.
CREATE FUNCTION lead_protection.unsent_reminders(p_limit integer DEFAULT 100, p_territory text DEFAULT NULL)
RETURNS TABLE (reminder_id bigint, idempotency_key text, claim_id bigint, lead_id text, owner_user_id text,
               territory text, due_at timestamptz, created_at timestamptz)
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$
BEGIN
  IF p_limit IS NULL OR p_limit < 1 OR p_limit > 10000 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('unsent_reminders: limit must be between 1 and 10000, got %s', coalesce(p_limit::text, 'NULL'));
  END IF;
  RETURN QUERY
    SELECT o.reminder_id, o.idempotency_key, o.claim_id, o.lead_id, o.owner_user_id, o.territory, o.due_at, o.created_at
      FROM lead_protection.reminder_outbox o
      JOIN lead_protection.reminder r ON r.id = o.reminder_id
     WHERE r.sent_at IS NULL AND r.cancelled_at IS NULL
       AND (p_territory IS NULL OR o.territory = p_territory)
     ORDER BY o.due_at, o.reminder_id
     LIMIT p_limit;
END;
$$;

REVOKE ALL ON FUNCTION lead_protection.unsent_reminders(integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lead_protection.unsent_reminders(integer, text) TO freshplan_lead_crm;
