/**
 * KEDA's cron scaler semantics, evaluated on the trigger metadata the stack renders: a trigger is
 * active exactly when its next `end` comes no later than its next `start` (both strictly after
 * the instant, in the trigger's time zone). The HPA takes the max over all triggers, so active
 * cron triggers act as floors, and min/maxReplicaCount clamp the result.
 */
import { CronExpressionParser } from "cron-parser";
import type { CronTriggerMetadata, ScaledObjectSpec } from "./types";

/** The first firing of a 5-field cron strictly after `after`, in the given IANA time zone. */
export function nextFiring(cron: string, timeZone: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { currentDate: after, tz: timeZone }).next().toDate();
}

export function isCronTriggerActive(trigger: CronTriggerMetadata, at: Date): boolean {
  const end = nextFiring(trigger.end, trigger.timezone, at).getTime();
  return end <= nextFiring(trigger.start, trigger.timezone, at).getTime();
}

/** The cron triggers of a ScaledObject with their metadata typed. */
export function cronTriggers(spec: ScaledObjectSpec): { name: string; metadata: CronTriggerMetadata }[] {
  return spec.triggers
    .filter((t) => t.type === "cron")
    .map((t) => ({ name: t.name, metadata: t.metadata as unknown as CronTriggerMetadata }));
}

/** The replica floor the cron triggers hold at an instant, and which triggers are active. */
export function cronFloorAt(spec: ScaledObjectSpec, at: Date): { replicas: number; active: string[] } {
  let floor = spec.minReplicaCount;
  const active: string[] = [];
  for (const t of cronTriggers(spec)) {
    if (isCronTriggerActive(t.metadata, at)) {
      active.push(t.name);
      floor = Math.max(floor, Number(t.metadata.desiredReplicas));
    }
  }
  return { replicas: Math.min(floor, spec.maxReplicaCount), active };
}
