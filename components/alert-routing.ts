/**
 * The stack's Alertmanager routing as a prometheus-operator AlertmanagerConfig, when the config asks for one
 * (model/routing/).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Manifest } from "../model/keda/types";
import { manifestArgs } from "./manifest-args";

export interface AlertRoutingArgs {
  /** The stack plan's AlertmanagerConfig, if the config asks for one. */
  readonly alertmanagerConfig?: Manifest;
  /** The workload namespace: the default home of the AlertmanagerConfig. */
  readonly namespace: k8s.core.v1.Namespace;
}

export class AlertRouting extends pulumi.ComponentResource {
  readonly alertmanagerConfig?: k8s.apiextensions.CustomResource;

  constructor(name: string, args: AlertRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("freshplan:monitoring:AlertRouting", name, {}, opts);
    const routing = args.alertmanagerConfig;
    if (routing) {
      this.alertmanagerConfig = new k8s.apiextensions.CustomResource(
        routing.metadata.name,
        manifestArgs<k8s.apiextensions.CustomResourceArgs>(routing),
        { parent: this, dependsOn: [args.namespace] },
      );
    }
    this.registerOutputs({ alertmanagerConfig: this.alertmanagerConfig?.metadata.name });
  }
}
