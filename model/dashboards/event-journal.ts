/**
 * Event journal: NOTIFY queue, pending/claimed/failed per territory, oldest pending age, handled rate and dead letters.
 */
import type { FreshplanConfig } from "../config/schema";
import { JOURNAL_EXPORTER, JOURNAL_METRIC_PREFIX, JOURNAL_TOTAL_ROW } from "../conventions";
import { promNumber, promString } from "../prometheus/promql";
import type { DashboardSpec, PanelSpec } from "./panels";
import { thresholdSteps } from "./panels";

export const EVENT_JOURNAL_UID = "freshplan-event-journal";

/** The handled figure the exporter reports counts the last five minutes. */
const HANDLED_WINDOW_SECONDS = 300;

export function eventJournalDashboard(config: FreshplanConfig): DashboardSpec {
  const a = config.alerts;
  const metric = (column: string, row: "total" | "territories") =>
    `${JOURNAL_METRIC_PREFIX}_${column}{namespace=${promString(config.namespace)},` +
    `territory${row === "total" ? "=" : "!="}${promString(JOURNAL_TOTAL_ROW)}}`;
  const exporter = `{namespace=${promString(config.namespace)},job=${promString(JOURNAL_EXPORTER)}}`;
  const perTerritory = (column: string) => `max by (territory) (${metric(column, "territories")})`;
  const count = (id: number, column: string, title: string, description: string): PanelSpec => ({
    id,
    key: column,
    title,
    description,
    unit: "short",
    kind: "timeseries",
    width: 8,
    min: 0,
    queries: [{ expr: perTerritory(column), legend: "{{territory}}" }],
  });
  const panels: PanelSpec[] = [
    {
      id: 1,
      key: "notify-queue",
      title: "NOTIFY queue usage",
      description:
        `pg_notification_queue_usage(): warning above ${promNumber(a.notifyQueueWarning * 100)} %, critical ` +
        `above ${promNumber(a.notifyQueueCritical * 100)} %; a full queue fails every notifying commit.`,
      unit: "percentunit",
      kind: "timeseries",
      min: 0,
      max: 1,
      thresholds: thresholdSteps([a.notifyQueueWarning, "orange"], [a.notifyQueueCritical, "red"]),
      queries: [{ expr: `max(${metric("notify_queue_usage", "total")})`, legend: "queue usage" }],
    },
    {
      id: 2,
      key: "oldest-pending",
      title: "Oldest pending event age",
      description:
        `Age of the oldest event not yet claimed, per territory; FreshplanJournalLag pages above ` +
        `${a.journalLagSeconds} s.`,
      unit: "s",
      kind: "timeseries",
      min: 0,
      thresholds: thresholdSteps([a.journalLagSeconds, "red"]),
      queries: [{ expr: perTerritory("oldest_pending_age_seconds"), legend: "{{territory}}" }],
    },
    count(
      3,
      "pending",
      "Pending events",
      "Events waiting to be claimed, per territory (what the event workers scale on).",
    ),
    count(4, "claimed", "Claimed events", "Events a consumer holds under lease and has not handled yet."),
    count(
      5,
      "failed",
      "Failed events (dead letters)",
      "Events that exhausted their attempts; the runbook revives them.",
    ),
    {
      id: 6,
      key: "handled",
      title: "Handled events per second",
      description: "Events handled in the last five minutes, as a rate.",
      unit: "ops",
      kind: "timeseries",
      min: 0,
      queries: [{ expr: `${perTerritory("handled_last_5m")} / ${HANDLED_WINDOW_SECONDS}`, legend: "{{territory}}" }],
    },
    {
      id: 7,
      key: "dead-letters",
      title: "New dead letters (15 min)",
      description: "Events that went to failed in the last 15 minutes; FreshplanJournalDeadLetters fires above 0.",
      unit: "short",
      kind: "timeseries",
      min: 0,
      thresholds: thresholdSteps([1, "red"]),
      queries: [
        { expr: `max by (territory) (delta(${metric("failed", "territories")}[15m]))`, legend: "{{territory}}" },
      ],
    },
    {
      id: 8,
      key: "exporter",
      title: "Journal exporter up",
      description:
        `1 when ${JOURNAL_EXPORTER} is scraped (up) and can read the journal (pg_up); ` +
        `FreshplanJournalExporterDown fires at 0: every other panel here goes blind.`,
      unit: "short",
      kind: "timeseries",
      min: 0,
      max: 1,
      queries: [
        { expr: `min(up${exporter})`, legend: "scraped" },
        { expr: `min(pg_up${exporter})`, legend: "reads PostgreSQL" },
      ],
    },
  ];
  return {
    name: "event-journal",
    uid: EVENT_JOURNAL_UID,
    title: "FreshPlan / Event journal",
    description:
      "The PostgreSQL event journal as postgres_exporter reads integration.event_metrics. Generated from the " +
      "stack config.",
    time: { from: "now-6h", to: "now" },
    variables: [],
    annotations: [],
    rows: [
      { title: "Delivery", panels: [...panels.slice(0, 2), panels[panels.length - 1]] },
      { title: "Events by state", panels: panels.slice(2, -1) },
    ],
  };
}
