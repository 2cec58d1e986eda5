/**
 * Pods that leave and start cleanly: preStop sleep within the grace period, a startup probe on the started check,
 * revision-aware spread, drains not blocked.
 */
import { expect } from "chai";
import { validateConfig } from "../../../model/config/validate";
import { buildStackPlan } from "../../../model/stack-plan";
import { deploymentManifest, podDisruptionBudgetManifest } from "../../../model/scaling/workload-manifests";
import { rawStackConfig } from "../../support/stack-fixtures";

type Probe = { httpGet: { path: string } };
type PodSpec = {
  terminationGracePeriodSeconds: number;
  topologySpreadConstraints: { matchLabelKeys?: string[] }[];
  containers: {
    lifecycle?: { preStop?: { sleep?: { seconds: number } } };
    startupProbe: Probe;
    readinessProbe: Probe;
  }[];
};

const NOW = new Date("2026-03-02T12:00:00Z");

describe("pod lifecycle and disruption", () => {
  const plan = buildStackPlan(validateConfig(rawStackConfig("prod")), NOW);

  it("sleeps in preStop before SIGTERM, within a longer grace period", () => {
    for (const w of [...plan.scaling.workloads, ...plan.journal!.workers]) {
      const pod = (deploymentManifest(w).spec as { template: { spec: PodSpec } }).template.spec;
      const sleep = pod.containers[0].lifecycle?.preStop?.sleep?.seconds;
      expect(sleep, w.name).to.be.a("number").and.greaterThan(0);
      // The app needs time for its own shutdown after the sleep.
      expect(pod.terminationGracePeriodSeconds - sleep!, w.name).to.be.at.least(20);
    }
  });

  it("probes start-up on the started endpoint, readiness on the ready one", () => {
    for (const w of plan.scaling.workloads) {
      const c = (deploymentManifest(w).spec as { template: { spec: PodSpec } }).template.spec.containers[0];
      expect(c.startupProbe.httpGet.path).to.equal("/q/health/started");
      expect(c.readinessProbe.httpGet.path).to.equal("/q/health/ready");
    }
  });

  it("spreads per revision and lets unhealthy pods be evicted", () => {
    const w = plan.scaling.workloads[0];
    const pod = (deploymentManifest(w).spec as { template: { spec: PodSpec } }).template.spec;
    for (const c of pod.topologySpreadConstraints) expect(c.matchLabelKeys).to.deep.equal(["pod-template-hash"]);
    expect(
      (podDisruptionBudgetManifest(w).spec as { unhealthyPodEvictionPolicy: string }).unhealthyPodEvictionPolicy,
    ).to.equal("AlwaysAllow");
  });

  it("warns where an API workload runs minReplicas 1, and only there", () => {
    const single = plan.scaling.workloads.filter((w) => w.minReplicas === 1);
    expect(single.length).to.be.greaterThan(0);
    for (const w of plan.scaling.workloads) {
      const warned = plan.warnings.some((m) => m.includes(`territories.${w.territory}.${w.workload}.minReplicas is 1`));
      expect(warned, w.name).to.equal(w.minReplicas === 1);
    }
  });
});
