/** Business KPIs: credit-check backlog, campaign outbox and lead-protection reminders (due, sent, overdue). */
import type { FreshplanConfig } from "../config/schema";
import { LEAD_METRIC_PREFIX } from "../conventions";
import { promNumber, promString } from "../prometheus/promql";
import type { DashboardSpec, PanelSpec } from "./panels";
import { thresholdSteps } from "./panels";

export const BUSINESS_KPIS_UID = "freshplan-business-kpis";

export function businessKpisDashboard(config: FreshplanConfig): DashboardSpec {
  const a = config.alerts;
  // The stack's own series (stacks may share a Prometheus); lead protection's come from the journal's exporter.
  const ns = `{namespace=${promString(config.namespace)}}`;
  const lead = (column: string) => `${LEAD_METRIC_PREFIX}_${column}${ns}`;
  const panels: PanelSpec[] = [
    {
      id: 1,
      key: "credit-checks",
      title: "Credit checks waiting",
      description:
        `Pending credit checks per territory; FreshplanCreditCheckBacklog fires above ` +
        `${promNumber(a.creditCheckBacklog)} for ${a.creditCheckBacklogFor}.`,
      unit: "short",
      kind: "timeseries",
      min: 0,
      thresholds: thresholdSteps([a.creditCheckBacklog, "red"]),
      queries: [{ expr: `max by (territory) (freshplan_credit_check_pending${ns})`, legend: "{{territory}}" }],
    },
    {
      id: 2,
      key: "campaign-outbox",
      title: "Campaign outbox",
      description:
        `Campaign messages waiting per territory; FreshplanCampaignOutboxBacklog fires above ` +
        `${promNumber(a.campaignOutboxBacklog)} for ${a.campaignOutboxBacklogFor}.`,
      unit: "short",
      kind: "timeseries",
      min: 0,
      thresholds: thresholdSteps([a.campaignOutboxBacklog, "red"]),
      queries: [{ expr: `max by (territory) (freshplan_campaign_outbox_pending${ns})`, legend: "{{territory}}" }],
    },
    {
      id: 3,
      key: "reminders",
      title: "Lead reminders created and sent per hour",
      description:
        "Reminders the lead-protection scan created and the CRM marked sent, per territory (lead_protection.metrics).",
      unit: "short",
      kind: "timeseries",
      min: 0,
      queries: [
        { expr: `max by (territory) (increase(${lead("reminders_due_total")}[1h]))`, legend: "{{territory}} due" },
        { expr: `max by (territory) (increase(${lead("reminders_sent_total")}[1h]))`, legend: "{{territory}} sent" },
      ],
    },
    {
      id: 4,
      key: "reminders-overdue",
      title: "Oldest unsent lead reminder",
      description:
        `How long the oldest due, unsent reminder has waited, per territory; FreshplanLeadReminderSlaBreach ` +
        `fires above ${a.leadReminderSlaMinutes} min.`,
      unit: "s",
      kind: "timeseries",
      min: 0,
      thresholds: thresholdSteps([a.leadReminderSlaMinutes * 60, "red"]),
      queries: [{ expr: `max by (territory) (${lead("oldest_unsent_due_age_seconds")})`, legend: "{{territory}}" }],
    },
  ];
  return {
    name: "business-kpis",
    uid: BUSINESS_KPIS_UID,
    title: "FreshPlan / Business KPIs",
    description:
      "What the CRM's users feel: credit checks, campaign mails, lead-protection reminders. Generated from " +
      "the stack config.",
    time: { from: "now-24h", to: "now" },
    variables: [],
    annotations: [],
    rows: [{ title: "Backlogs", panels }],
  };
}
