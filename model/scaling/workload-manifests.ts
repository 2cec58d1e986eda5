/**
 * The Kubernetes objects of one territory workload, as plain data. Components hand them to
 * Pulumi unchanged; tests validate them against the Kubernetes and KEDA schemas.
 *
 * One label scheme everywhere: `app.kubernetes.io/*` plus `freshplan.io/territory` and
 * `freshplan.io/workload`. The scrape config maps the latter two onto the `territory` and
 * `workload` labels the PromQL uses.
 */
import { PART_OF_LABELS, TERRITORY_LABEL, WORKLOAD_LABEL, podAppOf } from "../conventions";
import type { Manifest, PodWorkload, ScaledWorkload } from "../keda/types";
import { RESTRICTED_CONTAINER } from "../kubernetes/pod-security";

const UID = 10001;

/**
 * On scale-in the pod is removed from the endpoints while it is told to stop; both happen at once.
 * The preStop sleep (Kubernetes ≥ 1.30) keeps it serving until kube-proxy and the ingress have
 * dropped it, then SIGTERM starts the app's own graceful shutdown within the rest of the grace period.
 */
export const PRE_STOP_SLEEP_SECONDS = 10;
export const TERMINATION_GRACE_SECONDS = 45;

export function selectorLabels(w: PodWorkload): Record<string, string> {
  // Event workers get their own name: the API PodMonitor selects `freshplan-api` and must not scrape them as the API.
  return {
    "app.kubernetes.io/name": podAppOf(w.workload).name,
    [TERRITORY_LABEL]: w.territory,
    [WORKLOAD_LABEL]: w.workload,
  };
}

export function workloadLabels(w: PodWorkload): Record<string, string> {
  return { ...selectorLabels(w), "app.kubernetes.io/component": w.workload, ...PART_OF_LABELS };
}

const metadata = (w: PodWorkload) => ({ name: w.name, namespace: w.namespace, labels: workloadLabels(w) });

export function deploymentManifest(w: PodWorkload): Manifest {
  const s = w.settings;
  const probe = (path: string) => ({
    httpGet: { path, port: "http" },
    periodSeconds: 10,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });
  const spread = (topologyKey: string) => ({
    maxSkew: 1,
    topologyKey,
    // Spread when possible, but never block a season scale-up on a missing zone or node.
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: selectorLabels(w) },
    // Count only pods of the same revision: during a rollout the old ReplicaSet's pods would skew the spread.
    matchLabelKeys: ["pod-template-hash"],
  });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(w),
    spec: {
      // No `replicas`: KEDA's HPA owns the count; setting it here would reset it on every `pulumi up`.
      selector: { matchLabels: selectorLabels(w) },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
      template: {
        metadata: { labels: workloadLabels(w) },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: UID,
            runAsGroup: UID,
            fsGroup: UID,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: podAppOf(w.workload).container,
              image: s.image,
              ports: [{ name: "http", containerPort: s.port, protocol: "TCP" }],
              env: [
                { name: "FRESHPLAN_TERRITORY", value: w.territory },
                { name: "FRESHPLAN_WORKLOAD", value: w.workload },
              ],
              ...(w.credentialsSecret ? { envFrom: [{ secretRef: { name: w.credentialsSecret } }] } : {}),
              resources: {
                requests: { ...s.resources.requests },
                limits: { ...s.resources.limits },
              },
              // Started, not ready: readiness checks the database, and a database blip during start-up
              // must not restart pods in the middle of a scale-up.
              startupProbe: { ...probe(s.startupPath), periodSeconds: 2, failureThreshold: 60 },
              readinessProbe: probe(s.readinessPath),
              livenessProbe: probe(s.livenessPath),
              lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SLEEP_SECONDS } } },
              securityContext: RESTRICTED_CONTAINER,
              // The root filesystem is read-only; the JVM still needs a writable /tmp.
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
          topologySpreadConstraints: [spread("topology.kubernetes.io/zone"), spread("kubernetes.io/hostname")],
          terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
        },
      },
    },
  };
}

export function serviceManifest(w: PodWorkload): Manifest {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(w),
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(w),
      ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
    },
  };
}

/**
 * One pod at a time may be evicted. With minReplicas 1 a drain still proceeds (a minAvailable of 1
 * would block it forever) and is an outage for that workload: the plan warns about it. Pods that
 * are not healthy may always be evicted (AlwaysAllow), so a crash-looping pod never blocks a drain.
 */
export function podDisruptionBudgetManifest(w: PodWorkload): Manifest {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: metadata(w),
    spec: {
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      selector: { matchLabels: selectorLabels(w) },
    },
  };
}

export function scaledObjectManifest(w: ScaledWorkload): Manifest {
  const sc = w.settings.scaling;
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: metadata(w),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: w.name },
      pollingInterval: sc.pollingIntervalSeconds,
      cooldownPeriod: sc.cooldownPeriodSeconds,
      minReplicaCount: w.minReplicas,
      maxReplicaCount: w.maxReplicas,
      // currentReplicasIfHigher (KEDA ≥ 2.17): a Prometheus outage at peak holds what runs and never scales in.
      fallback: {
        failureThreshold: sc.fallbackFailureThreshold,
        replicas: sc.fallbackReplicas,
        behavior: "currentReplicasIfHigher",
      },
      advanced: {
        horizontalPodAutoscalerConfig: {
          behavior: {
            scaleDown: {
              stabilizationWindowSeconds: sc.scaleDownStabilizationSeconds,
              selectPolicy: "Max",
              policies: [{ type: "Percent", value: sc.scaleDownPercentPerPeriod, periodSeconds: 60 }],
            },
            scaleUp: {
              stabilizationWindowSeconds: sc.scaleUpStabilizationSeconds,
              selectPolicy: "Max",
              policies: [
                { type: "Percent", value: sc.scaleUpPercentPerPeriod, periodSeconds: sc.scaleUpPeriodSeconds },
                { type: "Pods", value: sc.scaleUpPodsPerPeriod, periodSeconds: sc.scaleUpPeriodSeconds },
              ],
            },
          },
        },
      },
      triggers: w.triggers.map((t) => ({
        type: t.type,
        name: t.name,
        ...(t.metricType ? { metricType: t.metricType } : {}),
        metadata: { ...t.metadata },
        ...(t.authenticationRef ? { authenticationRef: { name: t.authenticationRef } } : {}),
      })),
    },
  };
}
