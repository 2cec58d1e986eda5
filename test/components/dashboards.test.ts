/**
 * The dashboard ConfigMaps, GrafanaDashboards and AlertmanagerConfig under the SDK's mock runtime, following the
 * config.
 */
import { expect } from "chai";
import { RecordedResource, StackRun, runStack } from "../../scripts/mock-runtime";
import { validateAgainstSchema } from "../support/kubernetes-schemas";
import { rawStackConfig, stackFile, stackFileFrom } from "../support/stack-fixtures";

const ofKind = (run: StackRun, kind: string) => run.resources.filter((r) => r.inputs.kind === kind);
const meta = (r: RecordedResource) =>
  r.inputs.metadata as {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
  };
const dashboardConfigMaps = (run: StackRun) =>
  ofKind(run, "ConfigMap").filter((r) => meta(r).name.startsWith("freshplan-dashboard-"));

describe("dashboards and routing under the mock runtime", () => {
  before(() => {
    process.env.FRESHPLAN_PLAN_DATE = "2026-11-23T00:00:00Z";
  });

  it(
    "prod: one ConfigMap per dashboard for the kube-prometheus-stack sidecar, in the stack namespace, with the " +
      "folder annotation",
    async () => {
      const run = await runStack(stackFile("prod"));
      const maps = dashboardConfigMaps(run);
      expect(maps.map((m) => meta(m).name)).to.have.members(
        ["territory-overview", "scaling", "event-journal", "business-kpis", "cost"].map(
          (n) => `freshplan-dashboard-${n}`,
        ),
      );
      for (const m of maps) {
        await validateAgainstSchema(m.inputs);
        expect(meta(m).namespace).to.equal("freshplan-production");
        expect(meta(m).labels).to.include({ grafana_dashboard: "1" });
        expect(meta(m).annotations).to.deep.equal({ grafana_folder: "FreshPlan" });
        const [file, json] = Object.entries(m.inputs.data as Record<string, string>)[0];
        expect(file).to.equal(`${meta(m).name.replace("freshplan-dashboard-", "")}.json`);
        expect(JSON.parse(json).uid).to.match(/^freshplan-/);
      }
      expect(run.outputs.dashboardConfigMaps).to.have.length(5);
      expect(ofKind(run, "GrafanaDashboard")).to.deep.equal([]);
      expect(ofKind(run, "AlertmanagerConfig")).to.deep.equal([]);
    },
  );

  it(
    "follows the config: namespace, sidecar label, folder, grafana-operator resources and the " + "AlertmanagerConfig",
    async () => {
      const raw = rawStackConfig("prod");
      raw.dashboards = {
        namespace: "monitoring",
        sidecarLabels: { grafana_dashboard: "freshplan" },
        folder: "Ops",
        folderAnnotation: "k8s-sidecar-target-directory",
        grafanaOperator: { instanceSelector: { dashboards: "grafana" } },
      };
      raw.alertRouting.alertmanagerConfig = { labels: { alertmanagerConfig: "freshplan" } };
      const run = await runStack(stackFileFrom("prod", raw));
      for (const m of dashboardConfigMaps(run)) {
        expect(meta(m).namespace).to.equal("monitoring");
        expect(meta(m).labels).to.include({ grafana_dashboard: "freshplan" });
        expect(meta(m).annotations).to.deep.equal({ "k8s-sidecar-target-directory": "Ops" });
      }
      const operator = ofKind(run, "GrafanaDashboard");
      expect(operator).to.have.length(5);
      for (const d of operator) {
        const spec = d.inputs.spec as {
          instanceSelector: unknown;
          configMapRef: { name: string; key: string };
          folder: string;
        };
        expect(spec.instanceSelector).to.deep.equal({ matchLabels: { dashboards: "grafana" } });
        expect(spec.folder).to.equal("Ops");
        const map = dashboardConfigMaps(run).find((m) => meta(m).name === spec.configMapRef.name)!;
        expect(map.inputs.data).to.have.property(spec.configMapRef.key);
        expect(d.dependencies.some((urn) => urn.endsWith(`::${map.name}`))).to.equal(true);
      }
      const [routing] = ofKind(run, "AlertmanagerConfig");
      await validateAgainstSchema(routing.inputs);
      expect(meta(routing)).to.deep.include({ namespace: "freshplan-production" });
      expect(meta(routing).labels).to.include({ alertmanagerConfig: "freshplan" });
      const receivers = (
        routing.inputs.spec as { receivers: { name: string; pagerdutyConfigs?: { routingKey: unknown }[] }[] }
      ).receivers;
      expect(receivers.find((r) => r.name === "freshplan-page")?.pagerdutyConfigs?.[0].routingKey).to.deep.equal({
        name: "alertmanager-freshplan-pagerduty",
        key: "routing-key",
      });
    },
  );

  it("rejects a receiver without its Secret reference, naming the path", async () => {
    const raw = rawStackConfig("prod");
    delete raw.alertRouting.page.routingKey;
    let error: Error | undefined;
    await runStack(stackFileFrom("prod", raw)).catch((e: Error) => (error = e));
    expect(error?.message).to.contain("alertRouting.page.routingKey");
  });
});
