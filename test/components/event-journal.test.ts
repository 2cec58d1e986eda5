/**
 * The EventJournal component under the SDK's mock runtime: roles, Secrets, migrations, workers and exporter as
 * registered.
 */
import { expect } from "chai";
import { readMigrations } from "../../db/migrations";
import { RecordedResource, StackRun, runStack } from "../../scripts/mock-runtime";
import { SECRET_PLACEHOLDER } from "../../scripts/stack-file";
import { rawStackConfig, stackFile, stackFileFrom, pinPlanDate } from "../support/stack-fixtures";

const ofType = (run: StackRun, type: string) => run.resources.filter((r) => r.type === type);
const named = (run: StackRun, type: string, name: string) =>
  ofType(run, type).find((r) => (r.inputs.metadata as any)?.name === name || r.name === name)!;
const podSpec = (r: RecordedResource) => (r.inputs.spec as any).template.spec;

describe("the event journal under the mock runtime", () => {
  let prod: StackRun;
  pinPlanDate("2026-11-23T00:00:00Z");
  before(async () => {
    prod = await runStack(stackFile("prod"));
  });

  it(
    "creates one login role per job, each only in its journal group (the exporter's also in the lead monitor " +
      "group), with a generated password",
    () => {
      // Lead protection's logins share the database; test/lead-protection/stack.test.ts covers them.
      const journalOnly = (r: RecordedResource) => !String(r.name).includes("lead");
      const roles = ofType(prod, "postgresql:index/role:Role")
        .filter(journalOnly)
        .map((r) => ({ name: r.inputs.name, login: r.inputs.login, roles: r.inputs.roles }));
      expect(roles).to.have.deep.members([
        { name: "freshplan_writer", login: true, roles: ["freshplan_journal_writer"] },
        { name: "freshplan_monitor", login: true, roles: ["freshplan_journal_monitor", "freshplan_lead_monitor"] },
        { name: "freshplan_consumer_de", login: true, roles: ["freshplan_journal_consumer"] },
        { name: "freshplan_consumer_ch", login: true, roles: ["freshplan_journal_consumer"] },
        { name: "freshplan_consumer_at", login: true, roles: ["freshplan_journal_consumer"] },
      ]);
      for (const role of ofType(prod, "postgresql:index/role:Role")) {
        expect(role.inputs.password).to.equal(SECRET_PLACEHOLDER);
        if (journalOnly(role))
          expect(role.inputs.idleInTransactionSessionTimeout, String(role.inputs.name)).to.equal(60_000);
      }
      expect(ofType(prod, "random:index/randomPassword:RandomPassword").filter(journalOnly)).to.have.length(5);
      const grants = ofType(prod, "postgresql:index/grant:Grant")
        .filter(journalOnly)
        .map((g) => `${g.inputs.role}:${g.inputs.objectType}:${(g.inputs.privileges as string[]).join()}`);
      expect(grants).to.have.members([
        "freshplan_journal_writer:database:CONNECT",
        "freshplan_journal_consumer:database:CONNECT",
        "freshplan_journal_monitor:database:CONNECT",
        "public:database:CONNECT",
      ]);
    },
  );

  it("migrates with the files of sql/ as inputs and creates roles only after the migrations", () => {
    const [migrations] = ofType(prod, "pulumi-nodejs:dynamic/freshplan:JournalMigrations");
    const sent = migrations.inputs.migrations as { file: string; checksum: string }[];
    expect(sent.map((m) => `${m.file}:${m.checksum}`)).to.deep.equal(
      readMigrations().map((m) => `${m.file}:${m.checksum}`),
    );
    expect(migrations.inputs.territories).to.deep.equal(["DE", "CH", "AT"]);
    expect((migrations.inputs.connection as any).password).to.equal(SECRET_PLACEHOLDER);
    expect(migrations.inputs.__provider).to.be.a("string").and.contain("exports.handler");
    for (const role of ofType(prod, "postgresql:index/role:Role")) {
      expect(role.dependencies.some((urn) => urn.endsWith("JournalMigrations::journal-migrations"))).to.equal(true);
    }
  });

  it("writes each login's connection into a Secret and points every Deployment at the right one", () => {
    const secret = named(prod, "kubernetes:core/v1:Secret", "freshplan-journal-consumer-de");
    expect(secret.inputs.stringData).to.deep.include({
      PGUSER: "freshplan_consumer_de",
      PGDATABASE: "freshplan",
      PGSSLMODE: "require",
      PGPASSWORD: SECRET_PLACEHOLDER,
    });
    const envFrom = (name: string) => podSpec(named(prod, "kubernetes:apps/v1:Deployment", name)).containers[0].envFrom;
    expect(envFrom("freshplan-api-commands-ch")).to.deep.equal([{ secretRef: { name: "freshplan-journal-writer" } }]);
    expect(envFrom("freshplan-api-queries-ch")).to.deep.equal([
      { secretRef: { name: "freshplan-journal-consumer-ch" } },
    ]);
    expect(envFrom("freshplan-event-worker-at")).to.deep.equal([
      { secretRef: { name: "freshplan-journal-consumer-at" } },
    ]);
  });

  it("scales one event worker per territory on its pending events, with the monitor's TriggerAuthentication", () => {
    const auth = named(prod, "kubernetes:keda.sh/v1alpha1:TriggerAuthentication", "freshplan-journal-monitor");
    expect((auth.inputs.spec as any).secretTargetRef).to.deep.equal([
      { parameter: "password", name: "freshplan-journal-monitor", key: "PGPASSWORD" },
    ]);
    for (const territory of ["de", "ch", "at"]) {
      const so = named(prod, "kubernetes:keda.sh/v1alpha1:ScaledObject", `freshplan-event-worker-${territory}`);
      const spec = so.inputs.spec as any;
      expect(spec.cooldownPeriod).to.equal(120);
      expect(spec.triggers).to.have.length(1);
      expect(spec.triggers[0]).to.deep.include({
        type: "postgresql",
        name: "journal-backlog",
        authenticationRef: { name: "freshplan-journal-monitor" },
      });
      expect(spec.triggers[0].metadata).to.deep.include({
        userName: "freshplan_monitor",
        query: `SELECT integration.pending_event_count('${territory.toUpperCase()}')`,
        targetQueryValue: "500",
      });
      expect(spec.triggers[0].metadata).not.to.have.property("password");
      expect(so.dependencies.some((urn) => urn.endsWith("TriggerAuthentication::freshplan-journal-monitor"))).to.equal(
        true,
      );
    }
    expect(ofType(prod, "kubernetes:core/v1:Service").map((s) => (s.inputs.metadata as any).name)).not.to.include(
      "freshplan-event-worker-de",
    );
  });

  it("runs postgres_exporter as the monitor login with the journal query file, and scrapes it", () => {
    const exporter = named(prod, "kubernetes:apps/v1:Deployment", "freshplan-journal-exporter");
    const container = podSpec(exporter).containers[0];
    expect(container.env).to.deep.include({
      name: "DATA_SOURCE_PASS",
      valueFrom: { secretKeyRef: { name: "freshplan-journal-monitor", key: "PGPASSWORD" } },
    });
    expect(container.env).to.deep.include({
      name: "DATA_SOURCE_USER",
      valueFrom: { secretKeyRef: { name: "freshplan-journal-monitor", key: "PGUSER" } },
    });
    expect(container.args).to.include("--extend.query-path=/etc/postgres-exporter/queries.yaml");
    expect(podSpec(exporter).volumes).to.deep.equal([
      { name: "queries", configMap: { name: "freshplan-journal-exporter-queries" } },
    ]);
    expect(
      named(prod, "kubernetes:core/v1:ConfigMap", "freshplan-journal-exporter-queries").inputs.data,
    ).to.have.property("queries.yaml");
    const scrape = named(prod, "kubernetes:monitoring.coreos.com/v1:PodMonitor", "freshplan-journal-exporter");
    expect((scrape.inputs.spec as any).podMetricsEndpoints[0].port).to.equal("metrics");
  });

  it("exports the journal logins with their passwords as a secret output", () => {
    expect(prod.secretOutputs).to.include("journalLogins");
    expect(prod.secretOutputs).not.to.include("territoryWorkloads");
    expect((prod.outputs.journalLogins as any[]).map((l) => l.secret)).to.include("freshplan-journal-monitor");
  });

  it("provisions no database objects for a stack without a journal", async () => {
    const raw = rawStackConfig("staging");
    delete raw.journal;
    const run = await runStack(stackFileFrom("staging", raw));
    expect(
      run.resources.filter((r) => r.type.startsWith("postgresql:") || r.type.includes("JournalMigrations")),
    ).to.deep.equal([]);
    for (const d of ofType(run, "kubernetes:apps/v1:Deployment"))
      expect(podSpec(d).containers[0]).not.to.have.property("envFrom");
  });

  it("keeps a drained territory's consumer login and event worker, and no longer serves or maps it", async () => {
    const raw = rawStackConfig("prod");
    delete raw.territories.AT;
    for (const season of raw.seasons) delete season.floors.AT;
    raw.journal.drainTerritories = ["AT"];
    const run = await runStack(stackFileFrom("prod", raw));
    const names = (type: string) =>
      ofType(run, type).map((r) => String((r.inputs.metadata as any)?.name ?? r.inputs.name));
    expect(names("postgresql:index/role:Role")).to.include("freshplan_consumer_at");
    expect(names("kubernetes:core/v1:Secret")).to.include("freshplan-journal-consumer-at");
    const deployments = names("kubernetes:apps/v1:Deployment");
    expect(deployments).to.include("freshplan-event-worker-at");
    expect(deployments.filter((d) => d.startsWith("freshplan-api-") && d.endsWith("-at"))).to.deep.equal([]);
    // The database retires AT (enqueue refuses it) and keeps the mapping its consumer drains with.
    const [migrations] = ofType(run, "pulumi-nodejs:dynamic/freshplan:JournalMigrations");
    expect(migrations.inputs.territories).to.deep.equal(["DE", "CH"]);
    expect(Object.keys(migrations.inputs.consumerRoles as object)).to.have.members(["DE", "CH"]);
  });

  it("refuses to drain a territory that is still configured, naming the path", async () => {
    const raw = rawStackConfig("prod");
    raw.journal.drainTerritories = ["AT"];
    const error = await runStack(stackFileFrom("prod", raw)).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.contain(
      'journal.drainTerritories[0] = "AT": expected a territory no longer under territories (AT is still configured',
    );
  });
});
