/**
 * The one place the program reads stack config: every `freshplan-scaling:*` key at once, so that
 * unknown keys are caught and all problems are reported together, before any resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../model/config-issues";
import { FreshplanConfig } from "../model/config-schema";
import { rawConfigFromEntries, validateConfig } from "../model/config-validation";

export function readFreshplanConfig(): FreshplanConfig {
  try {
    return validateConfig(rawConfigFromEntries(pulumi.runtime.allConfig()), `stack "${pulumi.getStack()}" config`);
  } catch (e) {
    // RunError prints the message without a stack trace: the message is the whole story.
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

/**
 * The instant at which one-off campaigns are judged (ended, active, ahead). The offline plan pins
 * it with FRESHPLAN_PLAN_DATE to show a config as of another day; a deploy uses the clock.
 */
export function planDate(): Date {
  const pinned = process.env.FRESHPLAN_PLAN_DATE;
  if (!pinned) return new Date();
  const date = new Date(pinned);
  if (Number.isNaN(date.getTime())) throw new pulumi.RunError(`FRESHPLAN_PLAN_DATE = "${pinned}": expected an ISO date such as 2026-09-01`);
  return date;
}
