-- Event journal: the durable record of integration events per territory.
-- The journal row is the source of truth; NOTIFY on channel freshplan_events is only a
-- wake-up (see V2). Consumers claim rows by state with FOR UPDATE SKIP LOCKED and poll as
-- a fallback, so a lost or suppressed notification delays an event but never loses it.

CREATE SCHEMA IF NOT EXISTS integration;

COMMENT ON SCHEMA integration IS
  'FreshPlan event journal. Applied by db/migrations.ts; history in public.freshplan_schema_history.';

-- Kept in sync with the stack config (freshplan-scaling:territories) by syncTerritories().
-- A territory removed from the config but still referenced by events is kept with
-- active = false: enqueueing to it is refused, consumers can still drain it.
CREATE TABLE integration.territory (
  code        text PRIMARY KEY
              CONSTRAINT territory_code_format CHECK (code ~ '^[A-Z][A-Z0-9_-]{1,15}$'),
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Which database roles may claim which territory's events. A login role may consume a
-- territory when it is listed here itself or is a member of a listed role. Checked inside
-- claim_events / mark_event_handled / replay_pending against session_user, because inside
-- a SECURITY DEFINER function current_user is the function owner.
CREATE TABLE integration.consumer_territory (
  role_name   text NOT NULL,
  territory   text NOT NULL REFERENCES integration.territory (code) ON DELETE CASCADE,
  PRIMARY KEY (role_name, territory)
);

-- One row. Read by every journal function, so a change takes effect for the next call.
CREATE TABLE integration.settings (
  singleton               boolean PRIMARY KEY DEFAULT true CONSTRAINT settings_single_row CHECK (singleton),
  -- pg_notification_queue_usage() above this: only critical events notify.
  notify_threshold_soft   numeric NOT NULL DEFAULT 0.70,
  -- above this: no event notifies (the queue errors when full; the journal must not).
  notify_threshold_hard   numeric NOT NULL DEFAULT 0.95,
  -- at most one wake-up per territory per interval; 0 notifies every enqueue.
  notify_throttle         interval NOT NULL DEFAULT interval '25 milliseconds',
  lease_duration          interval NOT NULL DEFAULT interval '30 seconds',
  max_attempts            integer NOT NULL DEFAULT 10,
  backoff_base            interval NOT NULL DEFAULT interval '1 second',
  backoff_max             interval NOT NULL DEFAULT interval '10 minutes',
  CONSTRAINT settings_thresholds CHECK (
    notify_threshold_soft > 0 AND notify_threshold_soft <= notify_threshold_hard
    AND notify_threshold_hard <= 1),
  CONSTRAINT settings_durations CHECK (
    notify_throttle >= interval '0' AND lease_duration > interval '0'
    AND backoff_base >= interval '0' AND backoff_max >= backoff_base),
  CONSTRAINT settings_attempts CHECK (max_attempts >= 1)
);

INSERT INTO integration.settings DEFAULT VALUES;

-- The throttle's marker lives in its own tiny table rather than on integration.territory:
-- every journal insert takes a FOR KEY SHARE lock on the territory row (foreign key check),
-- and the throttle must neither wait for nor add to that. next_notify_at is precomputed
-- (last_notified_at + notify_throttle) so the producers' hot path reads one row and no
-- settings; a trigger on settings keeps it right when the throttle changes.
CREATE TABLE integration.territory_notify_state (
  territory         text PRIMARY KEY REFERENCES integration.territory (code) ON DELETE CASCADE,
  last_notified_at  timestamptz NOT NULL DEFAULT '-infinity',
  next_notify_at    timestamptz NOT NULL DEFAULT '-infinity'
);

CREATE FUNCTION integration.territory_notify_state_init() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, integration
AS $$
BEGIN
  INSERT INTO integration.territory_notify_state (territory) VALUES (NEW.code)
  ON CONFLICT (territory) DO NOTHING;
  RETURN NULL;
END;
$$;

CREATE TRIGGER territory_notify_state_init
  AFTER INSERT ON integration.territory
  FOR EACH ROW EXECUTE FUNCTION integration.territory_notify_state_init();

CREATE FUNCTION integration.territory_notify_state_rethrottle() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, integration
AS $$
BEGIN
  UPDATE integration.territory_notify_state
     SET next_notify_at = last_notified_at + NEW.notify_throttle;
  RETURN NULL;
END;
$$;

CREATE TRIGGER territory_notify_state_rethrottle
  AFTER UPDATE OF notify_throttle ON integration.settings
  FOR EACH ROW WHEN (OLD.notify_throttle IS DISTINCT FROM NEW.notify_throttle)
  EXECUTE FUNCTION integration.territory_notify_state_rethrottle();

CREATE TABLE integration.event_journal (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_type        text NOT NULL CONSTRAINT event_type_not_blank CHECK (btrim(event_type) <> ''),
  org_id            text NOT NULL CONSTRAINT org_id_not_blank CHECK (btrim(org_id) <> ''),
  territory         text NOT NULL REFERENCES integration.territory (code),
  correlation_id    text,
  payload           jsonb NOT NULL,
  critical          boolean NOT NULL DEFAULT false,
  state             text NOT NULL DEFAULT 'pending'
                    CONSTRAINT event_state CHECK (state IN ('pending', 'claimed', 'handled', 'failed')),
  attempts          integer NOT NULL DEFAULT 0,
  claimed_by        text,
  lease_expires_at  timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  notified_at       timestamptz,
  handled_at        timestamptz,
  available_at      timestamptz NOT NULL DEFAULT now(),
  last_error        text,
  CONSTRAINT claimed_has_lease CHECK (
    state <> 'claimed' OR (claimed_by IS NOT NULL AND lease_expires_at IS NOT NULL))
);

COMMENT ON COLUMN integration.event_journal.notified_at IS
  'When the enqueue of this event sent a wake-up; NULL when it was coalesced into another '
  'wake-up (throttle) or suppressed by backpressure. Consumers never depend on it.';
COMMENT ON COLUMN integration.event_journal.claimed_by IS
  'Consumer holding the claim; on handled and failed events the consumer that settled it.';
COMMENT ON COLUMN integration.event_journal.handled_at IS
  'When the event reached a final state (handled, or failed after max_attempts).';

-- Claiming walks these partial indexes in order, so its cost depends on the batch size,
-- not on how many handled events the journal keeps.
CREATE INDEX event_journal_claimable
  ON integration.event_journal (territory, available_at, id) WHERE state = 'pending';
CREATE INDEX event_journal_leases
  ON integration.event_journal (territory, lease_expires_at) WHERE state = 'claimed';
CREATE INDEX event_journal_failed
  ON integration.event_journal (territory) WHERE state = 'failed';
CREATE INDEX event_journal_recently_handled
  ON integration.event_journal (territory, handled_at) WHERE state = 'handled';
