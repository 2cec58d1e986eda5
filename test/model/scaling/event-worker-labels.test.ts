/** Event workers are their own app: the API PodMonitor must not select them, and their container is not named `api`. */
import { expect } from "chai";
import { apiPodMonitorManifest } from "../../../model/alerts/api-pod-monitor";
import { buildStackPlan } from "../../../model/stack-plan";
import { deploymentManifest } from "../../../model/scaling/workload-manifests";
import { validateConfig } from "../../../model/config/validate";
import { rawStackConfig } from "../../support/stack-fixtures";

type PodTemplate = {
  template: { metadata: { labels: Record<string, string> }; spec: { containers: { name: string }[] } };
};

describe("event worker labels", () => {
  it("the API PodMonitor selects the API pods and none of the event workers", () => {
    const config = validateConfig(rawStackConfig("prod"));
    const plan = buildStackPlan(config, new Date("2026-03-02T12:00:00Z"));
    const selector = (apiPodMonitorManifest(config).spec as { selector: { matchLabels: Record<string, string> } })
      .selector.matchLabels;
    const selects = (labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
    const workers = plan.journal!.workers;
    expect(workers.length).to.be.greaterThan(0);
    for (const w of workers) {
      const spec = deploymentManifest(w).spec as PodTemplate;
      expect(selects(spec.template.metadata.labels), w.name).to.equal(false);
      expect(spec.template.spec.containers.map((c) => c.name)).to.deep.equal(["event-worker"]);
    }
    for (const w of plan.scaling.workloads) {
      const spec = deploymentManifest(w).spec as PodTemplate;
      expect(selects(spec.template.metadata.labels), w.name).to.equal(true);
      expect(spec.template.spec.containers.map((c) => c.name)).to.deep.equal(["api"]);
    }
  });
});
