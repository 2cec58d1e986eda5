/**
 * The stack's Grafana dashboards: ConfigMaps for the kube-prometheus-stack sidecar and, when the
 * config asks for them, grafana-operator GrafanaDashboards reading the same ConfigMaps.
 * Decisions live in model/dashboards/.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FreshplanConfig } from "../model/config/schema";
import type { GeneratedDashboard } from "../model/dashboards/dashboards";
import { dashboardConfigMapManifest, grafanaDashboardManifest } from "../model/dashboards/manifests";
import { manifestArgs } from "./manifest-args";

export interface DashboardsArgs {
  readonly config: FreshplanConfig;
  readonly dashboards: readonly GeneratedDashboard[];
  /** The workload namespace: the default home of the ConfigMaps. */
  readonly namespace: k8s.core.v1.Namespace;
}

export class Dashboards extends pulumi.ComponentResource {
  readonly configMaps: k8s.core.v1.ConfigMap[];

  constructor(name: string, args: DashboardsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("freshplan:monitoring:Dashboards", name, {}, opts);
    this.configMaps = args.dashboards.map((d) => {
      const configMap = dashboardConfigMapManifest(args.config, d);
      const resource = new k8s.core.v1.ConfigMap(configMap.metadata.name, manifestArgs(configMap), {
        parent: this,
        dependsOn: [args.namespace],
      });
      const operator = grafanaDashboardManifest(args.config, d);
      if (operator) {
        new k8s.apiextensions.CustomResource(
          operator.metadata.name,
          manifestArgs<k8s.apiextensions.CustomResourceArgs>(operator),
          { parent: this, dependsOn: [args.namespace, resource] },
        );
      }
      return resource;
    });
    this.registerOutputs({ dashboards: this.configMaps.map((c) => c.metadata.name) });
  }
}
