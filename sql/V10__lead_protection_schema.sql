-- Lead protection (sales-agent contract, clause 2(8)): who a lead belongs to, and until when.
-- Tables only; the clock is in V11, the API in V12, scan and metrics in V13, roles in V14.
-- Nobody but the owner touches these tables: callers go through the functions.

CREATE SCHEMA IF NOT EXISTS lead_protection;

COMMENT ON SCHEMA lead_protection IS
  'Lead protection per the sales-agent contract. Applied by db/migrations.ts; '
  'history in public.freshplan_schema_history.';

-- One row. Read by every function that judges time, so a change applies to the next call.
CREATE TABLE lead_protection.settings (
  singleton          boolean PRIMARY KEY DEFAULT true CONSTRAINT settings_single_row CHECK (singleton),
  -- clause a): the protection term.
  term               interval NOT NULL DEFAULT interval '6 months',
  -- clause b): at most this long without a progress step.
  activity_period    interval NOT NULL DEFAULT interval '60 days',
  -- clause c): runs from the written reminder, not from the end of the activity period.
  grace_period       interval NOT NULL DEFAULT interval '10 days',
  -- clause d) extends the term by stopped time; clause f) ("regardless of d") may say it must
  -- not. Until that is settled, holds extend the term (true); false makes the term end fixed.
  holds_extend_term  boolean NOT NULL DEFAULT true,
  -- a due reminder must be sent within this (metrics view: reminders_overdue).
  reminder_sla       interval NOT NULL DEFAULT interval '60 minutes',
  CONSTRAINT settings_positive CHECK (
    term > interval '0' AND activity_period > interval '0' AND grace_period > interval '0'
    AND reminder_sla > interval '0')
);

INSERT INTO lead_protection.settings DEFAULT VALUES;

CREATE FUNCTION lead_protection.is_time_zone(p_name text) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, lead_protection, pg_temp
AS $$ SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names WHERE name = p_name) $$;

-- Kept in sync with the stack config (territories.<CODE>.timeZone) by db/lead-territories.ts.
-- Deadlines are counted in calendar days of the territory's zone, so a deadline across a DST
-- change keeps its local time of day.
CREATE TABLE lead_protection.territory (
  code        text PRIMARY KEY
              CONSTRAINT territory_code_format CHECK (code ~ '^[A-Z][A-Z0-9_-]{1,15}$'),
  time_zone   text NOT NULL CONSTRAINT territory_time_zone_known CHECK (lead_protection.is_time_zone(time_zone)),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- status is what run_scan or convert_claim decided and never goes back to 'open'. While it is
-- 'open' the state is computed from the facts below as of any instant (protection_state).
CREATE TABLE lead_protection.claim (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  lead_id         text NOT NULL CONSTRAINT claim_lead_id_not_blank CHECK (btrim(lead_id) <> ''),
  owner_user_id   text NOT NULL CONSTRAINT claim_owner_not_blank CHECK (btrim(owner_user_id) <> ''),
  territory       text NOT NULL REFERENCES lead_protection.territory (code),
  registered_at   timestamptz NOT NULL CONSTRAINT claim_registered_finite CHECK (isfinite(registered_at)),
  status          text NOT NULL DEFAULT 'open'
                  CONSTRAINT claim_status_known CHECK (status IN ('open', 'converted', 'expired_inactivity', 'expired_term')),
  closed_at       timestamptz,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT claim_closed_consistent CHECK ((status = 'open') = (closed_at IS NULL)),
  CONSTRAINT claim_closed_after_registration CHECK (closed_at >= registered_at)
);

-- One open claim per lead: a second agent cannot register a protected lead.
CREATE UNIQUE INDEX claim_one_open_per_lead ON lead_protection.claim (lead_id) WHERE status = 'open';
CREATE INDEX claim_open_by_territory ON lead_protection.claim (territory) WHERE status = 'open';

-- clause b): the provable progress steps that restart the 60 days.
CREATE TABLE lead_protection.progress (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  claim_id     bigint NOT NULL REFERENCES lead_protection.claim (id),
  occurred_at  timestamptz NOT NULL CONSTRAINT progress_occurred_finite CHECK (isfinite(occurred_at)),
  kind         text NOT NULL
               CONSTRAINT progress_kind_known CHECK (kind IN ('qualified_conversation', 'customer_reaction', 'follow_up_scheduled')),
  recorded_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX progress_by_claim ON lead_protection.progress (claim_id, occurred_at);

-- clause d): stop-the-clock. A hold pauses nothing until approved; approved holds may overlap
-- when their reasons differ (a sample and a customer blackout), and then count once.
CREATE TABLE lead_protection.hold (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  claim_id      bigint NOT NULL REFERENCES lead_protection.claim (id),
  reason        text NOT NULL
                CONSTRAINT hold_reason_known CHECK (reason IN ('price_approval', 'samples', 'documents', 'customer_blackout')),
  starts_at     timestamptz NOT NULL CONSTRAINT hold_starts_finite CHECK (isfinite(starts_at)),
  ends_at       timestamptz CONSTRAINT hold_ends_finite CHECK (isfinite(ends_at)),
  requested_by  text NOT NULL CONSTRAINT hold_requested_by_not_blank CHECK (btrim(requested_by) <> ''),
  approved_by   text CONSTRAINT hold_approved_by_not_blank CHECK (btrim(approved_by) <> ''),
  approved_at   timestamptz,
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT hold_ends_after_start CHECK (ends_at > starts_at),
  CONSTRAINT hold_approval_complete CHECK ((approved_by IS NULL) = (approved_at IS NULL)),
  -- no retroactive holds: a pause cannot start before someone approved it.
  CONSTRAINT hold_approved_before_start CHECK (approved_at <= starts_at),
  CONSTRAINT hold_four_eyes CHECK (approved_by <> requested_by)
);

