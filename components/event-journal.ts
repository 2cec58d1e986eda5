/**
 * The event journal: migrations and territory sync (dynamic resource), one LOGIN role per journal
 * job with a generated password, CONNECT for the journal groups, a Kubernetes Secret per login for
 * the Deployments that use it, KEDA's TriggerAuthentication for the backlog scaler, and one event
 * worker per territory. Who gets which role is decided in model/journal/.
 */
import * as k8s from "@pulumi/kubernetes";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { readMigrations } from "../db/migrations";
import type { FreshplanConfig } from "../model/config/schema";
import { PART_OF_LABELS } from "../model/conventions";
import {
  journalExporterDeploymentManifest,
  journalExporterPodMonitorManifest,
  journalExporterQueriesManifest,
} from "../model/journal/exporter";
import { JOURNAL_GROUPS, monitorLogin } from "../model/journal/logins";
import { JournalPlan, connectionEnvironment, triggerAuthenticationManifest } from "../model/journal/plan";
import { JournalMigrations } from "./journal-migrations";
import { manifestArgs } from "./manifest-args";
import { TerritoryWorkload } from "./territory-workload";

export interface EventJournalArgs {
  readonly plan: JournalPlan;
  /** Validated stack config (exporter image, scrape settings). */
  readonly config: FreshplanConfig;
  /** Password of the admin role (stack secret `journalAdminPassword`). */
  readonly adminPassword: pulumi.Input<string>;
  readonly namespace: k8s.core.v1.Namespace;
  /** The KEDA install; the TriggerAuthentication is a KEDA custom resource. */
  readonly keda: pulumi.Resource;
}

export class EventJournal extends pulumi.ComponentResource {
  /** Kubernetes Secret per login, by Secret name. */
  readonly credentialSecrets: Record<string, k8s.core.v1.Secret> = {};
  readonly triggerAuthentication: k8s.apiextensions.CustomResource;
  readonly migrations: JournalMigrations;
  /** Generated password per login role (secret outputs). */
  readonly passwords: Record<string, pulumi.Output<string>> = {};
  readonly workers: TerritoryWorkload[];

  constructor(name: string, args: EventJournalArgs, opts?: pulumi.ComponentResourceOptions) {
    super("freshplan:journal:EventJournal", name, {}, opts);
    const { plan } = args;
    const c = plan.connection;

    const provider = new postgresql.Provider(
      `${name}-admin`,
      {
        host: c.host,
        port: c.port,
        database: c.database,
        username: c.adminUser,
        password: args.adminPassword,
        sslmode: c.sslMode,
        superuser: false,
      },
      { parent: this },
    );

    this.migrations = new JournalMigrations(
      `${name}-migrations`,
      {
        connection: pulumi.secret(
          pulumi
            .output(args.adminPassword)
            .apply((password) => ({
              host: c.host,
              port: c.port,
              database: c.database,
              user: c.adminUser,
              password,
              sslMode: c.sslMode,
            })),
        ),
        migrations: readMigrations(),
        territories: plan.territories,
        consumerRoles: plan.consumerRoles,
      },
      { parent: this },
    );
    const afterMigrations = { parent: this, provider, dependsOn: [this.migrations] };

    // The migrations grant the groups their functions and views; CONNECT is per database.
    for (const group of Object.values(JOURNAL_GROUPS)) {
      new postgresql.Grant(
        `${name}-connect-${group}`,
        { database: c.database, role: group, objectType: "database", privileges: ["CONNECT"] },
        afterMigrations,
      );
    }

    for (const login of plan.logins) {
      const password = new random.RandomPassword(
        `${name}-${login.role}`,
        { length: 32, special: false },
        { parent: this },
      );
      // RandomPassword marks `result` secret in the engine; say so here too, so no export can leak it.
      this.passwords[login.role] = pulumi.secret(password.result);
      const role = new postgresql.Role(
        login.role,
        {
          name: login.role,
          login: true,
          password: password.result,
          roles: [JOURNAL_GROUPS[login.group]],
          inherit: true,
        },
        afterMigrations,
      );
      this.credentialSecrets[login.secretName] = new k8s.core.v1.Secret(
        login.secretName,
        {
          metadata: {
            name: login.secretName,
            namespace: plan.namespace,
            labels: { "app.kubernetes.io/part-of": PART_OF_LABELS["app.kubernetes.io/part-of"] },
          },
          type: "Opaque",
          stringData: { ...connectionEnvironment(plan, login), PGPASSWORD: password.result },
        },
        { parent: this, dependsOn: [args.namespace, role] },
      );
    }

    const auth = triggerAuthenticationManifest(plan);
    this.triggerAuthentication = new k8s.apiextensions.CustomResource(
      auth.metadata.name,
      manifestArgs<k8s.apiextensions.CustomResourceArgs>(auth),
      {
        parent: this,
        dependsOn: [args.namespace, args.keda, ...Object.values(this.credentialSecrets)],
      },
    );

    // The journal's metrics: postgres_exporter as the monitor login, with the journal query file.
    const queries = journalExporterQueriesManifest(args.config);
    const queriesMap = new k8s.core.v1.ConfigMap(
      queries.metadata.name,
      manifestArgs<k8s.core.v1.ConfigMapArgs>(queries),
      { parent: this, dependsOn: [args.namespace] },
    );
    const exporter = journalExporterDeploymentManifest(args.config, plan);
    new k8s.apps.v1.Deployment(exporter.metadata.name, manifestArgs<k8s.apps.v1.DeploymentArgs>(exporter), {
      parent: this,
      dependsOn: [args.namespace, queriesMap, this.credentialSecrets[monitorLogin().secretName]],
    });
    const scrape = journalExporterPodMonitorManifest(args.config, plan);
    new k8s.apiextensions.CustomResource(
      scrape.metadata.name,
      manifestArgs<k8s.apiextensions.CustomResourceArgs>(scrape),
      { parent: this, dependsOn: [args.namespace] },
    );

    this.workers = plan.workers.map(
      (worker) =>
        new TerritoryWorkload(
          worker.name,
          {
            scaling: worker,
            namespace: args.namespace,
            keda: args.keda,
            service: false,
            prerequisites: [this.credentialSecrets[worker.credentialsSecret!]],
            scalerPrerequisites: [this.triggerAuthentication],
          },
          { parent: this },
        ),
    );
    this.registerOutputs({ appliedMigrations: this.migrations.appliedVersions });
  }
}
