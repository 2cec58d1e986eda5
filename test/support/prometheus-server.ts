/**
 * A real Prometheus server (Debian package `prometheus`) on loopback, scraping exporters the test
 * serves, with the target labels prometheus-operator gives a PodMonitor's targets. A missing binary
 * fails the test with an install hint.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { freePort } from "./free-port";

const INSTALL_HINT =
  "prometheus is not installed: run `apt-get update && apt-get install -y prometheus` " +
  "(Debian package prometheus provides /usr/bin/prometheus)";

/** One sample of an instant vector, as the HTTP API returns it. */
export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

export interface PrometheusServer {
  /** Base URL, e.g. http://127.0.0.1:40123 — what a KEDA prometheus trigger's serverAddress would be. */
  readonly url: string;
  /** Evaluates an instant query now; throws with Prometheus' own error for a bad query. */
  query(expr: string): Promise<Sample[]>;
  /** Active alerts (state pending or firing) as the rule manager holds them. */
  alerts(): Promise<{ labels: Record<string, string>; state: string }[]>;
  /** Waits until every target has been scraped at least `scrapes` times since start. */
  waitForScrapes(scrapes: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
  logTail(): string;
}

export interface StartPrometheusOptions {
  /** `scrape_configs` entries (see podMonitorScrapeConfig). */
  readonly scrapeConfigs: readonly object[];
  /** Rule files (plain `groups:` YAML text) to load. */
  readonly ruleFiles?: readonly string[];
  /** @default "1s" */
  readonly scrapeInterval?: string;
  /** @default "1s" */
  readonly evaluationInterval?: string;
  /**
   * History in OpenMetrics text (timestamps in seconds, ending with `# EOF`), written into the
   * storage with `promtool tsdb create-blocks-from openmetrics` before start: for queries that
   * read further back than a test can wait.
   */
  readonly backfill?: string;
}

/** An exporter served by the test on loopback: `render` is called on every scrape. */
export interface MetricsEndpoint {
  /** host:port, for a scrape config's static target. */
  readonly target: string;
  close(): Promise<void>;
}

export async function serveMetrics(render: () => string): Promise<MetricsEndpoint> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" });
    res.end(render());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface PodTarget {
  /** host:port the exporter listens on. */
  readonly target: string;
  /** Namespace, pod and container of the scraped pod: prometheus-operator sets them as target labels. */
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** Name of the pod's port (the PodMonitor endpoint's `port`). */
  readonly endpoint: string;
  /** Pod labels as Kubernetes service discovery exposes them, for relabelings. */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/**
 * The scrape job prometheus-operator generates for a PodMonitor endpoint, reduced to static targets:
 * job `<namespace>/<podmonitor>` unless relabelled, target labels namespace/pod/container/endpoint,
 * `honor_labels: false` (so an exported `namespace` label becomes `exported_namespace`), then the
 * endpoint's relabelings and metricRelabelings as given.
 */
export function podMonitorScrapeConfig(
  podMonitor: { namespace: string; name: string },
  targets: readonly PodTarget[],
  endpoint: { relabelings?: readonly object[]; metricRelabelings?: readonly object[]; honorLabels?: boolean } = {},
): object {
  const meta = (label: string) => `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;
  return {
    job_name: `podMonitor/${podMonitor.namespace}/${podMonitor.name}/0`,
    honor_labels: endpoint.honorLabels ?? false,
    static_configs: targets.map((t) => ({
      targets: [t.target],
      labels: {
        // Service discovery meta labels: visible to relabelings, dropped before storage.
        ...Object.fromEntries(Object.entries(t.podLabels ?? {}).map(([k, v]) => [meta(k), v])),
        namespace: t.namespace,
        pod: t.pod,
        container: t.container,
        endpoint: t.endpoint,
      },
    })),
    relabel_configs: [
      { target_label: "job", replacement: `${podMonitor.namespace}/${podMonitor.name}` },
      ...(endpoint.relabelings ?? []).map(toPrometheusRelabel),
    ],
    metric_relabel_configs: (endpoint.metricRelabelings ?? []).map(toPrometheusRelabel),
  };
}

/** prometheus-operator's RelabelConfig (camelCase) → Prometheus' relabel_config (snake_case). */
export function toPrometheusRelabel(r: object): object {
  const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [snake(k), v]));
}

function prometheusBinary(): string {
  const found = spawnSync("sh", ["-c", "command -v prometheus"], { encoding: "utf8" });
  const bin = found.stdout.trim();
  if (found.status !== 0 || !bin) throw new Error(INSTALL_HINT);
  return bin;
}

async function getJson(url: string): Promise<{ status: string; data?: unknown; error?: string }> {
  const res = await fetch(url);
  return (await res.json()) as { status: string; data?: unknown; error?: string };
}

export async function startPrometheus(options: StartPrometheusOptions): Promise<PrometheusServer> {
  const bin = prometheusBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-prometheus-"));
  const ruleFiles = (options.ruleFiles ?? []).map((text, i) => {
    const file = path.join(dir, `rules-${i}.yaml`);
    fs.writeFileSync(file, text);
    return file;
  });
  const config = {
    global: {
      scrape_interval: options.scrapeInterval ?? "1s",
      evaluation_interval: options.evaluationInterval ?? "1s",
    },
    rule_files: ruleFiles,
    scrape_configs: options.scrapeConfigs,
  };
  fs.writeFileSync(path.join(dir, "prometheus.yml"), stringify(config));
  if (options.backfill !== undefined) {
    fs.writeFileSync(path.join(dir, "backfill.om"), options.backfill);
    const created = spawnSync(
      "promtool",
      ["tsdb", "create-blocks-from", "openmetrics", "--quiet", path.join(dir, "backfill.om"), path.join(dir, "data")],
      { encoding: "utf8" },
    );
    if (created.error) throw new Error(INSTALL_HINT);
    if (created.status !== 0) throw new Error(`promtool could not backfill: ${created.stdout}${created.stderr}`);
  }
  const port = await freePort();
  const log: string[] = [];
  const child: ChildProcess = spawn(
    bin,
    [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.console.templates=/nonexistent",
      "--web.console.libraries=/nonexistent",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const keep = (chunk: Buffer) => {
    log.push(chunk.toString());
    if (log.length > 200) log.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited = false;
  child.on("exit", () => (exited = true));
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`prometheus exited during start:\n${log.join("")}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready within 20 s:\n${log.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const query = async (expr: string): Promise<Sample[]> => {
    const body = await getJson(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    if (body.status !== "success") throw new Error(`query failed: ${body.error} in ${expr}`);
    const data = body.data as {
      resultType: string;
      result: { metric: Record<string, string>; value: [number, string] }[];
    };
    if (data.resultType !== "vector") throw new Error(`expected a vector from ${expr}, got ${data.resultType}`);
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  };

  return {
    url,
    query,
    async alerts() {
      const body = await getJson(`${url}/api/v1/alerts`);
      return (body.data as { alerts: { labels: Record<string, string>; state: string }[] }).alerts;
    },
    async waitForScrapes(this: PrometheusServer, scrapes, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const counts = await query("count_over_time(up[1h])").catch((): Sample[] => []);
        const targets = await getJson(`${url}/api/v1/targets`);
        const active = (targets.data as { activeTargets: unknown[] }).activeTargets.length;
        if (active > 0 && counts.length >= active && counts.every((c) => c.value >= scrapes)) return;
        if (Date.now() > until) throw new Error(`targets not scraped ${scrapes} times within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    stop,
    logTail: () => log.slice(-30).join(""),
  };
}
