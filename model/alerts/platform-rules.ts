/**
 * Groups that do not read the API recordings: KEDA's health, the event journal and lead protection
 * (via the postgres_exporter queries in journal/exporter.ts) and the business KPIs the API exports.
 */
import type { AlertSettings } from "../config/alert-settings";
import type { FreshplanConfig } from "../config/schema";
import { JOURNAL_EXPORTER, JOURNAL_METRIC_PREFIX, JOURNAL_TOTAL_ROW, LEAD_METRIC_PREFIX } from "../conventions";
import { promNumber, promString } from "../prometheus/promql";
import { AlertingRule, RuleGroup, runbookUrl } from "./rule-types";

type Annotated = Omit<AlertingRule, "annotations"> & { summary: string; description: string };

const withRunbook =
  (a: AlertSettings) =>
  (r: Annotated): AlertingRule => {
    const { summary, description, ...rule } = r;
    return { ...rule, annotations: { summary, description, runbook_url: runbookUrl(a, r.alert) } };
  };

function kedaGroup(config: FreshplanConfig): RuleGroup {
  const ns = promString(config.namespace);
  const rules: Annotated[] = [
    {
      alert: "FreshplanKedaScalerErrors",
      expr:
        `sum by (namespace, scaledObject, scaler) ` +
        `(increase(keda_scaler_detail_errors_total{namespace=${ns}}[5m])) > 0`,
      for: "10m",
      labels: { severity: "warning" },
      summary: "A KEDA trigger keeps failing",
      description:
        "Trigger {{ $labels.scaler }} of ScaledObject {{ $labels.namespace }}/{{ $labels.scaledObject }} " +
        'failed {{ $value | printf "%.0f" }} times in 5 minutes; ' +
        "KEDA scales on the remaining triggers and falls back to fallback replicas when all fail.",
    },
    {
      alert: "FreshplanKedaScaledObjectErrors",
      expr: `sum by (namespace, scaledObject) (increase(keda_scaled_object_errors_total{namespace=${ns}}[5m])) > 0`,
      for: "10m",
      labels: { severity: "warning" },
      summary: "A KEDA ScaledObject keeps reporting errors",
      description:
        "ScaledObject {{ $labels.namespace }}/{{ $labels.scaledObject }} " +
        'reported {{ $value | printf "%.0f" }} errors in 5 minutes; its replica count may be stale.',
    },
  ];
  return { name: "freshplan-keda", rules: rules.map(withRunbook(config.alerts)) };
}

function journalGroup(config: FreshplanConfig): RuleGroup {
  const a = config.alerts;
  const metric = (column: string) => `${JOURNAL_METRIC_PREFIX}_${column}`;
  // The exporter runs in the stack's namespace: stacks sharing a Prometheus keep their own journal.
  const ns = `namespace=${promString(config.namespace)}`;
  const total = `${ns},territory=${promString(JOURNAL_TOTAL_ROW)}`;
  const perTerritory = `${ns},territory!=${promString(JOURNAL_TOTAL_ROW)}`;
  // The queue is cluster-wide: every row carries the same figure, so the total row is read.
  const queue = `max(${metric("notify_queue_usage")}{${total}})`;
  const rules: Annotated[] = [
    {
      alert: "FreshplanNotifyQueueHigh",
      expr: `${queue} > ${promNumber(a.notifyQueueWarning)} and ${queue} <= ${promNumber(a.notifyQueueCritical)}`,
      for: "5m",
      labels: { severity: "warning" },
      summary: "Postgres NOTIFY queue filling up",
      description:
        `The NOTIFY queue is {{ $value | humanizePercentage }} full (warning above ` +
        `${promNumber(a.notifyQueueWarning * 100)} %): a listener is not draining it.`,
    },
    {
      alert: "FreshplanNotifyQueueCritical",
      expr: `${queue} > ${promNumber(a.notifyQueueCritical)}`,
      for: "1m",
      labels: { severity: "critical" },
      summary: "Postgres NOTIFY queue nearly full",
      description:
        `The NOTIFY queue is {{ $value | humanizePercentage }} full (emergency above ` +
        `${promNumber(a.notifyQueueCritical * 100)} %); when it is full, every transaction that notifies ` +
        `fails at commit.`,
    },
    {
      alert: "FreshplanJournalLag",
      expr:
        `max by (territory) (${metric("oldest_pending_age_seconds")}{${perTerritory}}) > ` +
        `${promNumber(a.journalLagSeconds)}`,
      for: "2m",
      labels: { severity: "critical" },
      summary: "Event journal is not being drained",
      description:
        `The oldest pending journal event of territory {{ $labels.territory }} ` +
        `is {{ $value | humanizeDuration }} old (limit ${a.journalLagSeconds} s).`,
    },
    {
      alert: "FreshplanJournalDeadLetters",
      expr: `max by (territory) (delta(${metric("failed")}{${perTerritory}}[15m])) > 0`,
      for: "5m",
      labels: { severity: "warning" },
      summary: "Journal events are failing for good",
      description:
        '{{ $value | printf "%.0f" }} more events of territory {{ $labels.territory }} went to state failed ' +
        "in the last 15 minutes.",
    },
  ];
  if (config.journal) {
    // Without the exporter every journal alert above is silent; pg_up == 0 means it runs but cannot sign in.
    const exporter = `{namespace=${promString(config.namespace)},job=${promString(JOURNAL_EXPORTER)}}`;
    rules.push({
      alert: "FreshplanJournalExporterDown",
      expr: `(up${exporter} == 0) or (pg_up${exporter} == 0) or absent(up${exporter})`,
      for: "10m",
      labels: { severity: "warning" },
      summary: "The journal's postgres_exporter is down or cannot read the journal",
      description:
        `${JOURNAL_EXPORTER} in ${config.namespace} is not scraped or cannot connect to PostgreSQL as the ` +
        `monitor login: the journal lag, dead-letter and NOTIFY queue alerts are blind.`,
    });
  }
  return { name: "freshplan-journal", rules: rules.map(withRunbook(a)) };
}

