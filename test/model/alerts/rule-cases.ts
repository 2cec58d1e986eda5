/**
 * Synthetic series for `promtool test rules`: for every alert a case where it fires (with its exact
 * labels and rendered annotations) and one where it must stay silent. The workload under test is
 * prod's DE queries: budget 300 ms, target 80 req/s per replica, namespace freshplan-production.
 *
 * Series are written as a scrape stores them: with the target labels prometheus-operator adds
 * (namespace, pod, container, endpoint, instance, job) and, for KEDA, after the chart PodMonitor's
 * metric relabelings have put the ScaledObject's namespace back into `namespace`.
 */
import { AlertingRule } from "../../../model/alerts/rule-types";

const NS = "freshplan-production";
const SO = "freshplan-api-queries-de";
const API_POD =
  `namespace="${NS}",pod="${SO}-7d9f6c5b4-x2x7q",container="api",` + `endpoint="http",instance="10.0.3.17:8080"`;
const MICROMETER_TAGS = 'method="GET",outcome="SUCCESS",status="200",uri="/api/customers"';
const api = (metric: string, extra = "") =>
  `${metric}{${API_POD},job="freshplan",territory="DE",workload="queries",${MICROMETER_TAGS}${extra}}`;
/** kube-state-metrics is scraped with honorLabels, so `namespace` is the object's. */
const KSM = 'job="kube-state-metrics",instance="10.0.9.4:8080",container="kube-state-metrics",endpoint="http"';
const hpa = (metric: string) => `${metric}{${KSM},namespace="${NS}",horizontalpodautoscaler="keda-hpa-${SO}"}`;
const KEDA_POD =
  'job="keda/keda-operator",pod="keda-operator-6c8d9f7b5-q4w2e",container="keda-operator",' +
  'endpoint="metrics",instance="10.0.5.3:8080"';
const keda = (metric: string, labels: string) => `${metric}{${KEDA_POD},namespace="${NS}",${labels}}`;
const EXPORTER =
  `namespace="${NS}",job="freshplan-journal-exporter",pod="freshplan-journal-exporter-5f6d7c8b9-k3j4h",` +
  `container="postgres-exporter",endpoint="metrics",instance="10.0.4.2:9187"`;
const journal = (metric: string, territory: string) => `${metric}{${EXPORTER},territory="${territory}"}`;
/** A business gauge of the API, from one of its pods. */
const business = (metric: string, territory: string, pod = "a") =>
  `${metric}{namespace="${NS}",job="freshplan",pod="freshplan-api-commands-${territory.toLowerCase()}-${pod}",` +
  `container="api",endpoint="http",instance="10.0.3.${pod.charCodeAt(0)}:8080",territory="${territory}"}`;

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
const DE_Q = { namespace: NS, territory: "DE", workload: "queries" };
const SLOW = [
  "FreshplanApiLatencyBudgetBurn",
  "FreshplanApiP95AboveBudget",
  "FreshplanApiP95Emergency",
  "FreshplanScaledToMax",
];

