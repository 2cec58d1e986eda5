/** Reads a vendored KEDA chart (directory or .tgz) and holds its Chart.yaml to the pinned `keda.chartVersion`. */
import * as fs from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";

export interface ChartMetadata {
  readonly name?: string;
  readonly version?: string;
}

const TAR_BLOCK = 512;

/** Chart.yaml at the top of a chart archive (`keda/Chart.yaml`), as `helm package` writes it. */
function chartYamlInArchive(file: string): string | undefined {
  const tar = gunzipSync(fs.readFileSync(file));
  for (let offset = 0; offset + TAR_BLOCK <= tar.length;) {
    const header = tar.subarray(offset, offset + TAR_BLOCK);
    const name = header.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    if (name === "") return undefined; // end-of-archive marker
    const size = parseInt(header.subarray(124, 136).toString("utf8").replace(/\0.*$/s, "").trim() || "0", 8);
    const body = offset + TAR_BLOCK;
    // Only the chart's own Chart.yaml, not those of its subcharts (keda/charts/x/Chart.yaml).
    if (/^[^/]+\/Chart\.yaml$/.test(name)) return tar.subarray(body, body + size).toString("utf8");
    offset = body + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
  }
  return undefined;
}

/** The name and version a vendored chart declares; throws when the path holds no chart. */
export function vendoredChartMetadata(chartPath: string, projectDir = process.cwd()): ChartMetadata {
  const resolved = path.resolve(projectDir, chartPath);
  if (!fs.existsSync(resolved)) throw new Error(`keda.chartPath = "${chartPath}": ${resolved} does not exist`);
  const text = fs.statSync(resolved).isDirectory()
    ? fs.existsSync(path.join(resolved, "Chart.yaml"))
      ? fs.readFileSync(path.join(resolved, "Chart.yaml"), "utf8")
      : undefined
    : chartYamlInArchive(resolved);
  if (text === undefined)
    throw new Error(
      `keda.chartPath = "${chartPath}": no Chart.yaml found ` +
        `(expected a chart directory or a .tgz from 'helm pull' / 'helm package')`,
    );
  const meta = (parse(text) ?? {}) as Record<string, unknown>;
  return {
    name: meta.name === undefined ? undefined : String(meta.name),
    version: meta.version === undefined ? undefined : String(meta.version),
  };
}

/**
 * Why a vendored chart cannot be installed as configured, or undefined. Helm installs a local chart
 * at whatever version its Chart.yaml declares and ignores `version`, so the pin is only real when
 * the vendored chart is the pinned version of kedacore's `keda` chart.
 */
export function vendoredChartProblem(
  chartPath: string,
  chartVersion: string,
  projectDir = process.cwd(),
): string | undefined {
  let meta: ChartMetadata;
  try {
    meta = vendoredChartMetadata(chartPath, projectDir);
  } catch (e) {
    return (e as Error).message;
  }
  if (meta.name !== "keda")
    return `keda.chartPath = "${chartPath}": the chart is "${meta.name ?? "(no name)"}", expected kedacore's "keda"`;
  if (meta.version !== chartVersion) {
    return (
      `keda.chartPath = "${chartPath}": the chart is version ${meta.version ?? "(none)"} ` +
      `but keda.chartVersion pins ${chartVersion}; ` +
      `vendor ${chartVersion} ('helm pull kedacore/keda --version ${chartVersion}') or change the pin`
    );
  }
  return undefined;
}
