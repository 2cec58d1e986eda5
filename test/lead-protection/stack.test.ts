// Lead protection as the stack provisions it, under the mock runtime: logins, Secrets, the exporter's group, the scan
// CronJob.
import { expect } from "chai";
import { CronExpressionParser } from "cron-parser";
import { RecordedResource, StackRun, runStack } from "../../scripts/mock-runtime";
import { SECRET_PLACEHOLDER } from "../../scripts/stack-file";
import { LEAD_SCAN_SCHEDULE } from "../../model/lead-protection/plan";
import { validateAgainstSchema } from "../support/kubernetes-schemas";
import { stackFile } from "../support/stack-fixtures";

const ofType = (run: StackRun, type: string) => run.resources.filter((r) => r.type === type);
const named = (run: StackRun, type: string, name: string) =>
  ofType(run, type).find((r) => (r.inputs.metadata as any)?.name === name || r.name === name)!;

describe("lead protection under the mock runtime", () => {
  let prod: StackRun;
  before(async () => {
    process.env.FRESHPLAN_PLAN_DATE = "2026-11-23T00:00:00Z";
    prod = await runStack(stackFile("prod"));
  });

  it("creates a CRM and a scanner login, each only in its lead group, after the migrations", () => {
    const roles = ofType(prod, "postgresql:index/role:Role").filter((r) => String(r.inputs.name).includes("lead"));
    expect(
      roles.map((r) => ({ name: r.inputs.name, login: r.inputs.login, roles: r.inputs.roles })),
    ).to.have.deep.members([
      { name: "freshplan_leads_crm", login: true, roles: ["freshplan_lead_crm"] },
      { name: "freshplan_leads_scanner", login: true, roles: ["freshplan_lead_scanner"] },
    ]);
    for (const role of roles) {
      expect(role.inputs.password).to.equal(SECRET_PLACEHOLDER);
      expect(role.dependencies.some((urn) => urn.endsWith("JournalMigrations::journal-migrations"))).to.equal(true);
    }
    const grants = ofType(prod, "postgresql:index/grant:Grant").map(
      (g) => `${g.inputs.role}:${g.inputs.objectType}:${(g.inputs.privileges as string[]).join()}`,
    );
    expect(grants).to.include.members([
      "freshplan_lead_crm:database:CONNECT",
      "freshplan_lead_scanner:database:CONNECT",
      "freshplan_lead_monitor:database:CONNECT",
    ]);
  });

  it("lets the exporter's monitor login read the lead metrics through its own Role's groups", () => {
    const monitor = ofType(prod, "postgresql:index/role:Role").find((r) => r.inputs.name === "freshplan_monitor")!;
    expect(monitor.inputs.roles).to.deep.equal(["freshplan_journal_monitor", "freshplan_lead_monitor"]);
    expect(monitor.dependencies.some((urn) => urn.endsWith("JournalMigrations::journal-migrations"))).to.equal(true);
    // a GrantRole next to a Role's authoritative `roles` would be revoked on the next update
    expect(ofType(prod, "postgresql:index/grantRole:GrantRole")).to.deep.equal([]);
  });

  it("writes each login's connection into its own Secret", () => {
    for (const [secret, user] of [
      ["freshplan-leads-crm", "freshplan_leads_crm"],
      ["freshplan-leads-scanner", "freshplan_leads_scanner"],
    ]) {
      expect(named(prod, "kubernetes:core/v1:Secret", secret).inputs.stringData).to.deep.equal({
        PGHOST: "freshplan-db.freshplan-production.svc",
        PGPORT: "5432",
        PGDATABASE: "freshplan",
        PGUSER: user,
        PGSSLMODE: "require",
        PGPASSWORD: SECRET_PLACEHOLDER,
      });
    }
  });

  it("syncs each territory's time zone with the migrations", () => {
    const [migrations] = ofType(prod, "pulumi-nodejs:dynamic/freshplan:JournalMigrations");
    expect(migrations.inputs.leadTerritoryZones).to.deep.equal({
      DE: "Europe/Berlin",
      CH: "Europe/Zurich",
      AT: "Europe/Vienna",
    });
  });

  it(
    "scans every 5 minutes as the scanner, " + "under the restricted Pod Security Standard, one run at a time",
    async () => {
      const cron: RecordedResource = named(prod, "kubernetes:batch/v1:CronJob", "freshplan-lead-scan");
      await validateAgainstSchema({ apiVersion: "batch/v1", kind: "CronJob", ...cron.inputs });
      const spec = cron.inputs.spec as any;
      expect(spec).to.include({ schedule: LEAD_SCAN_SCHEDULE, concurrencyPolicy: "Forbid" });
      const runs = CronExpressionParser.parse(spec.schedule, {
        currentDate: new Date("2026-03-06T09:00:30Z"),
        tz: "UTC",
      });
      const [a, b] = [runs.next().toDate(), runs.next().toDate()];
      expect((b.getTime() - a.getTime()) / 60_000).to.equal(5);
      // a missed run is skipped within the SLA: next run + starting deadline stays well inside the hour
      expect(5 * 60 + spec.startingDeadlineSeconds + spec.jobTemplate.spec.activeDeadlineSeconds).to.be.below(3600 / 4);
      const pod = spec.jobTemplate.spec.template.spec;
      expect(pod).to.deep.include({ automountServiceAccountToken: false, restartPolicy: "Never" });
      expect(pod.securityContext).to.deep.include({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      const [container] = pod.containers;
      expect(container.securityContext).to.deep.include({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        privileged: false,
        capabilities: { drop: ["ALL"] },
      });
      expect(container.envFrom).to.deep.equal([{ secretRef: { name: "freshplan-leads-scanner" } }]);
      expect(container.command.join(" ")).to.contain("lead_protection.run_scan(now())").and.contain("ON_ERROR_STOP=1");
      expect(container.image).to.match(/^postgres:\d+/);
      expect(cron.dependencies.some((urn) => urn.endsWith("::freshplan-leads-scanner"))).to.equal(true);
    },
  );
});
