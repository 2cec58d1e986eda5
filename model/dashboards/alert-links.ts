/**
 * Points every alert at the panel that explains it (`dashboard_url`) and labels it with the stack's namespace for
 * namespaced routing.
 */
import type { AlertingRule, Rule, RuleGroup } from "../alerts/rule-types";
import { isAlertingRule } from "../alerts/rule-types";
import type { FreshplanConfig } from "../config/schema";
import type { GeneratedDashboard } from "./dashboards";
import { SCALED_OBJECT_VARIABLE, TERRITORY_VARIABLE } from "./queries";
import { BUSINESS_KPIS_UID } from "./business-kpis";
import { EVENT_JOURNAL_UID } from "./event-journal";
import { SCALING_UID } from "./scaling";
import { TERRITORY_OVERVIEW_UID } from "./territory-overview";

interface PanelRef {
  readonly uid: string;
  /** The panel's key in its dashboard; `{workload}` is replaced by the rule's workload label. */
  readonly key: string;
}

/** Alert name → the panel that shows what it fires on. Every alert has one (a test checks it). */
export const ALERT_PANELS: Readonly<Record<string, PanelRef>> = {
  FreshplanApiLatencyBudgetBurn: { uid: TERRITORY_OVERVIEW_UID, key: "burn:{workload}" },
  FreshplanApiP95AboveBudget: { uid: TERRITORY_OVERVIEW_UID, key: "p95:{workload}" },
  FreshplanApiP95Emergency: { uid: TERRITORY_OVERVIEW_UID, key: "p95:{workload}" },
  FreshplanScaledToMax: { uid: TERRITORY_OVERVIEW_UID, key: "replicas:{workload}" },
  FreshplanPreScaleWithoutLoad: { uid: TERRITORY_OVERVIEW_UID, key: "rps:{workload}" },
  FreshplanKedaScalerErrors: { uid: SCALING_UID, key: "scaler-errors" },
  FreshplanKedaScaledObjectErrors: { uid: SCALING_UID, key: "scaled-object-errors" },
  FreshplanNotifyQueueHigh: { uid: EVENT_JOURNAL_UID, key: "notify-queue" },
  FreshplanNotifyQueueCritical: { uid: EVENT_JOURNAL_UID, key: "notify-queue" },
  FreshplanJournalLag: { uid: EVENT_JOURNAL_UID, key: "oldest-pending" },
  FreshplanJournalDeadLetters: { uid: EVENT_JOURNAL_UID, key: "dead-letters" },
  FreshplanCreditCheckBacklog: { uid: BUSINESS_KPIS_UID, key: "credit-checks" },
  FreshplanCampaignOutboxBacklog: { uid: BUSINESS_KPIS_UID, key: "campaign-outbox" },
  FreshplanLeadReminderSlaBreach: { uid: BUSINESS_KPIS_UID, key: "reminders-overdue" },
  FreshplanApiMetricsMissing: { uid: TERRITORY_OVERVIEW_UID, key: "rps:{workload}" },
  FreshplanJournalExporterDown: { uid: EVENT_JOURNAL_UID, key: "exporter" },
};

/**
 * `<grafanaUrl>/d/<uid>/<uid>?viewPanel=panel-<id>` (current Grafana's form), with the dashboard's variables
 * filled from the alert's labels by Prometheus' annotation templating.
 */
export function dashboardUrl(
  config: FreshplanConfig,
  dashboards: readonly GeneratedDashboard[],
  rule: AlertingRule,
): string | undefined {
  const ref = ALERT_PANELS[rule.alert];
  const d = ref && dashboards.find((x) => x.spec.uid === ref.uid);
  if (!ref || !d) return undefined;
  const key = ref.key.replace("{workload}", rule.labels.workload ?? "");
  const panel = d.spec.rows.flatMap((r) => r.panels).find((p) => p.key === key);
  if (!panel) return undefined;
  const variables = d.spec.variables.map((v) => v.name);
  const query = [`viewPanel=panel-${panel.id}`];
  if (variables.includes(TERRITORY_VARIABLE))
    query.push(`var-${TERRITORY_VARIABLE}=${rule.labels.territory ?? "{{ $labels.territory }}"}`);
  if (variables.includes(SCALED_OBJECT_VARIABLE))
    query.push(`var-${SCALED_OBJECT_VARIABLE}={{ $labels.scaledObject }}`);
  return `${config.dashboards.grafanaUrl}/d/${d.spec.uid}/${d.spec.uid}?${query.join("&")}`;
}

export function linkAlertsToDashboards(
  config: FreshplanConfig,
  groups: readonly RuleGroup[],
  dashboards: readonly GeneratedDashboard[],
): RuleGroup[] {
  const link = (rule: Rule): Rule => {
    if (!isAlertingRule(rule)) return rule;
    const url = dashboardUrl(config, dashboards, rule);
    // The namespace label lets a namespaced AlertmanagerConfig (prometheus-operator's default
    // OnNamespace matcher) route these alerts; KEDA alerts already carry the same value.
    return {
      ...rule,
      labels: { namespace: config.namespace, ...rule.labels },
      annotations: url ? { ...rule.annotations, dashboard_url: url } : rule.annotations,
    };
  };
  return groups.map((g) => ({ ...g, rules: g.rules.map(link) }));
}
