/**
 * The offline plan: `npm run plan -- --stack prod [--out DIR] [--config-file PATH] [--at DATE] [--diff BASE]`.
 * Runs the real program under the mock runtime and writes every Kubernetes object it would send,
 * plus plan.json, without the Pulumi CLI, a cluster or the stack's passphrase.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { stringify } from "yaml";
import { prometheusRuleFile } from "../model/alerts/rules";
import { rawConfigFromEntries, validateConfig } from "../model/config/validate";
import { TERRITORY_LABEL, WORKLOAD_LABEL } from "../model/conventions";
import { DASHBOARDS_APP_NAME } from "../model/dashboards/manifests";
import { alertmanagerConfigFile } from "../model/routing/alertmanager";
import type { ScaledObjectSpec } from "../model/keda/types";
import { diffPeriod, diffPlans } from "../model/plan-diff/plan-diff";
import { buildStackPlan } from "../model/stack-plan";
import { runCli } from "./cli";
import { progressReporter } from "./progress";
import { RecordedResource, StackRun, isKubernetesObject, runStack } from "./mock-runtime";
import { loadPlanBase, planObjectsOf } from "./plan-base";
import { renderPlanDiff } from "./render/plan-diff";
import { textTable } from "./render/text-table";
import { SECRET_PLACEHOLDER, readStackFile, stackFilePath, withSecretPlaceholders } from "./stack-file";

export const PLAN_FILES = [
  "manifests.yaml",
  "helm-releases.yaml",
  "plan.json",
  "prometheus-rules.yaml",
  "alertmanager.yaml",
  "dashboards",
  "plan-diff.md",
];

/**
 * plan.json: only what the config decides, nothing of the run (no date), so two plans of one config
 * are identical. `config` is the raw stack config (secrets as placeholders), so a later diff can
 * compare floors and cost.
 */
export function planSummary(stack: string, run: StackRun, config?: unknown) {
  const scaledObjects = run.resources
    .filter((r) => r.inputs.kind === "ScaledObject")
    .map((r) => {
      const meta = r.inputs.metadata as { name: string; labels: Record<string, string> };
      const spec = r.inputs.spec as ScaledObjectSpec;
      return {
        name: meta.name,
        territory: meta.labels[TERRITORY_LABEL],
        workload: meta.labels[WORKLOAD_LABEL],
        min: spec.minReplicaCount,
        max: spec.maxReplicaCount,
        triggers: spec.triggers,
      };
    });
  return {
    stack,
    resources: run.resources.map((r) => ({ type: r.type, name: r.name })),
    scaledObjects,
    outputs: run.outputs,
    config,
  };
}

// Stable order, so two plans diff cleanly: cluster-wide first, then by kind and name.
const KIND_ORDER = [
  "Namespace",
  "Secret",
  "ConfigMap",
  "Deployment",
  "Service",
  "PodDisruptionBudget",
  "TriggerAuthentication",
  "ScaledObject",
];
function byKindThenName(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const rank = (o: Record<string, unknown>) => {
    const i = KIND_ORDER.indexOf(String(o.kind));
    return i < 0 ? KIND_ORDER.length : i;
  };
  const name = (o: Record<string, unknown>) =>
    `${(o.metadata as { namespace?: string })?.namespace ?? ""}/${(o.metadata as { name?: string })?.name ?? ""}`;
  return rank(a) - rank(b) || String(a.kind).localeCompare(String(b.kind)) || name(a).localeCompare(name(b));
}

