/** The whole plan of a stack from one validated config and one instant: what the program and every CLI work from. */
import { alertRuleGroups, ruleSyntaxProblems } from "./alerts/rules";
import type { RuleGroup } from "./alerts/rule-types";
import { capacityWarnings } from "./capacity/forecast";
import type { FreshplanConfig } from "./config/schema";
import { linkAlertsToDashboards } from "./dashboards/alert-links";
import { GeneratedDashboard, buildDashboards } from "./dashboards/dashboards";
import { JournalPlan, buildJournalPlan } from "./journal/plan";
import type { Manifest } from "./keda/types";
import { alertmanagerConfigFile, alertmanagerConfigManifest } from "./routing/alertmanager";
import { ScalingPlan, buildScalingPlan } from "./scaling/plan";

export interface StackPlan {
  readonly config: FreshplanConfig;
  /** The instant one-off campaigns are judged at: read from the clock once per run. */
  readonly now: Date;
  readonly scaling: ScalingPlan;
  /** Undefined when the stack has no `journal` key. */
  readonly journal?: JournalPlan;
  /** Alert rules, each with a `dashboard_url` to the panel that explains it. */
  readonly alertGroups: readonly RuleGroup[];
  readonly dashboards: readonly GeneratedDashboard[];
  /** Alertmanager routing of the alerts, when the stack has `alertRouting`: the plain file and the optional AlertmanagerConfig. */
  readonly routing?: { readonly file: string; readonly alertmanagerConfig?: Manifest };
  /** Rule expressions that do not parse as PromQL; any of them stops the program before a resource exists. */
  readonly alertProblems: readonly string[];
  /** What ops should act on that does not block a deploy: campaigns that ended or lie far ahead, capacity. */
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
    alertGroups,
    dashboards,
    routing: config.alertRouting && { file: alertmanagerConfigFile(config, alertGroups)!, alertmanagerConfig: alertmanagerConfigManifest(config, alertGroups) },
    alertProblems: ruleSyntaxProblems(alertGroups),
    warnings: [...scaling.notices, ...capacityWarnings(config, now)],
  };
}
