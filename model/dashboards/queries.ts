/**
 * PromQL of the dashboard panels: the alerts' series and names, selected by dashboard variables, and config values as
 * series.
 */
import type { WorkloadName } from "../config/schema";
import { RECORDING_RULES, apiWorkloadName, kedaHpaName } from "../conventions";
import { promNumber, promString } from "../prometheus/promql";

/** Variable references as they appear in panel queries; Grafana substitutes them before querying. */
export const TERRITORY_VARIABLE = "territory";
export const SCALED_OBJECT_VARIABLE = "scaledobject";
export const TERRITORY = `$${TERRITORY_VARIABLE}`;
export const SCALED_OBJECT = `$${SCALED_OBJECT_VARIABLE}`;
/** Grafana's range of the time picker, as a duration and in seconds. */
export const RANGE = "$__range";
export const RANGE_SECONDS = "$__range_s";

/** Series of the API recording rules of the selected territory. */
export const recorded = (metric: string, workload: WorkloadName) =>
  `${metric}{territory="${TERRITORY}",workload=${promString(workload)}}`;
export const recordedRps = (workload: WorkloadName) => recorded(RECORDING_RULES.rps, workload);

/**
 * Object names carry the territory in lower case (`freshplan-api-queries-de`) while the variable
 * holds the code (`DE`); a case-insensitive match bridges the two without a second variable.
 */
export const territoryObjectName = (workload: WorkloadName) => `(?i)${apiWorkloadName(TERRITORY, workload)}`;

/** kube-state-metrics' HPA series of the selected territory's workload (KEDA names the HPA). */
export const hpaSeries = (metric: string, namespace: string, workload: WorkloadName) =>
  `${metric}{namespace=${promString(namespace)},` +
  `horizontalpodautoscaler=~${promString(`(?i)${kedaHpaName(apiWorkloadName(TERRITORY, workload))}`)}}`;

/** KEDA's per-trigger series of the selected territory's ScaledObject. */
export const kedaSeries = (metric: string, namespace: string, workload: WorkloadName, scalerRegex?: string) => {
  const scaler = scalerRegex === undefined ? "" : `,scaler=~${promString(scalerRegex)}`;
  const scaledObject = promString(territoryObjectName(workload));
  return `${metric}{namespace=${promString(namespace)},scaledObject=~${scaledObject}${scaler}}`;
};

/** A constant series with the given labels: how config values enter a query. */
export function constantSeries(value: number, labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels).reduce(
    (expr, [name, v]) => `label_replace(${expr}, ${promString(name)}, ${promString(v)}, "", "")`,
    `vector(${promNumber(value)})`,
  );
}

/** Only the rows of a territory table that belong to the selected territory. */
const selectedTerritory = `label_replace(vector(1), "territory", "${TERRITORY}", "", "")`;

/**
 * A per-territory config value (a budget, a target) as one series for the selected territory:
 * `(DE's value or CH's value …) and on(territory) <the selected territory>`.
 */
export function territoryValue(values: Readonly<Record<string, number>>): string {
  const table = Object.entries(values).map(([territory, v]) => constantSeries(v, { territory }));
  return `(${table.join(" or ")}) and on(territory) ${selectedTerritory}`;
}

/** Floor of each cron trigger per territory: `{territory, scaler}` → replicas. */
export type FloorTable = readonly { territory: string; scaler: string; floor: number }[];

/**
 * The floor the active cron triggers of the selected territory's workload hold: each active
 * trigger (keda_scaler_active = 1) times its configured floor, the highest wins as in the HPA.
 */
export function activeFloorQuery(namespace: string, workload: WorkloadName, floors: FloorTable): string | undefined {
  if (floors.length === 0) return undefined;
  const table = floors.map((f) => constantSeries(f.floor, { territory: f.territory, scaler: f.scaler })).join(" or ");
  const scalers = [...new Set(floors.map((f) => f.scaler))].join("|");
  return (
    `max(${kedaSeries("keda_scaler_active", namespace, workload, scalers)} * on(scaler) ` +
    `((${table}) and on(territory) ${selectedTerritory}))`
  );
}
