/**
 * KEDA from its Helm chart, pinned, CRDs included. ScaledObjects depend on `release`, so the
 * CRDs exist before the first custom resource is sent.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ScalingPlan } from "../model/scaling/plan";

export interface KedaInstallArgs {
  /**
   * Chart version, repository (or vendored chartPath) and namespace from stack config (`keda.*`), and the chart values.
   */
  readonly keda: ScalingPlan["keda"];
}

export class KedaInstall extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: KedaInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("freshplan:scaling:KedaInstall", name, {}, opts);
    this.release = new k8s.helm.v3.Release(
      name,
      {
        name: "keda",
        // A vendored chart is installed from its path; program/keda-chart.ts holds its version to chartVersion.
        chart: args.keda.chartPath ?? "keda",
        version: args.keda.chartVersion,
        ...(args.keda.chartPath ? {} : { repositoryOpts: { repo: args.keda.repository } }),
        namespace: args.keda.namespace,
        createNamespace: true,
        skipCrds: false,
        // Roll back a half-applied upgrade instead of leaving KEDA without its operator.
        atomic: true,
        // Decided in model/keda/helm-values.ts: PodMonitors with the rule labels and KEDA's namespace restored.
        values: args.keda.values,
      },
      { parent: this },
    );
    this.registerOutputs({ release: this.release.status });
  }
}
