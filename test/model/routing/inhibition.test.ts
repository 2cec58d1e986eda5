/** Inhibition on a real Alertmanager: a critical holds back the matching warnings of its rule group. */
import { expect } from "chai";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { alertmanagerConfigFile } from "../../../model/routing/alertmanager";
import { buildStackPlan } from "../../../model/stack-plan";
import { loadStackConfig } from "../../../scripts/stack-file";
import { ROOT } from "../../support/stack-fixtures";
import { freePort } from "../../support/free-port";

const INSTALL_HINT =
  "prometheus-alertmanager is not installed: run `apt-get update && apt-get install -y prometheus-alertmanager`";

interface AlertStatus {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

describe("inhibition on a real Alertmanager", function () {
  this.timeout(60_000);
  const plan = buildStackPlan(
    loadStackConfig("prod", path.join(ROOT, "Pulumi.prod.yaml")),
    new Date("2026-11-23T00:00:00Z"),
  );
  let alertmanager: ChildProcess | undefined;
  let url = "";

  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-alertmanager-"));
    fs.writeFileSync(path.join(dir, "alertmanager.yaml"), alertmanagerConfigFile(plan.config, plan.alertGroups)!);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    alertmanager = spawn(
      "prometheus-alertmanager",
      [
        `--config.file=${path.join(dir, "alertmanager.yaml")}`,
        `--storage.path=${path.join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--cluster.listen-address=",
      ],
      { stdio: "ignore" },
    );
    const spawned = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      alertmanager!.once("error", resolve);
      alertmanager!.once("spawn", () => resolve(undefined));
    });
    if (spawned?.code === "ENOENT") throw new Error(INSTALL_HINT);
    for (let i = 0; ; i++) {
      if (
        await fetch(`${url}/-/ready`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 200) throw new Error("alertmanager did not become ready");
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(() => {
    alertmanager?.kill("SIGTERM");
  });

  it(
    "holds back a warning while the critical of its family " +
      "fires for the same territory and workload, and only then",
    async () => {
      const alert = (alertname: string, severity: string, labels: Record<string, string>) => ({
        labels: { alertname, severity, namespace: plan.config.namespace, ...labels },
        startsAt: new Date().toISOString(),
      });
      const sent = [
        alert("FreshplanApiLatencyBudgetBurn", "critical", { territory: "DE", workload: "queries" }),
        alert("FreshplanApiP95AboveBudget", "warning", { territory: "DE", workload: "queries" }),
        alert("FreshplanApiP95AboveBudget", "warning", { territory: "CH", workload: "queries" }),
        alert("FreshplanNotifyQueueCritical", "critical", {}),
        alert("FreshplanNotifyQueueHigh", "warning", {}),
        alert("FreshplanJournalDeadLetters", "warning", { territory: "DE" }),
        alert("FreshplanCreditCheckBacklog", "warning", { territory: "DE" }),
      ];
      const posted = await fetch(`${url}/api/v2/alerts`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(sent),
      });
      expect(posted.status).to.equal(200);
      let alerts: AlertStatus[] = [];
      for (let i = 0; i < 100 && alerts.length < sent.length; i++) {
        alerts = (await (await fetch(`${url}/api/v2/alerts`)).json()) as AlertStatus[];
        await new Promise((r) => setTimeout(r, 100));
      }
      const state = (alertname: string, territory?: string) =>
        alerts.find((a) => a.labels.alertname === alertname && a.labels.territory === territory)!.status;
      expect(
        state("FreshplanApiP95AboveBudget", "DE").inhibitedBy,
        "DE queries warning under its critical",
      ).to.have.length(1);
      expect(state("FreshplanApiP95AboveBudget", "CH").inhibitedBy, "CH has no critical").to.deep.equal([]);
      expect(state("FreshplanNotifyQueueHigh").inhibitedBy, "queue warning under the queue critical").to.have.length(1);
      // Another territory (DE without a workload is not DE queries) and another family stay active.
      expect(state("FreshplanJournalDeadLetters", "DE").inhibitedBy).to.deep.equal([]);
      expect(state("FreshplanCreditCheckBacklog", "DE").inhibitedBy).to.deep.equal([]);
      expect(state("FreshplanApiLatencyBudgetBurn", "DE").state).to.equal("active");
    },
  );
});
