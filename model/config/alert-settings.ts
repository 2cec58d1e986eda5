/**
 * The `freshplan-scaling:alerts` stack config key: thresholds of the alert rules, with the seed
 * values as defaults so a stack without the key gets the agreed alerting.
 */
import { z } from "zod";
import { between, promDuration } from "./fields";

const labelValue = z.string({ error: "a label value" });

/** Burn-rate pairs of the multi-window, multi-burn-rate latency alert (Google SRE workbook). */
export const BURN_RATE_WINDOWS = [
  { severity: "critical", factor: 14.4, long: "1h", short: "5m" },
  { severity: "critical", factor: 6, long: "6h", short: "30m" },
  { severity: "warning", factor: 3, long: "1d", short: "2h" },
  { severity: "warning", factor: 1, long: "3d", short: "6h" },
] as const;

export const HIGHEST_BURN_FACTOR = Math.max(...BURN_RATE_WINDOWS.map((w) => w.factor));

/** Micrometer SLO boundaries the API publishes as `le` buckets (milliseconds). */
export const DEFAULT_SLO_BUCKETS_MS = [50, 100, 200, 300, 350, 500, 1000, 2000];

export const DEFAULT_RUNBOOK_BASE_URL =
  "https://git.freshfoodz.internal/freshplan/freshplan-scaling/-/blob/main/docs/runbook-seasonal.md";

export const alertSettingsSchema = z.strictObject({
  /** Where `runbook_url` annotations point; each rule appends `#<its heading>`. */
  runbookBaseUrl: z
    .string({ error: "an http(s) URL" })
    .regex(/^https?:\/\/[^\s#]+$/, { error: "an http(s) URL without a #fragment" })
    .default(DEFAULT_RUNBOOK_BASE_URL),
  /** Labels the Prometheus' ruleSelector matches (e.g. `release: kube-prometheus-stack`). */
  ruleLabels: z.record(z.string(), labelValue).default({}),
  /**
   * Latency SLO: this share of requests completes within the workload's p95BudgetMs. 95 % makes
   * the SLO the p95 target itself; it must stay above 100 − 100/14.4 so a 14.4× burn can exist.
   */
  latencyObjectivePercent: between(100 - 100 / HIGHEST_BURN_FACTOR, 99.99, "a percentage", true).default(95),
  /** The `le` boundaries (ms) the API's request histogram exports; every p95BudgetMs must be one. */
  sloBucketsMs: z
    .array(between(1, 600_000, "milliseconds"), { error: "a list of bucket boundaries in ms" })
    .min(1)
    .default(DEFAULT_SLO_BUCKETS_MS),
  /** Where the API's Micrometer registry answers (Quarkus default), scraped by the PodMonitor. */
  apiMetricsPath: z.string({ error: "an HTTP path" }).regex(/^\//, { error: "an HTTP path" }).default("/q/metrics"),
  scrapeInterval: promDuration.default("15s"),
  /** Below this request rate (req/s over the alert's long window) latency alerts stay silent. */
  minTrafficRps: between(0, 10_000, "requests per second", true).default(0.5),
  /** How long p95 must stay above the budget before the warning. */
  p95AboveBudgetFor: promDuration.default("10m"),
  /** p95 above this pages whatever the budget (seed: emergency at 500 ms). */
  p95EmergencyMs: between(1, 600_000, "milliseconds").default(500),
  p95EmergencyFor: promDuration.default("5m"),
  /** How long a workload may sit at maxReplicas while over budget before it pages. */
  scaledToMaxFor: promDuration.default("15m"),
  /** A season floor is "without load" while RPS per replica is below this share of the target. */
  preScaleIdleRatio: between(0, 1, "a ratio", true).default(0.25),
  preScaleIdleFor: promDuration.default("30m"),
  /** pg_notification_queue_usage() thresholds (seed: 70 % warning, 95 % emergency). */
  notifyQueueWarning: between(0, 1, "a ratio", true).default(0.7),
  notifyQueueCritical: between(0, 1, "a ratio", true).default(0.95),
  /** Oldest pending journal event older than this pages (seed: outbox lag > 60 s). */
  journalLagSeconds: between(1, 86_400, "seconds").default(60),
  /** Credit checks waiting longer than creditCheckBacklogFor above this count. */
  creditCheckBacklog: between(0, 1_000_000, "a count", true).default(50),
  creditCheckBacklogFor: promDuration.default("15m"),
  /** Campaign mails waiting in the outbox above this count. */
  campaignOutboxBacklog: between(0, 10_000_000, "a count", true).default(5000),
  campaignOutboxBacklogFor: promDuration.default("30m"),
  /** Lead-protection reminders due but not sent within this many minutes (seed: 60). */
  leadReminderSlaMinutes: between(1, 1440, "minutes").default(60),
});

export type AlertSettings = z.infer<typeof alertSettingsSchema>;