CREATE INDEX hold_by_claim ON lead_protection.hold (claim_id, starts_at);

-- clause e): term extensions on a reasoned written request.
CREATE TABLE lead_protection.extension (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  claim_id     bigint NOT NULL REFERENCES lead_protection.claim (id),
  extra        interval NOT NULL CONSTRAINT extension_positive CHECK (extra > interval '0'),
  approved_by  text NOT NULL CONSTRAINT extension_approved_by_not_blank CHECK (btrim(approved_by) <> ''),
  reason       text NOT NULL CONSTRAINT extension_reason_not_blank CHECK (btrim(reason) <> ''),
  approved_at  timestamptz NOT NULL CONSTRAINT extension_approved_finite CHECK (isfinite(approved_at)),
  recorded_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX extension_by_claim ON lead_protection.extension (claim_id);

-- clause c): one reminder per activity cycle. A cycle starts at registration or at the latest
-- progress; cycle_started_at identifies it, so a second scan finds the reminder it already made.
CREATE TABLE lead_protection.reminder (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  claim_id          bigint NOT NULL REFERENCES lead_protection.claim (id),
  cycle_started_at  timestamptz NOT NULL,
  due_at            timestamptz NOT NULL,
  created_at        timestamptz NOT NULL,
  sent_at           timestamptz,
  -- progress or the end of the claim made an unsent reminder moot.
  cancelled_at      timestamptz,
  CONSTRAINT reminder_one_per_cycle UNIQUE (claim_id, cycle_started_at),
  CONSTRAINT reminder_sent_after_due CHECK (sent_at >= due_at),
  CONSTRAINT reminder_sent_or_cancelled CHECK (sent_at IS NULL OR cancelled_at IS NULL)
);

CREATE INDEX reminder_unsent ON lead_protection.reminder (claim_id) WHERE sent_at IS NULL AND cancelled_at IS NULL;

-- What the CRM's mailer delivers. idempotency_key is stable per claim and cycle, so a mailer
-- that retries after a crash can de-duplicate at the mail provider as well.
CREATE TABLE lead_protection.reminder_outbox (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  reminder_id      bigint NOT NULL UNIQUE REFERENCES lead_protection.reminder (id),
  idempotency_key  text NOT NULL UNIQUE,
  claim_id         bigint NOT NULL,
  lead_id          text NOT NULL,
  owner_user_id    text NOT NULL,
  territory        text NOT NULL,
  due_at           timestamptz NOT NULL,
  created_at       timestamptz NOT NULL
);