function businessGroup(config: FreshplanConfig): RuleGroup {
  const a = config.alerts;
  // The API pods export these; their namespace keeps stacks sharing a Prometheus apart.
  const ns = `{namespace=${promString(config.namespace)}}`;
  const rules: Annotated[] = [
    {
      alert: "FreshplanCreditCheckBacklog",
      expr: `max by (territory) (freshplan_credit_check_pending${ns}) > ${promNumber(a.creditCheckBacklog)}`,
      for: a.creditCheckBacklogFor,
      labels: { severity: "warning" },
      summary: "Credit checks are piling up",
      description:
        `{{ $value | printf "%.0f" }} credit checks are waiting in territory {{ $labels.territory }} (limit ` +
        `${a.creditCheckBacklog} for ${a.creditCheckBacklogFor}); orders wait with them.`,
    },
    {
      alert: "FreshplanCampaignOutboxBacklog",
      expr: `max by (territory) (freshplan_campaign_outbox_pending${ns}) > ${promNumber(a.campaignOutboxBacklog)}`,
      for: a.campaignOutboxBacklogFor,
      labels: { severity: "warning" },
      summary: "Campaign mails are piling up in the outbox",
      description:
        `{{ $value | printf "%.0f" }} campaign messages are waiting in territory {{ $labels.territory }} ` +
        `(limit ${a.campaignOutboxBacklog} for ${a.campaignOutboxBacklogFor}).`,
    },
    {
      // The age of the oldest due, unsent reminder (lead_protection.metrics via postgres_exporter).
      // Comparing counters ("due an SLA ago − sent now") let later reminders sent on time hide an
      // old unsent one; the age cannot be offset. for: 1m only absorbs a single odd sample.
      alert: "FreshplanLeadReminderSlaBreach",
      expr:
        `max by (territory) (${LEAD_METRIC_PREFIX}_oldest_unsent_due_age_seconds${ns}) > ` +
        `${promNumber(a.leadReminderSlaMinutes * 60)}`,
      for: "1m",
      labels: { severity: "warning" },
      summary: "Lead-protection reminders are overdue",
      description:
        `The oldest unsent lead reminder of territory {{ $labels.territory }} ` +
        `has been due for {{ $value | humanizeDuration }} (SLA ${a.leadReminderSlaMinutes} minutes).`,
    },
  ];
  return { name: "freshplan-business", rules: rules.map(withRunbook(a)) };
}

export function platformRuleGroups(config: FreshplanConfig): RuleGroup[] {
  return [kedaGroup(config), journalGroup(config), businessGroup(config)];
}
