/**
 * Building blocks every dashboard shares: the datasource variable, panels with unit and thresholds, stable ids for
 * alert links.
 */
import * as cog from "@grafana/grafana-foundation-sdk/cog";
import {
  AnnotationQueryBuilder,
  CustomVariableBuilder,
  DashboardBuilder,
  DatasourceVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type Dashboard,
  type Panel,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanel } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TimeseriesPanel } from "@grafana/grafana-foundation-sdk/timeseries";
import {
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  VizLegendOptionsBuilder,
} from "@grafana/grafana-foundation-sdk/common";
import { MANAGED_LABELS } from "../conventions";

/** Name of the datasource variable: every panel and annotation queries `${datasource}`. */
export const DATASOURCE_VARIABLE = "datasource";
export const DATASOURCE = { type: "prometheus", uid: `\${${DATASOURCE_VARIABLE}}` };

/** A threshold step: from `value` on, the colour applies; the first step starts at -∞ (value null). */
export interface ThresholdStep {
  readonly value: number | null;
  readonly color: string;
}

export interface PanelQuery {
  readonly expr: string;
  readonly legend: string;
}

export interface PanelSpec {
  /** Stable within its dashboard: alert links point at it. */
  readonly id: number;
  /** What an alert link refers to, e.g. `p95:queries`. */
  readonly key: string;
  readonly title: string;
  readonly description: string;
  /** A Grafana unit id (`reqps`, `s`, `percentunit`, …) or a custom `suffix:<text>`. */
  readonly unit: string;
  readonly kind: "timeseries" | "stat";
  readonly queries: readonly PanelQuery[];
  readonly thresholds?: readonly ThresholdStep[];
  readonly min?: number;
  readonly max?: number;
  readonly width?: number;
}

export interface DashboardRow {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

export interface CustomVariable {
  readonly name: string;
  readonly label: string;
  readonly values: readonly string[];
  /** With "All": the regex the variable stands for. */
  readonly allValue?: string;
}

export interface DashboardSpec {
  /** File and ConfigMap name part, e.g. `territory-overview`. */
  readonly name: string;
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly variables: readonly CustomVariable[];
  readonly annotations: readonly { name: string; expr: string; titleFormat: string; color: string }[];
  readonly rows: readonly DashboardRow[];
}

/** Threshold steps: green below the first line, then the given colours. */
export const thresholdSteps = (...lines: [value: number, color: string][]): ThresholdStep[] => [
  { value: null, color: "green" },
  ...lines.map(([value, color]) => ({ value, color })),
];

function panelBuilder(spec: PanelSpec): cog.Builder<Panel> {
  const targets = spec.queries.map((q, i) =>
    new DataqueryBuilder()
      .refId(String.fromCharCode(65 + i))
      .datasource(DATASOURCE)
      .expr(q.expr)
      .legendFormat(q.legend),
  );
  const common = <T extends TimeseriesPanel | StatPanel>(b: T): T => {
    b.id(spec.id)
      .title(spec.title)
      .description(spec.description)
      .unit(spec.unit)
      .datasource(DATASOURCE)
      .span(spec.width ?? 12)
      .height(8);
    for (const t of targets) b.withTarget(t);
    if (spec.thresholds)
      b.thresholds(
        new ThresholdsConfigBuilder()
          .mode(ThresholdsMode.Absolute)
          .steps(spec.thresholds.map((s) => ({ value: s.value, color: s.color }))),
      );
    if (spec.min !== undefined) b.min(spec.min);
    if (spec.max !== undefined) b.max(spec.max);
    return b;
  };
  if (spec.kind === "stat") return common(new StatPanel());
  const panel = common(new TimeseriesPanel()).legend(
    new VizLegendOptionsBuilder()
      .displayMode(LegendDisplayMode.List)
      .placement(LegendPlacement.Bottom)
      .showLegend(true)
      .calcs([]),
  );
  // Thresholds drawn as lines, so a budget or an alert threshold is visible next to the series.
  if (spec.thresholds)
    panel.thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Line));
  return panel;
}

/** The dashboard JSON, built with the Grafana Foundation SDK's typed builders. */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([MANAGED_LABELS["app.kubernetes.io/part-of"]])
    .time(spec.time)
    .refresh("1m")
    .timezone("browser")
    .readonly()
    .withVariable(new DatasourceVariableBuilder(DATASOURCE_VARIABLE).label("Prometheus").type("prometheus"));
  for (const v of spec.variables) {
    const variable = new CustomVariableBuilder(v.name).label(v.label).values(v.values.join(","));
    if (v.allValue !== undefined)
      variable.includeAll(true).allValue(v.allValue).current({ text: "All", value: "$__all" });
    else variable.current({ text: v.values[0] ?? "", value: v.values[0] ?? "" });
    builder.withVariable(variable);
  }
  for (const a of spec.annotations) {
    builder.annotation(
      new AnnotationQueryBuilder()
        .name(a.name)
        .datasource(DATASOURCE)
        .enable(true)
        .iconColor(a.color)
        .expr(a.expr)
        .titleFormat(a.titleFormat)
        .step("60s"),
    );
  }
  spec.rows.forEach((row, i) => {
    // Row ids sit above every panel id, so they never collide with an alert link target.
    builder.withRow(new RowBuilder(row.title).id(1000 + i));
    for (const p of row.panels) builder.withPanel(panelBuilder(p));
  });
  return builder.build();
}

/** Every panel of a spec, row by row. */
export const panelsOf = (spec: DashboardSpec): PanelSpec[] => spec.rows.flatMap((r) => r.panels);
