/**
 * Lead protection as the stack provisions it, in the journal's database: the CRM's and the
 * scanner's login roles with their Secrets, the exporter's membership of the lead monitor group,
 * each territory's time zone for lead_protection.territory, and the scan CronJob.
 *
 * Least privilege, as for the journal: the migrations (V10 and later) create three NOLOGIN groups with
 * exactly the grants each job needs; the stack creates LOGIN roles and makes each a member of one.
 * - the CRM records claims, progress, holds, extensions, conversions and sent reminders;
 * - the scan CronJob runs lead_protection.run_scan and nothing else;
 * - postgres_exporter's existing monitor login also joins the lead monitor group, so one exporter
 *   publishes both the journal and the lead-protection metrics.
 */
import type { FreshplanConfig, JournalConfig } from "../config/schema";
import { MANAGED_LABELS } from "../conventions";
import type { Manifest } from "../keda/types";
import { RESTRICTED_CONTAINER } from "../kubernetes/pod-security";
import { libpqEnvironment, monitorLogin } from "../journal/logins";

export const LEAD_GROUPS = {
  crm: "freshplan_lead_crm",
  scanner: "freshplan_lead_scanner",
  monitor: "freshplan_lead_monitor",
} as const;

export interface LeadLogin {
  readonly role: string;
  readonly group: "crm" | "scanner";
  /** Kubernetes Secret with the role's libpq variables (PGHOST … PGPASSWORD). */
  readonly secretName: string;
}

export const LEAD_SCAN_CRONJOB = "freshplan-lead-scan";
/** Every 5 minutes: a reminder is created at most ~5 minutes after it falls due, well inside the hour. */
export const LEAD_SCAN_SCHEDULE = "*/5 * * * *";
/** The transaction's now() is the scan's explicit as_of. */
export const LEAD_SCAN_SQL = "SELECT * FROM lead_protection.run_scan(now())";

export interface LeadProtectionPlan {
  readonly connection: Omit<JournalConfig, "worker" | "drainTerritories" | "leadScanImage">;
  readonly namespace: string;
  readonly logins: readonly LeadLogin[];
  /** Login that postgres_exporter signs in as; also a member of LEAD_GROUPS.monitor (components/event-journal.ts). */
  readonly exporterRole: string;
  /** Territory code → IANA time zone, for lead_protection.territory. */
  readonly territoryTimeZones: Readonly<Record<string, string>>;
  readonly scanImage: string;
}

export const leadCrmLogin = (): LeadLogin => ({
  role: "freshplan_leads_crm",
  group: "crm",
  secretName: "freshplan-leads-crm",
});
export const leadScannerLogin = (): LeadLogin => ({
  role: "freshplan_leads_scanner",
  group: "scanner",
  secretName: "freshplan-leads-scanner",
});

/** Territory code → time zone from the stack config (territories.<CODE>.timeZone). */
export function territoryTimeZones(config: FreshplanConfig): Record<string, string> {
  return Object.fromEntries(Object.entries(config.territories).map(([code, t]) => [code, t.timeZone]));
}

/** Lead protection shares the journal's database, so it exists exactly when the journal does. */
export function buildLeadProtectionPlan(config: FreshplanConfig): LeadProtectionPlan | undefined {
  if (!config.journal) return undefined;
  const { worker: _worker, drainTerritories: _drained, leadScanImage, ...connection } = config.journal;
  return {
    connection,
    namespace: config.namespace,
    logins: [leadCrmLogin(), leadScannerLogin()],
    exporterRole: monitorLogin().role,
    territoryTimeZones: territoryTimeZones(config),
    scanImage: leadScanImage,
  };
}

/** The libpq environment of a lead-protection login (the password is added by the component, as a secret). */
export function leadConnectionEnvironment(plan: LeadProtectionPlan, login: LeadLogin): Record<string, string> {
  return libpqEnvironment(plan.connection, login.role);
}

const labels = { "app.kubernetes.io/name": LEAD_SCAN_CRONJOB, ...MANAGED_LABELS };
const UID = 10001;

/** The scan: psql as the scanner login, under the restricted Pod Security Standard. */
export function leadScanCronJobManifest(plan: LeadProtectionPlan): Manifest {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: LEAD_SCAN_CRONJOB, namespace: plan.namespace, labels },
    spec: {
      schedule: LEAD_SCAN_SCHEDULE,
      timeZone: "Etc/UTC",
      // Scans are serialised in the database anyway; Forbid keeps a slow one from piling up pods.
      concurrencyPolicy: "Forbid",
      // A run missed by more than two minutes is skipped: the next one comes three minutes later.
      startingDeadlineSeconds: 120,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 1,
          activeDeadlineSeconds: 240,
          ttlSecondsAfterFinished: 3600,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: "Never",
              automountServiceAccountToken: false,
              securityContext: {
                runAsNonRoot: true,
                runAsUser: UID,
                runAsGroup: UID,
                seccompProfile: { type: "RuntimeDefault" },
              },
              containers: [
                {
                  name: "scan",
                  image: plan.scanImage,
                  command: ["psql", "--no-psqlrc", "--set=ON_ERROR_STOP=1", "--command", LEAD_SCAN_SQL],
                  envFrom: [{ secretRef: { name: leadScannerLogin().secretName } }],
                  // psql looks for ~/.pgpass and history under HOME; the root filesystem is read-only.
                  env: [{ name: "HOME", value: "/tmp" }],
                  resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
                  securityContext: RESTRICTED_CONTAINER,
                  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                },
              ],
              volumes: [{ name: "tmp", emptyDir: { sizeLimit: "16Mi" } }],
            },
          },
        },
      },
    },
  };
}
