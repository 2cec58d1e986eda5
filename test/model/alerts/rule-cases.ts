/**
 * Synthetic series for `promtool test rules`: for every alert a case where it fires (with its exact
 * labels and rendered annotations) and one where it must stay silent. The workload under test is
 * prod's DE queries: budget 300 ms, target 80 req/s per replica, namespace freshplan-production.
 */
import { AlertingRule } from "../../../model/alerts/rule-types";

const NS = "freshplan-production";
const SO = "freshplan-api-queries-de";
const api = (metric: string, extra = "") => `${metric}{job="freshplan",territory="DE",workload="queries"${extra}}`;
const hpa = (metric: string) => `${metric}{namespace="${NS}",horizontalpodautoscaler="keda-hpa-${SO}"}`;

export interface Series {
  series: string;
  values: string;
}
export interface Expectation {
  alert: string;
  at: string;
  /** Firing instances: the labels to expect (beyond the rule's) and the rendered `$value`. */
  firing: { labels?: Record<string, string>; severity?: string; value: string }[];
}
export interface RuleCase {
  name: string;
  /** Sample spacing of the input series (default 1m). */
  interval?: string;
  /** Rule evaluation step (default 1m); a coarser step keeps the day-long cases fast. */
  evaluationInterval?: string;
  series: Series[];
  expect: Expectation[];
}

/** 10 req/s of DE queries; `withinBudget` of them per second answer within 300 ms, the rest in (0.5 s, 1 s]. */
function deQueries(rps: number, withinBudget: number, samples = 100, step = "1m"): Series[] {
  const stepSeconds = Number(step.slice(0, -1)) * (step.endsWith("m") ? 60 : 1);
  const perMinute = (n: number) => `0+${n * stepSeconds}x${samples}`;
  return [
    { series: api("http_server_requests_seconds_count"), values: perMinute(rps) },
    { series: api("http_server_requests_seconds_bucket", ',le="0.3"'), values: perMinute(withinBudget) },
    { series: api("http_server_requests_seconds_bucket", ',le="0.5"'), values: perMinute(withinBudget) },
    { series: api("http_server_requests_seconds_bucket", ',le="1.0"'), values: perMinute(rps) },
    { series: api("http_server_requests_seconds_bucket", ',le="+Inf"'), values: perMinute(rps) },
  ];
}

const atMax: Series[] = [
  { series: hpa("kube_horizontalpodautoscaler_status_current_replicas"), values: "6x100" },
  { series: hpa("kube_horizontalpodautoscaler_spec_max_replicas"), values: "6x100" },
];
const DE_Q = { territory: "DE", workload: "queries" };
const SLOW = ["FreshplanApiLatencyBudgetBurn", "FreshplanApiP95AboveBudget", "FreshplanApiP95Emergency", "FreshplanScaledToMax"];

