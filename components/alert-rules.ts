/**
 * The stack's alerting: the PrometheusRule generated from the scaling plan, the PodMonitor that
 * gives the API metrics their territory/workload labels, and the postgres_exporter query file for
 * the journal metrics. Rule decisions live in model/alert-rules*.ts.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { alertRuleGroups, prometheusRuleManifest, ruleSyntaxProblems } from "../model/alert-rules";
import type { FreshplanConfig } from "../model/config-schema";
import { apiPodMonitorManifest, journalExporterQueriesManifest } from "../model/metrics-sources";
import type { ScalingPlan } from "../model/scaling-plan";

export interface AlertRulesArgs {
  /** Validated stack config: thresholds (`alerts.*`), Prometheus labels and the namespace. */
  readonly config: FreshplanConfig;
  /** The scaling plan whose workloads the rules watch. */
  readonly plan: Pick<ScalingPlan, "workloads">;
  /** The workload namespace; the objects are created in it. */
  readonly namespace: k8s.core.v1.Namespace;
}

export class AlertRules extends pulumi.ComponentResource {
  readonly prometheusRule: k8s.apiextensions.CustomResource;

  constructor(name: string, args: AlertRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("freshplan:monitoring:AlertRules", name, {}, opts);
    const groups = alertRuleGroups(args.config, args.plan);
    const problems = ruleSyntaxProblems(groups);
    if (problems.length > 0) throw new pulumi.RunError(`alert rules do not parse as PromQL:\n  - ${problems.join("\n  - ")}`);

    const child = { parent: this, dependsOn: [args.namespace] };
    const rule = prometheusRuleManifest(args.config, groups);
    this.prometheusRule = new k8s.apiextensions.CustomResource(rule.metadata.name, rule as unknown as k8s.apiextensions.CustomResourceArgs, child);
    const podMonitor = apiPodMonitorManifest(args.config);
    new k8s.apiextensions.CustomResource(podMonitor.metadata.name, podMonitor as unknown as k8s.apiextensions.CustomResourceArgs, child);
    const queries = journalExporterQueriesManifest(args.config);
    new k8s.core.v1.ConfigMap(queries.metadata.name, queries as unknown as k8s.core.v1.ConfigMapArgs, child);
    this.registerOutputs({ prometheusRule: this.prometheusRule.metadata.name });
  }
}