export const RULE_CASES: RuleCase[] = [
  {
    name: "DE queries runs, but its only target has been down for 15 minutes",
    series: [
      { series: `up{${API_POD},job="freshplan",territory="DE",workload="queries"}`, values: "1x5 0x30" },
      {
        series: `kube_deployment_status_replicas_available{${KSM},namespace="${NS}",deployment="${SO}"}`,
        values: "3x35",
      },
    ],
    expect: [
      { alert: "FreshplanApiMetricsMissing", at: "12m", firing: [] },
      { alert: "FreshplanApiMetricsMissing", at: "20m", firing: [{ labels: DE_Q, value: "1" }] },
    ],
  },
  {
    name: "DE queries serves requests but does not publish its 300 ms SLO bucket",
    series: [
      { series: `up{${API_POD},job="freshplan",territory="DE",workload="queries"}`, values: "1x30" },
      { series: api("http_server_requests_seconds_count"), values: "0+600x30" },
      { series: api("http_server_requests_seconds_bucket", ',le="+Inf"'), values: "0+600x30" },
      {
        series: `kube_deployment_status_replicas_available{${KSM},namespace="${NS}",deployment="${SO}"}`,
        values: "3x30",
      },
    ],
    expect: [{ alert: "FreshplanApiMetricsMissing", at: "20m", firing: [{ labels: DE_Q, value: "1" }] }],
  },
  {
    name: "DE queries scraped with every bucket; CH queries has no pods and no targets",
    series: [
      { series: `up{${API_POD},job="freshplan",territory="DE",workload="queries"}`, values: "1x30" },
      ...deQueries(10, 10, 30),
      {
        series: `kube_deployment_status_replicas_available{${KSM},namespace="${NS}",deployment="${SO}"}`,
        values: "3x30",
      },
      {
        series:
          `kube_deployment_status_replicas_available{${KSM},namespace="${NS}",` +
          `deployment="freshplan-api-queries-ch"}`,
        values: "0x30",
      },
    ],
    expect: [{ alert: "FreshplanApiMetricsMissing", at: "20m", firing: [] }],
  },
  {
    name: "the journal exporter runs but cannot sign in to PostgreSQL",
    series: [
      { series: `up{${EXPORTER}}`, values: "1x30" },
      { series: `pg_up{${EXPORTER}}`, values: "0x30" },
    ],
    expect: [
      { alert: "FreshplanJournalExporterDown", at: "5m", firing: [] },
      {
        alert: "FreshplanJournalExporterDown",
        at: "15m",
        firing: [
          {
            labels: {
              namespace: NS,
              job: "freshplan-journal-exporter",
              pod: "freshplan-journal-exporter-5f6d7c8b9-k3j4h",
              container: "postgres-exporter",
              endpoint: "metrics",
              instance: "10.0.4.2:9187",
            },
            value: "0",
          },
        ],
      },
    ],
  },
  {
    name: "the journal exporter is up and reads the journal",
    series: [
      { series: `up{${EXPORTER}}`, values: "1x30" },
      { series: `pg_up{${EXPORTER}}`, values: "1x30" },
    ],
    expect: [{ alert: "FreshplanJournalExporterDown", at: "15m", firing: [] }],
  },
  {
    name: "every DE query is slow at 10 req/s while the workload is at maxReplicas",
    series: [...deQueries(10, 0), ...atMax],
    expect: [
      // All requests miss the budget. The ticket stays silent: rate() over 1d of a 70-minute-old
      // series divides by the whole day, so the slow-burn traffic guard needs history.
      {
        alert: "FreshplanApiLatencyBudgetBurn",
        at: "70m",
        firing: [{ severity: "critical", labels: DE_Q, value: "100%" }],
      },
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
    expect: [
      {
        alert: "FreshplanApiLatencyBudgetBurn",
        at: "30h",
        firing: [
          { severity: "critical", labels: DE_Q, value: "100%" },
          { severity: "warning", labels: DE_Q, value: "100%" },
        ],
      },
    ],
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
    name: "requests counted without buckets (a timer that publishes no SLO histogram) do not read as misses",
    series: [
      ...deQueries(10, 10),
      {
        series: api("http_server_requests_seconds_count").replace('uri="/api/customers"', 'uri="/api/export"'),
        values: "0+600x100",
      },
    ],
    expect: [{ alert: "FreshplanApiLatencyBudgetBurn", at: "70m", firing: [] }],
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
    expect: ["FreshplanApiP95Emergency", "FreshplanApiP95AboveBudget", "FreshplanApiLatencyBudgetBurn"].map(
      (alert) => ({ alert, at: "63m", firing: [] }),
    ),
  },
  {
    name: "oktoberfest floor holds 6 replicas for 1 req/s",
    series: [
      { series: api("http_server_requests_seconds_count"), values: "0+60x60" },
      { series: hpa("kube_horizontalpodautoscaler_status_current_replicas"), values: "6x60" },
      {
        series: keda(
          "keda_scaler_active",
          `scaledObject="${SO}",scaler="season-oktoberfest",triggerIndex="2",` +
            `metric="s2-cron-europe-berlin-001009-00017-10",type="scaledobject"`,
        ),
        values: "1x60",
      },
    ],
    expect: [
      { alert: "FreshplanPreScaleWithoutLoad", at: "25m", firing: [] },
      // 1 req/s over 6 replicas = 0.17 per replica, far below 25 % of 80.
      {
        alert: "FreshplanPreScaleWithoutLoad",
        at: "40m",
        firing: [{ labels: { ...DE_Q, scaledobject: SO }, value: "0.2" }],
      },
    ],
  },
  {
    name: "low load while no season floor is active is fine",
    series: [
      { series: api("http_server_requests_seconds_count"), values: "0+60x60" },
      { series: hpa("kube_horizontalpodautoscaler_status_current_replicas"), values: "2x60" },
      {
        series: keda(
          "keda_scaler_active",
          `scaledObject="${SO}",scaler="season-oktoberfest",triggerIndex="2",` +
            `metric="s2-cron-europe-berlin-001009-00017-10",type="scaledobject"`,
        ),
        values: "0x60",
      },
      {
        series: keda(
          "keda_scaler_active",
          `scaledObject="${SO}",scaler="business-hours",triggerIndex="5",` +
            `metric="s5-cron-europe-berlin-0071-5-00181-5",type="scaledobject"`,
        ),
        values: "1x60",
      },
    ],
    expect: [{ alert: "FreshplanPreScaleWithoutLoad", at: "40m", firing: [] }],
  },
  {
    name: "the rps trigger of DE queries fails once a minute",
    series: [
      {
        series: keda(
          "keda_scaler_detail_errors_total",
          `scaledObject="${SO}",scaler="rps",triggerIndex="0",metric="s0-prometheus",type="scaledobject"`,
        ),
        values: "0+1x30",
      },
      { series: keda("keda_scaled_object_errors_total", `scaledObject="${SO}"`), values: "0+1x30" },
      { series: keda("keda_scaled_object_errors_total", 'scaledObject="freshplan-api-commands-de"'), values: "0x30" },
    ],
    expect: [
      {
        alert: "FreshplanKedaScalerErrors",
        at: "20m",
        firing: [{ labels: { namespace: NS, scaledObject: SO, scaler: "rps" }, value: "5" }],
      },
      {
        alert: "FreshplanKedaScaledObjectErrors",
        at: "20m",
        firing: [{ labels: { namespace: NS, scaledObject: SO }, value: "5" }],
      },
      { alert: "FreshplanKedaScalerErrors", at: "8m", firing: [] },
      { alert: "FreshplanKedaScaledObjectErrors", at: "8m", firing: [] },
    ],
  },
  {
    name: "NOTIFY queue at 80 %",
    series: [{ series: journal("freshplan_journal_notify_queue_usage", "all"), values: "0.8x20" }],
    expect: [
      { alert: "FreshplanNotifyQueueHigh", at: "10m", firing: [{ value: "80%" }] },
      { alert: "FreshplanNotifyQueueCritical", at: "10m", firing: [] },
    ],
  },
  {
    name: "NOTIFY queue at 97 % pages and does not also ticket",
    series: [{ series: journal("freshplan_journal_notify_queue_usage", "all"), values: "0.97x20" }],
    expect: [
      { alert: "FreshplanNotifyQueueCritical", at: "10m", firing: [{ value: "97%" }] },
      { alert: "FreshplanNotifyQueueHigh", at: "10m", firing: [] },
    ],
  },
  {
    name: "DE journal not drained: oldest pending event ages a minute per minute",
    series: [
      { series: journal("freshplan_journal_oldest_pending_age_seconds", "DE"), values: "0+60x10" },
      { series: journal("freshplan_journal_oldest_pending_age_seconds", "CH"), values: "5x10" },
    ],
    expect: [
      { alert: "FreshplanJournalLag", at: "2m", firing: [] },
      { alert: "FreshplanJournalLag", at: "5m", firing: [{ labels: { territory: "DE" }, value: "5m 0s" }] },
    ],
  },
  {
    name: "DE events go to state failed; CH keeps an old, unchanged dead letter",
    series: [
      { series: journal("freshplan_journal_failed", "DE"), values: "0 0 0 0 0 1 2 3 3 3 3 3 3 3 3 3 3 3 3 3" },
      { series: journal("freshplan_journal_failed", "CH"), values: "4x20" },
    ],
    expect: [
      { alert: "FreshplanJournalDeadLetters", at: "7m", firing: [] },
      { alert: "FreshplanJournalDeadLetters", at: "12m", firing: [{ labels: { territory: "DE" }, value: "3" }] },
    ],
  },
  {
    name: "credit checks: DE over the limit on two pods, CH below",
    series: [
      { series: business("freshplan_credit_check_pending", "DE", "a"), values: "80x30" },
      { series: business("freshplan_credit_check_pending", "DE", "b"), values: "80x30" },
      { series: business("freshplan_credit_check_pending", "CH", "c"), values: "10x30" },
    ],
    expect: [
      { alert: "FreshplanCreditCheckBacklog", at: "10m", firing: [] },
      { alert: "FreshplanCreditCheckBacklog", at: "20m", firing: [{ labels: { territory: "DE" }, value: "80" }] },
    ],
  },
  {
    name: "campaign outbox: DE over the limit, AT below",
    series: [
      { series: business("freshplan_campaign_outbox_pending", "DE"), values: "6000x40" },
      { series: business("freshplan_campaign_outbox_pending", "AT"), values: "100x40" },
    ],
    expect: [
      { alert: "FreshplanCampaignOutboxBacklog", at: "20m", firing: [] },
      { alert: "FreshplanCampaignOutboxBacklog", at: "35m", firing: [{ labels: { territory: "DE" }, value: "6000" }] },
    ],
  },
  {
    name: "lead reminders: DE sends nothing, AT sends 30 minutes late (within the SLA)",
    series: [
      { series: business("lead_reminder_due_total", "DE"), values: "0+2x100" },
      { series: business("lead_reminder_sent_total", "DE"), values: "0x100" },
      { series: business("lead_reminder_due_total", "AT"), values: "0+2x100" },
      { series: business("lead_reminder_sent_total", "AT"), values: "0x30 0+2x70" },
      // the exporter's view of the same: the oldest due, unsent reminder's age
      { series: journal("freshplan_lead_protection_oldest_unsent_due_age_seconds", "DE"), values: "0+60x100" },
      { series: journal("freshplan_lead_protection_oldest_unsent_due_age_seconds", "AT"), values: "0+60x30 0x70" },
    ],
    expect: [
      { alert: "FreshplanLeadReminderSlaBreach", at: "60m", firing: [] },
      {
        alert: "FreshplanLeadReminderSlaBreach",
        at: "70m",
        firing: [{ labels: { territory: "DE" }, value: "1h 10m 0s" }],
      },
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
      { series: journal("freshplan_lead_protection_oldest_unsent_due_age_seconds", "DE"), values: "0+60x100" },
    ],
    expect: [
      { alert: "FreshplanLeadReminderSlaBreach", at: "59m", firing: [] },
      {
        alert: "FreshplanLeadReminderSlaBreach",
        at: "75m",
        firing: [{ labels: { territory: "DE" }, value: "1h 15m 0s" }],
      },
    ],
  },
];

/** Renders the rule's annotations the way Prometheus would for these labels and `$value` text. */
export function renderAnnotations(
  rule: AlertingRule,
  labels: Record<string, string>,
  value: string,
): Record<string, string> {
  const render = (text: string) =>
    text
      .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? "")
      .replace(/\{\{ \$value[^}]*\}\}/g, value);
  return Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, render(v)]));
}