export const RULE_CASES: RuleCase[] = [
  {
    name: "every DE query is slow at 10 req/s while the workload is at maxReplicas",
    series: [...deQueries(10, 0), ...atMax],
    expect: [
      // All requests miss the budget. The ticket stays silent: rate() over 1d of a 70-minute-old
      // series divides by the whole day, so the slow-burn traffic guard needs history.
      { alert: "FreshplanApiLatencyBudgetBurn", at: "70m", firing: [{ severity: "critical", labels: DE_Q, value: "100%" }] },
      // p95 inside the (0.5 s, 1 s] bucket: 0.5 + 0.95 × 0.5 = 0.975 s.
      { alert: "FreshplanApiP95AboveBudget", at: "70m", firing: [{ labels: DE_Q, value: "975ms" }] },
      { alert: "FreshplanApiP95Emergency", at: "70m", firing: [{ labels: DE_Q, value: "975ms" }] },
      { alert: "FreshplanScaledToMax", at: "70m", firing: [{ labels: { ...DE_Q, scaledobject: SO }, value: "6" }] },
    ],
  },
  {
    name: "a day and a half of slow DE queries: the page and the slow-burn ticket",
    interval: "10m",
    evaluationInterval: "5m",
    series: deQueries(10, 0, 220, "10m"),
    expect: [{ alert: "FreshplanApiLatencyBudgetBurn", at: "30h", firing: [{ severity: "critical", labels: DE_Q, value: "100%" }, { severity: "warning", labels: DE_Q, value: "100%" }] }],
  },
  {
    name: "a quiet territory at night: every request slow, but 0.1 req/s is below the traffic guard",
    series: [...deQueries(0.1, 0), ...atMax],
    expect: SLOW.map((alert) => ({ alert, at: "70m", firing: [] })),
  },
  {
    name: "fast DE queries at maxReplicas: within budget, nothing to say",
    series: [...deQueries(10, 10), ...atMax],
    expect: SLOW.map((alert) => ({ alert, at: "70m", firing: [] })),
  },
  {
    name: "a 3-minute latency spike stays under the for: durations",
    series: [
      { series: api("http_server_requests_seconds_count"), values: "0+600x100" },
      { series: api("http_server_requests_seconds_bucket", ',le="0.3"'), values: "0+600x60 36000x40" },
      { series: api("http_server_requests_seconds_bucket", ',le="0.5"'), values: "0+600x60 36000x40" },
      { series: api("http_server_requests_seconds_bucket", ',le="1.0"'), values: "0+600x100" },
      { series: api("http_server_requests_seconds_bucket", ',le="+Inf"'), values: "0+600x100" },
    ],
    expect: ["FreshplanApiP95Emergency", "FreshplanApiP95AboveBudget", "FreshplanApiLatencyBudgetBurn"].map((alert) => ({ alert, at: "63m", firing: [] })),
  },
  {
    name: "oktoberfest floor holds 6 replicas for 1 req/s",
    series: [
      { series: api("http_server_requests_seconds_count"), values: "0+60x60" },
      { series: hpa("kube_horizontalpodautoscaler_status_current_replicas"), values: "6x60" },
      { series: `keda_scaler_active{namespace="${NS}",scaledObject="${SO}",scaler="season-oktoberfest",triggerIndex="0",metric="s0-cron",type="scaledobject"}`, values: "1x60" },
    ],
    expect: [
      { alert: "FreshplanPreScaleWithoutLoad", at: "25m", firing: [] },
      // 1 req/s over 6 replicas = 0.17 per replica, far below 25 % of 80.
      { alert: "FreshplanPreScaleWithoutLoad", at: "40m", firing: [{ labels: { ...DE_Q, scaledobject: SO }, value: "0.2" }] },
    ],
  },
  {
    name: "low load while no season floor is active is fine",
    series: [
      { series: api("http_server_requests_seconds_count"), values: "0+60x60" },
      { series: hpa("kube_horizontalpodautoscaler_status_current_replicas"), values: "2x60" },
      { series: `keda_scaler_active{namespace="${NS}",scaledObject="${SO}",scaler="season-oktoberfest",triggerIndex="0",metric="s0-cron",type="scaledobject"}`, values: "0x60" },
      { series: `keda_scaler_active{namespace="${NS}",scaledObject="${SO}",scaler="business-hours",triggerIndex="3",metric="s3-cron",type="scaledobject"}`, values: "1x60" },
    ],
    expect: [{ alert: "FreshplanPreScaleWithoutLoad", at: "40m", firing: [] }],
  },
  {
    name: "the rps trigger of DE queries fails once a minute",
    series: [
      { series: `keda_scaler_detail_errors_total{namespace="${NS}",scaledObject="${SO}",scaler="rps",triggerIndex="4",metric="s4-prometheus",type="scaledobject"}`, values: "0+1x30" },
      { series: `keda_scaled_object_errors_total{namespace="${NS}",scaledObject="${SO}"}`, values: "0+1x30" },
      { series: `keda_scaled_object_errors_total{namespace="${NS}",scaledObject="freshplan-api-commands-de"}`, values: "0x30" },
    ],
    expect: [
      { alert: "FreshplanKedaScalerErrors", at: "20m", firing: [{ labels: { namespace: NS, scaledObject: SO, scaler: "rps" }, value: "5" }] },
      { alert: "FreshplanKedaScaledObjectErrors", at: "20m", firing: [{ labels: { namespace: NS, scaledObject: SO }, value: "5" }] },
      { alert: "FreshplanKedaScalerErrors", at: "8m", firing: [] },
      { alert: "FreshplanKedaScaledObjectErrors", at: "8m", firing: [] },
    ],
  },
  {
    name: "NOTIFY queue at 80 %",
    series: [{ series: `freshplan_journal_notify_queue_usage{territory="all",instance="pg-exporter"}`, values: "0.8x20" }],
    expect: [
      { alert: "FreshplanNotifyQueueHigh", at: "10m", firing: [{ value: "80%" }] },
      { alert: "FreshplanNotifyQueueCritical", at: "10m", firing: [] },
    ],
  },
  {
    name: "NOTIFY queue at 97 % pages and does not also ticket",
    series: [{ series: `freshplan_journal_notify_queue_usage{territory="all",instance="pg-exporter"}`, values: "0.97x20" }],
    expect: [
      { alert: "FreshplanNotifyQueueCritical", at: "10m", firing: [{ value: "97%" }] },
      { alert: "FreshplanNotifyQueueHigh", at: "10m", firing: [] },
    ],
  },
  {
    name: "DE journal not drained: oldest pending event ages a minute per minute",
    series: [
      { series: `freshplan_journal_oldest_pending_age_seconds{territory="DE"}`, values: "0+60x10" },
      { series: `freshplan_journal_oldest_pending_age_seconds{territory="CH"}`, values: "5x10" },
    ],
    expect: [
      { alert: "FreshplanJournalLag", at: "2m", firing: [] },
      { alert: "FreshplanJournalLag", at: "5m", firing: [{ labels: { territory: "DE" }, value: "5m 0s" }] },
    ],
  },
  {
    name: "DE events go to state failed; CH keeps an old, unchanged dead letter",
    series: [
      { series: `freshplan_journal_failed{territory="DE"}`, values: "0 0 0 0 0 1 2 3 3 3 3 3 3 3 3 3 3 3 3 3" },
      { series: `freshplan_journal_failed{territory="CH"}`, values: "4x20" },
    ],
    expect: [
      { alert: "FreshplanJournalDeadLetters", at: "7m", firing: [] },
      { alert: "FreshplanJournalDeadLetters", at: "12m", firing: [{ labels: { territory: "DE" }, value: "3" }] },
    ],
  },
  {
    name: "credit checks: DE over the limit on two pods, CH below",
    series: [
      { series: `freshplan_credit_check_pending{territory="DE",pod="a"}`, values: "80x30" },
      { series: `freshplan_credit_check_pending{territory="DE",pod="b"}`, values: "80x30" },
      { series: `freshplan_credit_check_pending{territory="CH",pod="c"}`, values: "10x30" },
    ],
    expect: [
      { alert: "FreshplanCreditCheckBacklog", at: "10m", firing: [] },
      { alert: "FreshplanCreditCheckBacklog", at: "20m", firing: [{ labels: { territory: "DE" }, value: "80" }] },
    ],
  },
  {
    name: "campaign outbox: DE over the limit, AT below",
    series: [
      { series: `freshplan_campaign_outbox_pending{territory="DE"}`, values: "6000x40" },
      { series: `freshplan_campaign_outbox_pending{territory="AT"}`, values: "100x40" },
    ],
    expect: [
      { alert: "FreshplanCampaignOutboxBacklog", at: "20m", firing: [] },
      { alert: "FreshplanCampaignOutboxBacklog", at: "35m", firing: [{ labels: { territory: "DE" }, value: "6000" }] },
    ],
  },
  {
    name: "lead reminders: DE sends nothing, AT sends 30 minutes late (within the SLA)",
    series: [
      { series: `lead_reminder_due_total{territory="DE"}`, values: "0+2x100" },
      { series: `lead_reminder_sent_total{territory="DE"}`, values: "0x100" },
      { series: `lead_reminder_due_total{territory="AT"}`, values: "0+2x100" },
      { series: `lead_reminder_sent_total{territory="AT"}`, values: "0x30 0+2x70" },
      // the exporter's view of the same: the oldest due, unsent reminder's age
      { series: `freshplan_lead_protection_oldest_unsent_due_age_seconds{territory="DE"}`, values: "0+60x100" },
      { series: `freshplan_lead_protection_oldest_unsent_due_age_seconds{territory="AT"}`, values: "0+60x30 0x70" },
    ],
    expect: [
      { alert: "FreshplanLeadReminderSlaBreach", at: "60m", firing: [] },
      { alert: "FreshplanLeadReminderSlaBreach", at: "70m", firing: [{ labels: { territory: "DE" }, value: "1h 10m 0s" }] },
    ],
  },
  {
    // One DE reminder fell due at 0m and is never sent; from 10m on one falls due every 10
    // minutes and goes out 5 minutes later. "due 60m ago − sent now" turns negative at once and
    // hides the old reminder; its age does not.
    name: "lead reminders: an old DE reminder stays unsent while later ones go out on time",
    series: [
      { series: `lead_reminder_due_total{territory="DE"}`, values: "1x9 2x9 3x9 4x9 5x9 6x9 7x9 8x9 9x9 10x9" },
      { series: `lead_reminder_sent_total{territory="DE"}`, values: "0x14 1x9 2x9 3x9 4x9 5x9 6x9 7x9 8x9 9x4" },
      { series: `freshplan_lead_protection_oldest_unsent_due_age_seconds{territory="DE"}`, values: "0+60x100" },
    ],
    expect: [
      { alert: "FreshplanLeadReminderSlaBreach", at: "59m", firing: [] },
      { alert: "FreshplanLeadReminderSlaBreach", at: "75m", firing: [{ labels: { territory: "DE" }, value: "1h 15m 0s" }] },
    ],
  },
];

/** Renders the rule's annotations the way Prometheus would for these labels and `$value` text. */
export function renderAnnotations(rule: AlertingRule, labels: Record<string, string>, value: string): Record<string, string> {
  const render = (text: string) => text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? "").replace(/\{\{ \$value[^}]*\}\}/g, value);
  return Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, render(v)]));
}
