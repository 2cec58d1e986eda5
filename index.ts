/**
 * freshplan-scaling: territory- and season-aware autoscaling for the FreshFoodz CRM.
 *
 * Stack config → validated model → scaling plan → resources. Nothing is registered before the
 * whole config has been validated.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AlertRules, checkedAlertRuleGroups } from "./components/alert-rules";
import { EventJournal } from "./components/event-journal";
import { KedaInstall } from "./components/keda-install";
import { planDate, readFreshplanConfig } from "./components/stack-config";
import { TerritoryWorkload } from "./components/territory-workload";
import { capacityWarnings } from "./model/capacity-forecast";
import { buildJournalPlan } from "./model/journal-plan";
import { buildScalingPlan } from "./model/scaling-plan";
import { namespaceManifest } from "./model/workload-manifests";

const config = readFreshplanConfig();
const plan = buildScalingPlan(config, planDate());
const journalPlan = buildJournalPlan(config);
const alertGroups = checkedAlertRuleGroups(config, plan);
// Read before any resource exists: a missing secret stops the run with Pulumi's own hint.
const journalAdminPassword = journalPlan && new pulumi.Config().requireSecret("journalAdminPassword");
for (const notice of plan.notices) pulumi.log.warn(notice);
for (const warning of capacityWarnings(config, planDate())) pulumi.log.warn(warning);

const namespace = new k8s.core.v1.Namespace("freshplan", { metadata: namespaceManifest(plan.namespace).metadata });
const keda = new KedaInstall("keda", { keda: plan.keda });
const journal = journalPlan && new EventJournal("journal", { plan: journalPlan, config, adminPassword: journalAdminPassword!, namespace, keda: keda.release });
const workloads = plan.workloads.map((scaling) => ({
  scaling,
  resources: new TerritoryWorkload(scaling.name, {
    scaling,
    namespace,
    keda: keda.release,
    prerequisites: journal && scaling.credentialsSecret ? [journal.credentialSecrets[scaling.credentialsSecret]] : [],
  }),
}));
const alerts = new AlertRules("freshplan-alerts", { config, groups: alertGroups, namespace });

export const workloadNamespace = namespace.metadata.name;
export const kedaNamespace = keda.release.namespace;
export const prometheusRule = alerts.prometheusRule.metadata.name;
/** Per territory and workload: the Deployment and ScaledObject names ops use with kubectl. */
export const territoryWorkloads = Object.fromEntries(
  Object.keys(config.territories).map((territory) => [
    territory,
    Object.fromEntries(
      workloads
        .filter((w) => w.scaling.territory === territory)
        .map((w) => [w.scaling.workload, { deployment: w.resources.deployment.metadata.name, scaledObject: w.resources.scaledObject.metadata.name }]),
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
