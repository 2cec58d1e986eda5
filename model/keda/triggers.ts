/** Builders of the KEDA triggers the stack renders: cron floors and Prometheus queries, metadata as strings. */
import type { KedaTrigger } from "./types";

/** A window in cron terms, in a time zone (see scaling/cron-windows.ts). */
export interface CronSchedule {
  readonly start: string;
  readonly end: string;
  readonly timeZone: string;
}

/** Holds `replicas` while the schedule is active: KEDA's cron scaler. */
export function kedaCronTrigger(name: string, schedule: CronSchedule, replicas: number): KedaTrigger {
  return {
    type: "cron",
    name,
    metadata: {
      timezone: schedule.timeZone,
      start: schedule.start,
      end: schedule.end,
      desiredReplicas: String(replicas),
    },
  };
}

export interface PrometheusTriggerOptions {
  readonly serverAddress: string;
  readonly query: string;
  readonly threshold: number;
  readonly metricType: "AverageValue" | "Value";
  /** Whether an empty result reads as 0 (true) or as an error that lets KEDA's fallback act (false). */
  readonly ignoreNullValues: boolean;
}

export function kedaPrometheusTrigger(name: string, o: PrometheusTriggerOptions): KedaTrigger {
  return {
    type: "prometheus",
    name,
    metricType: o.metricType,
    metadata: {
      serverAddress: o.serverAddress,
      query: o.query,
      threshold: String(o.threshold),
      ignoreNullValues: String(o.ignoreNullValues),
    },
  };
}
