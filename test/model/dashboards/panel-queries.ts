/** Panel queries of the generated dashboards as Grafana would send them: variables substituted, selectors listed. */
import { parser } from "@prometheus-io/lezer-promql";
import type { GeneratedDashboard } from "../../../model/dashboards/dashboards";
import type { PanelSpec } from "../../../model/dashboards/panels";

export interface QueryOfPanel {
  readonly dashboard: string;
  readonly panel: PanelSpec;
  readonly legend: string;
  readonly expr: string;
}

/** Every target of every panel, read from the built dashboard JSON (what Grafana gets), not from the spec. */
export function panelQueries(dashboards: readonly GeneratedDashboard[]): QueryOfPanel[] {
  return dashboards.flatMap((d) =>
    (d.dashboard.panels ?? [])
      .filter((p) => p.type !== "row")
      .flatMap((p) => {
        const panel = d.spec.rows.flatMap((r) => r.panels).find((s) => s.id === (p as { id?: number }).id)!;
        return ((p as { targets?: { expr: string; legendFormat: string }[] }).targets ?? []).map((t) => ({
          dashboard: d.spec.name,
          panel,
          legend: t.legendFormat,
          expr: t.expr,
        }));
      }),
  );
}

/** Grafana's substitution of `$name` / `${name}`; longer names first so `$__range_s` is not read as `$__range`. */
export function interpolate(expr: string, values: Readonly<Record<string, string>>): string {
  const names = Object.keys(values).sort((a, b) => b.length - a.length);
  let out = expr;
  for (const name of names) out = out.split(`\${${name}}`).join(values[name]).split(`$${name}`).join(values[name]);
  return out;
}

/** The vector selectors of a query (metric name and matchers, without range or offset). */
export function vectorSelectors(expr: string): string[] {
  const found: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.name === "VectorSelector") found.push(expr.slice(node.from, node.to));
    },
  });
  return found;
}
