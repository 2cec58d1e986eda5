/** Business KPIs: credit-check backlog, campaign outbox and lead-protection reminders (due, sent, overdue). */
import type { FreshplanConfig } from "../config/schema";
import { promNumber } from "../prometheus/promql";
import type { DashboardSpec, PanelSpec } from "./panels";
import { thresholdSteps } from "./panels";

export const BUSINESS_KPIS_UID = "freshplan-business-kpis";

export function businessKpisDashboard(config: FreshplanConfig): DashboardSpec {
  const a = config.alerts;
  const sla = `${a.leadReminderSlaMinutes}m`;
  // The reminder counters count rows of one table, so every pod reports the same value: max() de-duplicates.
  const reminders = (counter: string) => `max by (territory) (${counter})`;
  const panels: PanelSpec[] = [
    {
      id: 1,
      key: "credit-checks",
      title: "Credit checks waiting",
      description: `Pending credit checks per territory; FreshplanCreditCheckBacklog fires above ${promNumber(a.creditCheckBacklog)} for ${a.creditCheckBacklogFor}.`,
      unit: "short",
      kind: "timeseries",
      min: 0,
      thresholds: thresholdSteps([a.creditCheckBacklog, "red"]),
      queries: [{ expr: "max by (territory) (freshplan_credit_check_pending)", legend: "{{territory}}" }],
    },
    {
      id: 2,
      key: "campaign-outbox",
      title: "Campaign outbox",
      description: `Campaign messages waiting per territory; FreshplanCampaignOutboxBacklog fires above ${promNumber(a.campaignOutboxBacklog)} for ${a.campaignOutboxBacklogFor}.`,
      unit: "short",
      kind: "timeseries",
      min: 0,
      thresholds: thresholdSteps([a.campaignOutboxBacklog, "red"]),
      queries: [{ expr: "max by (territory) (freshplan_campaign_outbox_pending)", legend: "{{territory}}" }],
    },
    {
      id: 3,
      key: "reminders",
      title: "Lead reminders due and sent per hour",
      description: "Lead-protection reminders that fell due and that were sent, per territory.",
      unit: "short",
      kind: "timeseries",
      min: 0,
      queries: [
        { expr: `${reminders("increase(lead_reminder_due_total[1h])")}`, legend: "{{territory}} due" },
        { expr: `${reminders("increase(lead_reminder_sent_total[1h])")}`, legend: "{{territory}} sent" },
      ],
    },
    {
      id: 4,
      key: "reminders-overdue",
      title: `Lead reminders overdue (due more than ${a.leadReminderSlaMinutes} min ago, not sent)`,
      description: "FreshplanLeadReminderSlaBreach fires above 0.",
      unit: "short",
      kind: "timeseries",
      min: 0,
      thresholds: thresholdSteps([1, "red"]),
      queries: [{ expr: `${reminders(`lead_reminder_due_total offset ${sla}`)} - ${reminders("lead_reminder_sent_total")}`, legend: "{{territory}}" }],
    },
  ];
  return {
    name: "business-kpis",
    uid: BUSINESS_KPIS_UID,
    title: "FreshPlan / Business KPIs",
    description: "What the CRM's users feel: credit checks, campaign mails, lead-protection reminders. Generated from the stack config.",
    time: { from: "now-24h", to: "now" },
    variables: [],
    annotations: [],
    rows: [{ title: "Backlogs", panels }],
  };
}
