/**
 * The stack's Grafana dashboards (ConfigMaps for the kube-prometheus-stack sidecar, optionally
 * grafana-operator GrafanaDashboards) and its Alertmanager routing (optionally an AlertmanagerConfig).
 * Decisions live in model/dashboards/ and model/routing/.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RuleGroup } from "../model/alerts/rule-types";
import type { FreshplanConfig } from "../model/config/schema";
import type { GeneratedDashboard } from "../model/dashboards/dashboards";
import { dashboardConfigMapManifest, grafanaDashboardManifest } from "../model/dashboards/manifests";
import { alertmanagerConfigManifest } from "../model/routing/alertmanager";
import { manifestArgs } from "./manifest-args";

export interface DashboardsArgs {
  readonly config: FreshplanConfig;
  readonly dashboards: readonly GeneratedDashboard[];
  /** The linked alert rules: the AlertmanagerConfig routes exactly their alert names. */
  readonly alertGroups: readonly RuleGroup[];
  /** The workload namespace: the default home of the ConfigMaps and the AlertmanagerConfig. */
  readonly namespace: k8s.core.v1.Namespace;
}

export class Dashboards extends pulumi.ComponentResource {
  readonly configMaps: k8s.core.v1.ConfigMap[];

  constructor(name: string, args: DashboardsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("freshplan:monitoring:Dashboards", name, {}, opts);
    const child = { parent: this, dependsOn: [args.namespace] };
    this.configMaps = args.dashboards.map((d) => {
      const configMap = dashboardConfigMapManifest(args.config, d);
      const resource = new k8s.core.v1.ConfigMap(configMap.metadata.name, manifestArgs(configMap), child);
      const operator = grafanaDashboardManifest(args.config, d);
      if (operator) {
        new k8s.apiextensions.CustomResource(operator.metadata.name, manifestArgs<k8s.apiextensions.CustomResourceArgs>(operator), { parent: this, dependsOn: [args.namespace, resource] });
      }
      return resource;
    });
    const routing = alertmanagerConfigManifest(args.config, args.alertGroups);
    if (routing) new k8s.apiextensions.CustomResource(routing.metadata.name, manifestArgs<k8s.apiextensions.CustomResourceArgs>(routing), child);
    this.registerOutputs({ dashboards: this.configMaps.map((c) => c.metadata.name) });
  }
}
