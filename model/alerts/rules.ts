/**
 * The stack's alert rules, generated from the same config that sizes the workloads (the sloth
 * idea: the capacity config is the SLO spec). One PrometheusRule for the cluster and the identical
 * plain `groups:` file for promtool and the offline plan.
 */
import { stringify } from "yaml";
import type { FreshplanConfig } from "../config/schema";
import { MANAGED_LABELS, PROMETHEUS_RULE_NAME } from "../conventions";
import type { Manifest } from "../keda/types";
import { promqlSyntaxErrors } from "../prometheus/syntax";
import type { ScalingPlan } from "../scaling/plan";
import { apiRuleGroup } from "./api-rules";
import { platformRuleGroups } from "./platform-rules";
import { AlertingRule, RuleGroup, isAlertingRule } from "./rule-types";

/** Ops route on these names; changing one is a breaking change for Alertmanager routes. */
export const ALERT_NAMES = [
  "FreshplanApiLatencyBudgetBurn",
  "FreshplanApiP95AboveBudget",
  "FreshplanApiP95Emergency",
  "FreshplanScaledToMax",
  "FreshplanPreScaleWithoutLoad",
  "FreshplanKedaScalerErrors",
  "FreshplanKedaScaledObjectErrors",
  "FreshplanNotifyQueueHigh",
  "FreshplanNotifyQueueCritical",
  "FreshplanJournalLag",
  "FreshplanJournalDeadLetters",
  "FreshplanCreditCheckBacklog",
  "FreshplanCampaignOutboxBacklog",
  "FreshplanLeadReminderSlaBreach",
  "FreshplanApiMetricsMissing",
  "FreshplanJournalExporterDown",
] as const;

export function alertRuleGroups(config: FreshplanConfig, plan: Pick<ScalingPlan, "workloads">): RuleGroup[] {
  return [apiRuleGroup(config, plan.workloads), ...platformRuleGroups(config)];
}

/**
 * Every expression must parse, so a bad value fails `pulumi preview` naming the rule instead of
 * being rejected later by the operator's admission webhook or ignored by Prometheus.
 */
export function ruleSyntaxProblems(groups: readonly RuleGroup[]): string[] {
  return groups.flatMap((group) =>
    group.rules.flatMap((rule) => {
      const name = isAlertingRule(rule)
        ? `alert ${rule.alert} ` +
          `(${[rule.labels.territory, rule.labels.workload, rule.labels.severity].filter(Boolean).join(" ")})`
        : `record ${rule.record}`;
      return promqlSyntaxErrors(rule.expr).map((error) => `${group.name}: ${name}: ${error} in ${rule.expr}`);
    }),
  );
}

export function alertingRules(groups: readonly RuleGroup[]): AlertingRule[] {
  return groups.flatMap((g) => g.rules.filter(isAlertingRule));
}

/** The plain rule file Prometheus and promtool read. */
export function prometheusRuleFile(groups: readonly RuleGroup[]): string {
  return stringify({ groups }, { lineWidth: 0, aliasDuplicateObjects: false });
}

export function prometheusRuleManifest(config: FreshplanConfig, groups: readonly RuleGroup[]): Manifest {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: PROMETHEUS_RULE_NAME,
      namespace: config.namespace,
      labels: { "app.kubernetes.io/name": PROMETHEUS_RULE_NAME, ...MANAGED_LABELS, ...config.alerts.ruleLabels },
    },
    // A deep copy: Pulumi may hold on to the inputs, and the groups are shared with the plan file.
    spec: { groups: JSON.parse(JSON.stringify(groups)) },
  };
}
