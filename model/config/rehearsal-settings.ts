/**
 * The `freshplan-scaling:rehearsal` stack config key: the daily load shape and the capacity model `npm run rehearse`
 * replays.
 */
import { z } from "zod";
import { between } from "./fields";

const weight = between(0, 1, "a load weight (share of the day's peak)");
const day = z
  .array(weight, { error: "24 hourly weights (00:00 … 23:00 local)" })
  .length(24, { error: "exactly 24 hourly weights (00:00 … 23:00 local)" });

/**
 * A B2B CRM's day: the sales force logs in from 07:00, peaks mid-morning and after lunch, and is
 * gone by 19:00; weekends see a few office and back-office users. Weights are shares of the
 * working day's peak (baselinePeakRps × the season's multiplier), each holding for its hour.
 */
export const DEFAULT_DAILY_PROFILE = {
  workday: [
    0.05, 0.04, 0.04, 0.04, 0.05, 0.08, 0.15, 0.45, 0.85, 1, 1, 0.95, 0.7, 0.85, 0.95, 0.9, 0.8, 0.6, 0.35, 0.2, 0.12,
    0.08, 0.06, 0.05,
  ],
  weekend: [
    0.04, 0.03, 0.03, 0.03, 0.03, 0.04, 0.06, 0.1, 0.15, 0.2, 0.22, 0.22, 0.18, 0.18, 0.2, 0.2, 0.18, 0.15, 0.12, 0.1,
    0.08, 0.06, 0.05, 0.04,
  ],
};

export const rehearsalSettingsSchema = z.strictObject({
  dailyProfile: z.strictObject({ workday: day, weekend: day }).default(DEFAULT_DAILY_PROFILE),
  /**
   * The load per pod, as a multiple of targetRpsPerReplica, at which its p95 reaches the budget:
   * the headroom the target was chosen with (the HPA holds up to 10 % above target within its tolerance).
   */
  budgetAtTargetMultiple: between(1, 3, "a multiple of targetRpsPerReplica").default(1.25),
  /** A pod's utilisation at that load; sets how steeply p95 climbs towards saturation (M/M/1-like). */
  utilisationAtBudget: between(0.5, 0.95, "a utilisation").default(0.8),
});

export type RehearsalSettings = z.infer<typeof rehearsalSettingsSchema>;
export type DailyProfile = RehearsalSettings["dailyProfile"];
