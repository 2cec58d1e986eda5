/**
 * The stack's alerting: the PrometheusRule generated from the scaling plan and the PodMonitor that
 * gives the API metrics their territory/workload labels (the journal's exporter comes with the
 * journal, components/event-journal.ts). Rule decisions live in model/alerts/.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { apiPodMonitorManifest } from "../model/alerts/api-pod-monitor";
import type { RuleGroup } from "../model/alerts/rule-types";
import { prometheusRuleManifest } from "../model/alerts/rules";
import type { FreshplanConfig } from "../model/config/schema";
import { manifestArgs } from "./manifest-args";

export interface AlertRulesArgs {
  /** Validated stack config: thresholds (`alerts.*`), Prometheus labels and the namespace. */
  readonly config: FreshplanConfig;
  /** The rule groups of the stack plan (their expressions parse). */
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
    this.prometheusRule = new k8s.apiextensions.CustomResource(
      rule.metadata.name,
      manifestArgs<k8s.apiextensions.CustomResourceArgs>(rule),
      child,
    );
    const podMonitor = apiPodMonitorManifest(args.config);
    new k8s.apiextensions.CustomResource(
      podMonitor.metadata.name,
      manifestArgs<k8s.apiextensions.CustomResourceArgs>(podMonitor),
      child,
    );
    this.registerOutputs({ prometheusRule: this.prometheusRule.metadata.name });
  }
}
