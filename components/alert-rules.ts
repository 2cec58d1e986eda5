/**
 * The stack's alerting: the PrometheusRule generated from the scaling plan and the PodMonitor that
 * gives the API metrics their territory/workload labels (the journal's exporter comes with the
 * journal, components/event-journal.ts). Rule decisions live in model/alert-rules*.ts.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RuleGroup } from "../model/alert-rule-types";
import { alertRuleGroups, prometheusRuleManifest, ruleSyntaxProblems } from "../model/alert-rules";
import type { FreshplanConfig } from "../model/config-schema";
import { apiPodMonitorManifest } from "../model/metrics-sources";
import type { ScalingPlan } from "../model/scaling-plan";

/**
 * The stack's rule groups, or a RunError naming every rule whose expression does not parse.
 * Called before any resource is registered, so a broken rule cannot leave a half-applied update.
 */
export function checkedAlertRuleGroups(config: FreshplanConfig, plan: Pick<ScalingPlan, "workloads">): RuleGroup[] {
  const groups = alertRuleGroups(config, plan);
  const problems = ruleSyntaxProblems(groups);
  if (problems.length > 0) throw new pulumi.RunError(`alert rules do not parse as PromQL:\n  - ${problems.join("\n  - ")}`);
  return groups;
}

export interface AlertRulesArgs {
  /** Validated stack config: thresholds (`alerts.*`), Prometheus labels and the namespace. */
  readonly config: FreshplanConfig;
  /** The rule groups, from checkedAlertRuleGroups. */
  readonly groups: readonly RuleGroup[];
  /** The workload namespace; the objects are created in it. */
  readonly namespace: k8s.core.v1.Namespace;
}

export class AlertRules extends pulumi.ComponentResource {
  readonly prometheusRule: k8s.apiextensions.CustomResource;

  constructor(name: string, args: AlertRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("freshplan:monitoring:AlertRules", name, {}, opts);
    const child = { parent: this, dependsOn: [args.namespace] };
    const rule = prometheusRuleManifest(args.config, args.groups);
    this.prometheusRule = new k8s.apiextensions.CustomResource(rule.metadata.name, rule as unknown as k8s.apiextensions.CustomResourceArgs, child);
    const podMonitor = apiPodMonitorManifest(args.config);
    new k8s.apiextensions.CustomResource(podMonitor.metadata.name, podMonitor as unknown as k8s.apiextensions.CustomResourceArgs, child);
    this.registerOutputs({ prometheusRule: this.prometheusRule.metadata.name });
  }
}
