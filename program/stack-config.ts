/**
 * The one place the program reads its inputs: every `freshplan-scaling:*` key at once (so unknown
 * keys are caught and all problems are reported together) and the instant of the run, before any
 * resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../model/config/issues";
import { rawConfigFromEntries, validateConfig } from "../model/config/validate";
import { StackPlan, buildStackPlan } from "../model/stack-plan";

/**
 * The instant at which one-off campaigns are judged (ended, active, ahead). The offline plan pins
 * it with FRESHPLAN_PLAN_DATE to show a config as of another day; a deploy uses the clock.
 */
export function planDate(): Date {
  const pinned = process.env.FRESHPLAN_PLAN_DATE;
  if (!pinned) return new Date();
  const date = new Date(pinned);
  if (Number.isNaN(date.getTime())) {
    throw new pulumi.RunError(`FRESHPLAN_PLAN_DATE = "${pinned}": expected an ISO date such as 2026-09-01`);
  }
  return date;
}

/**
 * The validated stack plan, or a RunError that names every config problem or every alert rule that
 * does not parse. RunError prints the message without a stack trace: the message is the whole story.
 */
export function readStackPlan(): StackPlan {
  let plan: StackPlan;
  try {
    const config = validateConfig(
      rawConfigFromEntries(pulumi.runtime.allConfig()),
      `stack "${pulumi.getStack()}" config`,
    );
    plan = buildStackPlan(config, planDate());
  } catch (e) {
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
  if (plan.alertProblems.length > 0) {
    throw new pulumi.RunError(`alert rules do not parse as PromQL:\n  - ${plan.alertProblems.join("\n  - ")}`);
  }
  return plan;
}
