/** The whole plan of a stack from one validated config and one instant: what the program and every CLI work from. */
import { alertRuleGroups, ruleSyntaxProblems } from "./alerts/rules";
import type { RuleGroup } from "./alerts/rule-types";
import { capacityWarnings } from "./capacity/forecast";
import type { FreshplanConfig } from "./config/schema";
import { linkAlertsToDashboards } from "./dashboards/alert-links";
import { GeneratedDashboard, buildDashboards } from "./dashboards/dashboards";
import { JournalPlan, buildJournalPlan } from "./journal/plan";
import type { Manifest } from "./keda/types";
import { LeadProtectionPlan, buildLeadProtectionPlan } from "./lead-protection/plan";
import { alertmanagerConfigFile, alertmanagerConfigManifest } from "./routing/alertmanager";
import { ineffectiveWindowWarnings } from "./scaling/ineffective-windows";
import { ScalingPlan, buildScalingPlan, singleReplicaWarnings } from "./scaling/plan";

export interface StackPlan {
  readonly config: FreshplanConfig;
  /** The instant one-off campaigns are judged at: read from the clock once per run. */
  readonly now: Date;
  readonly scaling: ScalingPlan;
  /** Undefined when the stack has no `journal` key. */
  readonly journal?: JournalPlan;
  /** Lead protection lives in the journal's database: present exactly when the journal is. */
  readonly leadProtection?: LeadProtectionPlan;
  /** Alert rules, each with a `dashboard_url` to the panel that explains it. */
  readonly alertGroups: readonly RuleGroup[];
  readonly dashboards: readonly GeneratedDashboard[];
  /**
   * Alertmanager routing of the alerts, when the stack has `alertRouting`: the plain file and the optional
   * AlertmanagerConfig.
   */
  readonly routing?: { readonly file: string; readonly alertmanagerConfig?: Manifest };
  /** Rule expressions that do not parse as PromQL; any of them stops the program before a resource exists. */
  readonly alertProblems: readonly string[];
  /**
   * What ops should act on that does not block a deploy: campaigns that ended or lie far ahead, windows that never take
   * effect, capacity.
   */
  readonly warnings: readonly string[];
}

export function buildStackPlan(config: FreshplanConfig, now: Date): StackPlan {
  const scaling = buildScalingPlan(config, now);
  const journal = buildJournalPlan(config);
  const dashboards = buildDashboards(config, scaling, journal, now);
  const alertGroups = linkAlertsToDashboards(config, alertRuleGroups(config, scaling), dashboards);
  return {
    config,
    now,
    scaling,
    journal,
    leadProtection: buildLeadProtectionPlan(config),
    alertGroups,
    dashboards,
    routing: config.alertRouting && {
      file: alertmanagerConfigFile(config, alertGroups)!,
      alertmanagerConfig: alertmanagerConfigManifest(config, alertGroups),
    },
    alertProblems: ruleSyntaxProblems(alertGroups),
    warnings: [
      ...scaling.notices,
      ...ineffectiveWindowWarnings(config, now),
      ...singleReplicaWarnings(scaling),
      ...capacityWarnings(config, now),
    ],
  };
}
