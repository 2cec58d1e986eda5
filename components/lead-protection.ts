/**
 * Lead protection in the journal's database: a LOGIN role per job (CRM, scanner) with a generated
 * password and a Kubernetes Secret, CONNECT for the lead groups, and the scan CronJob. Decisions
 * are in model/lead-protection/plan.ts; the schema comes with the journal's migrations (V10 and later),
 * which must have run first. The exporter's login joins the lead monitor group in EventJournal.
 */
import * as k8s from "@pulumi/kubernetes";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { manifestArgs } from "./manifest-args";
import {
  LEAD_GROUPS,
  LeadProtectionPlan,
  leadConnectionEnvironment,
  leadScanCronJobManifest,
  leadScannerLogin,
} from "../model/lead-protection/plan";

export interface LeadProtectionArgs {
  readonly plan: LeadProtectionPlan;
  /** Provider signed in as the journal admin role (which created the lead groups). */
  readonly provider: postgresql.Provider;
  /** The migrations resource: the groups and grants exist once it has run. */
  readonly migrations: pulumi.Resource;
  readonly namespace: k8s.core.v1.Namespace;
}

export class LeadProtection extends pulumi.ComponentResource {
  readonly credentialSecrets: Record<string, k8s.core.v1.Secret> = {};
  /** Generated password per login role (secret outputs). */
  readonly passwords: Record<string, pulumi.Output<string>> = {};
  readonly scanCronJob: k8s.batch.v1.CronJob;

  constructor(name: string, args: LeadProtectionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("freshplan:leads:LeadProtection", name, {}, opts);
    const { plan } = args;
    const afterMigrations = { parent: this, provider: args.provider, dependsOn: [args.migrations] };

    for (const group of Object.values(LEAD_GROUPS)) {
      new postgresql.Grant(
        `${name}-connect-${group}`,
        { database: plan.connection.database, role: group, objectType: "database", privileges: ["CONNECT"] },
        afterMigrations,
      );
    }

    for (const login of plan.logins) {
      const password = new random.RandomPassword(
        `${name}-${login.role}`,
        { length: 32, special: false },
        { parent: this },
      );
      this.passwords[login.role] = pulumi.secret(password.result);
      const role = new postgresql.Role(
        login.role,
        { name: login.role, login: true, password: password.result, roles: [LEAD_GROUPS[login.group]], inherit: true },
        afterMigrations,
      );
      this.credentialSecrets[login.secretName] = new k8s.core.v1.Secret(
        login.secretName,
        {
          metadata: {
            name: login.secretName,
            namespace: plan.namespace,
            labels: { "app.kubernetes.io/part-of": "freshplan" },
          },
          type: "Opaque",
          stringData: { ...leadConnectionEnvironment(plan, login), PGPASSWORD: password.result },
        },
        { parent: this, dependsOn: [args.namespace, role] },
      );
    }

    const cron = leadScanCronJobManifest(plan);
    this.scanCronJob = new k8s.batch.v1.CronJob(cron.metadata.name, manifestArgs<k8s.batch.v1.CronJobArgs>(cron), {
      parent: this,
      dependsOn: [args.namespace, this.credentialSecrets[leadScannerLogin().secretName]],
    });
    this.registerOutputs({});
  }
}
