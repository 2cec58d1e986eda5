/**
 * The stack's Grafana dashboards, generated from the plan: a new territory, season or threshold appears on them without
 * edits.
 */
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import type { FreshplanConfig } from "../config/schema";
import type { JournalPlan } from "../journal/plan";
import type { ScalingPlan } from "../scaling/plan";
import { businessKpisDashboard } from "./business-kpis";
import { costDashboard } from "./cost";
import { eventJournalDashboard } from "./event-journal";
import { DashboardSpec, buildDashboard } from "./panels";
import { scalingDashboard } from "./scaling";
import { territoryOverview } from "./territory-overview";

export interface GeneratedDashboard {
  readonly spec: DashboardSpec;
  /** The Grafana dashboard model as the SDK builds it; what the ConfigMaps and the plan files carry. */
  readonly dashboard: Dashboard;
}

export function buildDashboards(
  config: FreshplanConfig,
  scaling: ScalingPlan,
  journal: JournalPlan | undefined,
  now: Date,
): GeneratedDashboard[] {
  const specs = [
    territoryOverview(config, scaling),
    scalingDashboard(config, scaling, journal),
    eventJournalDashboard(config),
    businessKpisDashboard(config),
    costDashboard(config, scaling, now),
  ];
  return specs.map((spec) => ({ spec, dashboard: buildDashboard(spec) }));
}

/** The JSON Grafana imports, stable across runs (two plans diff cleanly). */
export const dashboardJson = (d: GeneratedDashboard) => `${JSON.stringify(d.dashboard, null, 2)}\n`;
