/**
 * freshplan-scaling: territory- and season-aware autoscaling for the FreshFoodz CRM.
 *
 * Stack config → validated stack plan → resources. Nothing is registered before the whole config
 * has been validated and every alert expression parses.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AlertRouting } from "./components/alert-routing";
import { AlertRules } from "./components/alert-rules";
import { Dashboards } from "./components/dashboards";
import { EventJournal } from "./components/event-journal";
import { KedaInstall } from "./components/keda-install";
import { manifestArgs } from "./components/manifest-args";
import { TerritoryWorkload } from "./components/territory-workload";
import { namespaceManifest } from "./model/kubernetes/pod-security";
import { readStackPlan } from "./program/stack-config";

const plan = readStackPlan();
const { config, scaling, journal: journalPlan } = plan;
// Read before any resource exists: a missing secret stops the run with Pulumi's own hint.
const journalAdminPassword = journalPlan && new pulumi.Config().requireSecret("journalAdminPassword");
for (const warning of plan.warnings) pulumi.log.warn(warning);

const namespace = new k8s.core.v1.Namespace("freshplan", manifestArgs(namespaceManifest(scaling.namespace)));
const keda = new KedaInstall("keda", { keda: scaling.keda });
const journal =
  journalPlan &&
  new EventJournal("journal", {
    plan: journalPlan,
    leadPlan: plan.leadProtection!,
    config,
    adminPassword: journalAdminPassword!,
    namespace,
    keda: keda.release,
  });
const workloads = scaling.workloads.map((w) => ({
  scaling: w,
  resources: new TerritoryWorkload(w.name, {
    scaling: w,
    namespace,
    keda: keda.release,
    prerequisites: journal && w.credentialsSecret ? [journal.credentialSecrets[w.credentialsSecret]] : [],
  }),
}));
const alerts = new AlertRules("freshplan-alerts", { config, groups: plan.alertGroups, namespace });
const dashboards = new Dashboards("freshplan-dashboards", { config, dashboards: plan.dashboards, namespace });
new AlertRouting("freshplan-alert-routing", { alertmanagerConfig: plan.routing?.alertmanagerConfig, namespace });

export const workloadNamespace = namespace.metadata.name;
export const kedaNamespace = keda.release.namespace;
export const prometheusRule = alerts.prometheusRule.metadata.name;
/** ConfigMaps the Grafana sidecar loads the dashboards from. */
export const dashboardConfigMaps = dashboards.configMaps.map((c) => c.metadata.name);
/** Per territory and workload: the Deployment and ScaledObject names ops use with kubectl. */
export const territoryWorkloads = Object.fromEntries(
  Object.keys(config.territories).map((territory) => [
    territory,
    Object.fromEntries(
      workloads
        .filter((w) => w.scaling.territory === territory)
        .map((w) => [
          w.scaling.workload,
          { deployment: w.resources.deployment.metadata.name, scaledObject: w.resources.scaledObject.metadata.name },
        ]),
    ),
  ]),
);
/** Journal logins: role, the Secret holding its connection, and its password (a secret output). */
export const journalLogins = journalPlan?.logins.map((login) => ({
  role: login.role,
  group: login.group,
  secret: login.secretName,
  password: journal!.passwords[login.role],
}));
export const journalAppliedMigrations = journal?.migrations.appliedVersions;