async function main() {
  const cli = new Command("plan")
    .description("Render the stack offline: every Kubernetes object, plan.json and a summary")
    .option("--stack <name>", "stack whose Pulumi.<stack>.yaml to use", "prod")
    .option("--out <dir>", "output directory (default out/<stack>)")
    .option("--config-file <path>", "stack config file (default Pulumi.<stack>.yaml)")
    .option("--at <date>", "judge one-off campaigns as of this date (ISO), default now")
    .option(
      "--diff <base>",
      "also print, as Markdown, what changes against a plan directory or a git ref's stack config",
    )
    .parse(process.argv);
  const opts = cli.opts<{ stack: string; out?: string; configFile?: string; at?: string; diff?: string }>();
  const file = opts.configFile ?? stackFilePath(opts.stack);
  const out = opts.out ?? path.join("out", opts.stack);
  const planDate = opts.at ? new Date(opts.at) : new Date();
  if (Number.isNaN(planDate.getTime())) throw new Error(`--at ${opts.at}: expected an ISO date such as 2026-09-01`);
  process.env.FRESHPLAN_PLAN_DATE = planDate.toISOString();

  // Validate first: a bad config writes nothing and names every problem.
  const { file: stackFile, missing: unsetSecrets } = withSecretPlaceholders(readStackFile(opts.stack, file));
  const rawConfig = rawConfigFromEntries(stackFile.entries);
  const config = validateConfig(rawConfig, path.basename(file));
  // The same stack plan the program builds; built here first, it also warms the calendar's caches the
  // program's run then reuses.
  const stackPlan = buildStackPlan(config, planDate);
  const plan = stackPlan.scaling;
  // The SDK records a stack trace with every promise it creates, for leak reports the offline plan
  // never prints (and runCli shows messages, not stacks): with 600 objects, a fifth of the run.
  Error.stackTraceLimit = 0;
  const progress = progressReporter("plan");
  const run = await runStack(stackFile, undefined, (count) => progress(`${count} resources registered`));
  // Read before this plan's files are written: the base may be the previous plan in the same directory.
  const base = opts.diff === undefined ? undefined : await loadPlanBase(opts.diff, opts.stack, planDate);

  fs.mkdirSync(out, { recursive: true });
  for (const name of PLAN_FILES) fs.rmSync(path.join(out, name), { force: true, recursive: true });
  const objects = run.resources
    .filter(isKubernetesObject)
    .map((r) => r.inputs)
    .sort(byKindThenName);
  fs.writeFileSync(path.join(out, "manifests.yaml"), objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n"));
  const releases = run.resources
    .filter((r: RecordedResource) => r.type === "kubernetes:helm.sh/v3:Release")
    .map((r) => ({ resource: r.name, ...r.inputs }));
  fs.writeFileSync(
    path.join(out, "helm-releases.yaml"),
    releases.map((o) => stringify(o, { lineWidth: 0 })).join("---\n"),
  );
  fs.writeFileSync(
    path.join(out, "plan.json"),
    JSON.stringify(planSummary(opts.stack, run, rawConfig), null, 2) + "\n",
  );
  // The plain `groups:` file, as sent in the PrometheusRule: what `promtool check rules` reads.
  const rule = objects.find((o) => o.kind === "PrometheusRule") as
    { spec: { groups: Parameters<typeof prometheusRuleFile>[0] } } | undefined;
  if (rule) fs.writeFileSync(path.join(out, "prometheus-rules.yaml"), prometheusRuleFile(rule.spec.groups));
  // Each dashboard as the sidecar ConfigMap carries it, for import by hand.
  fs.mkdirSync(path.join(out, "dashboards"));
  const dashboardFiles: string[] = [];
  for (const configMap of objects.filter(
    (o) =>
      o.kind === "ConfigMap" &&
      (o.metadata as { labels?: Record<string, string> }).labels?.["app.kubernetes.io/name"] === DASHBOARDS_APP_NAME,
  )) {
    for (const [file, json] of Object.entries(configMap.data as Record<string, string>)) {
      fs.writeFileSync(path.join(out, "dashboards", file), json);
      dashboardFiles.push(file);
    }
  }
  // Routed from the rules as sent, so the file matches the PrometheusRule exactly.
  const routing = rule && alertmanagerConfigFile(config, rule.spec.groups);
  if (routing) fs.writeFileSync(path.join(out, "alertmanager.yaml"), routing);

  if (base) {
    const diff = diffPlans(
      base.side,
      { objects: planObjectsOf(run), plan: stackPlan },
      diffPeriod(stackPlan, planDate),
      base.exists,
    );
    const markdown = renderPlanDiff(diff, { stack: opts.stack, base: base.description, planDate });
    fs.writeFileSync(path.join(out, "plan-diff.md"), markdown);
    process.stdout.write(markdown);
    return;
  }

  const rows = [["territory", "workload", "min", "max", "rps/replica", "p95 budget", "floors (window → replicas)"]];
  for (const w of plan.workloads) {
    const floors = w.floors.map((f) => `${f.description} → ${f.floor}`);
    rows.push([
      w.territory,
      w.workload,
      String(w.minReplicas),
      String(w.maxReplicas),
      String(w.targetRpsPerReplica),
      `${w.p95BudgetMs} ms`,
      floors[0] ?? "—",
    ]);
    for (const more of floors.slice(1)) rows.push(["", "", "", "", "", "", more]);
  }
  console.log(
    `Stack ${opts.stack} (${path.basename(file)}), campaigns judged as of ${planDate.toISOString().slice(0, 10)}`,
  );
  console.log(textTable(rows));
  const migrations = run.resources.find((r) => r.type.endsWith(":JournalMigrations"))?.inputs.migrations as
    { file: string }[] | undefined;
  const journal = stackPlan.journal;
  if (journal && migrations) {
    const worker = journal.workers[0];
    console.log(
      `journal: migrations ${migrations.map((m) => m.file).join(", ")} (pulumi up applies those the database lacks)`,
    );
    console.log(
      `journal: event workers ${journal.workers.map((w) => w.territory).join(", ")}: ` +
        `${worker.minReplicas}→${worker.maxReplicas} replicas, ` +
        `${worker.settings.scaling.cooldownPeriodSeconds} s cooldown, ` +
        `scaled on ${worker.triggers[0].metadata.targetQueryValue} pending events per replica`,
    );
  }
  const keda = config.keda;
  console.log(
    `keda: chart ${keda.chartVersion} from ${keda.chartPath ? `${keda.chartPath} (vendored)` : keda.repository}`,
  );
  // The program's own warnings (what preview shows), each once.
  for (const warning of run.warnings) console.log(`warning: ${warning}`);
  for (const key of unsetSecrets) {
    console.log(
      `warning: ${key} is not set in ${path.basename(file)}; the plan shows it as ${SECRET_PLACEHOLDER}. Before ` +
        `'pulumi up': pulumi config set --stack ${opts.stack} --secret ${key}`,
    );
  }
  console.log(
    `dashboards: ${dashboardFiles.join(", ")} → ${path.join(out, "dashboards")}/` +
      (routing ? `; Alertmanager routing → ${path.join(out, "alertmanager.yaml")}` : ""),
  );
  console.log(
    `\n${objects.length} Kubernetes objects, ${releases.length} Helm release(s), ${run.resources.length} ` +
      `resources in all → ${out}/`,
  );
}

if (require.main === module) runCli("plan", main);
