/** The types the scaling features share: KEDA triggers, the workloads KEDA scales, and Kubernetes objects as data. */
import type { WorkloadSettings } from "../config/schema";

export interface KedaTrigger {
  readonly type: "cron" | "prometheus" | "postgresql";
  /** Stable: it is the `scaler` label on KEDA's metrics. */
  readonly name: string;
  readonly metricType?: "AverageValue" | "Value";
  /** KEDA wants every metadata value as a string. */
  readonly metadata: Readonly<Record<string, string>>;
  /** TriggerAuthentication holding the trigger's secret parameters. */
  readonly authenticationRef?: string;
}

/** What the manifests need of a workload: API Deployments and journal event workers alike. */
export interface PodWorkload {
  readonly territory: string;
  /** `queries`, `commands` or `event-worker`. */
  readonly workload: string;
  readonly name: string;
  readonly namespace: string;
  readonly settings: WorkloadSettings;
  /** Secret whose keys become the container's environment (the journal credentials), if any. */
  readonly credentialsSecret?: string;
}

/** A workload KEDA scales. */
export interface ScaledWorkload extends PodWorkload {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly triggers: readonly KedaTrigger[];
}

/** A complete Kubernetes object as plain data (validated against its schema in the tests). */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly spec?: unknown;
}

/** The part of a rendered ScaledObject's spec that decides replica floors, as the stack sends it. */
export interface ScaledObjectSpec {
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  readonly triggers: readonly {
    readonly type: string;
    readonly name: string;
    readonly metadata: Readonly<Record<string, string>>;
  }[];
}

/** The metadata of a KEDA cron trigger. */
export interface CronTriggerMetadata {
  readonly timezone: string;
  readonly start: string;
  readonly end: string;
  readonly desiredReplicas: string;
}
