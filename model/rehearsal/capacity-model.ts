/**
 * The capacity model of a rehearsal: p95 latency of a workload as a function of the load on each
 * ready pod, shaped like the sojourn time of one M/M/1 queue, p95 ∝ 1 ÷ (1 − utilisation), and
 * calibrated on two numbers: at `budgetAtTargetMultiple` × targetRpsPerReplica per pod the pod runs
 * at `utilisationAtBudget` and p95 equals the budget. Idle, p95 is (1 − utilisationAtBudget) × the
 * budget; towards saturation it climbs steeply and is capped at 100× that (requests time out).
 */
import type { RehearsalSettings } from "../config/rehearsal-settings";

export type CapacityModel = Pick<RehearsalSettings, "budgetAtTargetMultiple" | "utilisationAtBudget">;

export interface WorkloadCapacity {
  readonly targetRpsPerReplica: number;
  readonly p95BudgetMs: number;
}

/** Requests per second one ready pod serves within the budget. */
export const rpsAtBudget = (w: WorkloadCapacity, model: CapacityModel) =>
  w.targetRpsPerReplica * model.budgetAtTargetMultiple;

const SATURATED = 0.99;
const TIMEOUT_FACTOR = 100;

/** p95 in milliseconds with `rps` spread over `readyPods`; no ready pod is a timeout. */
export function p95Ms(w: WorkloadCapacity, model: CapacityModel, rps: number, readyPods: number): number {
  const idle = w.p95BudgetMs * (1 - model.utilisationAtBudget);
  if (readyPods === 0) return rps > 0 ? idle * TIMEOUT_FACTOR : idle;
  const utilisation = (rps / (readyPods * rpsAtBudget(w, model))) * model.utilisationAtBudget;
  return utilisation >= SATURATED ? idle * TIMEOUT_FACTOR : Math.min(idle / (1 - utilisation), idle * TIMEOUT_FACTOR);
}
