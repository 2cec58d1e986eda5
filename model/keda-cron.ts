/**
 * KEDA's cron scaler semantics, evaluated on the trigger metadata the stack renders: a trigger is
 * active exactly when its next `end` comes no later than its next `start` (both strictly after
 * the instant, in the trigger's time zone). The HPA takes the max over all triggers, so active
 * cron triggers act as floors, and min/maxReplicaCount clamp the result.
 */
import { CronExpressionParser } from "cron-parser";

export interface CronTriggerMetadata {
  readonly timezone: string;
  readonly start: string;
  readonly end: string;
  readonly desiredReplicas: string;
}

/** The first firing of a 5-field cron strictly after `after`, in the given IANA time zone. */
export function nextFiring(cron: string, timeZone: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { currentDate: after, tz: timeZone }).next().toDate();
}

export function isCronTriggerActive(trigger: CronTriggerMetadata, at: Date): boolean {
  return nextFiring(trigger.end, trigger.timezone, at).getTime() <= nextFiring(trigger.start, trigger.timezone, at).getTime();
}

export interface ScaledObjectFloorInput {
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  readonly triggers: readonly { readonly type: string; readonly name: string; readonly metadata: Readonly<Record<string, string>> }[];
}

/** The replica floor the cron triggers hold at an instant, and which triggers are active. */
export function cronFloorAt(spec: ScaledObjectFloorInput, at: Date): { replicas: number; active: string[] } {
  let floor = spec.minReplicaCount;
  const active: string[] = [];
  for (const t of spec.triggers) {
    if (t.type !== "cron") continue;
    if (isCronTriggerActive(t.metadata as unknown as CronTriggerMetadata, at)) {
      active.push(t.name);
      floor = Math.max(floor, Number(t.metadata.desiredReplicas));
    }
  }
  return { replicas: Math.min(floor, spec.maxReplicaCount), active };
}
