/**
 * One territory's workload (DE queries, AT event-worker, …): its Deployment, a Service for the
 * API workloads, a PodDisruptionBudget and the KEDA ScaledObject that scales it. All decisions
 * come from the model (WorkloadScaling, or the journal plan's workers).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ScaledWorkload } from "../model/keda/types";
import {
  deploymentManifest,
  podDisruptionBudgetManifest,
  scaledObjectManifest,
  serviceManifest,
} from "../model/scaling/workload-manifests";
import { manifestArgs } from "./manifest-args";

export interface TerritoryWorkloadArgs {
  readonly scaling: ScaledWorkload;
  /** The namespace resource the objects live in (created first). */
  readonly namespace: k8s.core.v1.Namespace;
  /** The KEDA install; the ScaledObject must wait for its CRDs. */
  readonly keda: pulumi.Resource;
  /** Whether other services call this workload (API) or it only pulls work (event worker). @default true */
  readonly service?: boolean;
  /** What the pods need before they start, e.g. their credentials Secret. @default [] */
  readonly prerequisites?: pulumi.Resource[];
  /** What the ScaledObject needs besides KEDA, e.g. its TriggerAuthentication. @default [] */
  readonly scalerPrerequisites?: pulumi.Resource[];
}

export class TerritoryWorkload extends pulumi.ComponentResource {
  readonly deployment: k8s.apps.v1.Deployment;
  readonly scaledObject: k8s.apiextensions.CustomResource;

  constructor(name: string, args: TerritoryWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("freshplan:scaling:TerritoryWorkload", name, {}, opts);
    const w = args.scaling;
    const child = { parent: this, dependsOn: [args.namespace, ...(args.prerequisites ?? [])] };

    this.deployment = new k8s.apps.v1.Deployment(name, manifestArgs(deploymentManifest(w)), child);
    if (args.service ?? true) new k8s.core.v1.Service(name, manifestArgs(serviceManifest(w)), child);
    new k8s.policy.v1.PodDisruptionBudget(name, manifestArgs(podDisruptionBudgetManifest(w)), child);
    this.scaledObject = new k8s.apiextensions.CustomResource(name, manifestArgs(scaledObjectManifest(w)), {
      parent: this,
      dependsOn: [args.namespace, args.keda, this.deployment, ...(args.scalerPrerequisites ?? [])],
    });
    this.registerOutputs({ deployment: this.deployment.metadata.name, scaledObject: this.scaledObject.metadata.name });
  }
}
