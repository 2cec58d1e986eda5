/**
 * Renders a k6 rehearsal plan as a k6 script: one ramping-arrival-rate scenario per territory and workload, p95
 * thresholds from the budgets.
 */
import type { K6Plan } from "../../model/rehearsal/k6-plan";

export interface K6ScriptContext {
  readonly stack: string;
  /** Default for BASE_URL; `k6 run -e BASE_URL=…` overrides it. */
  readonly baseUrl: string;
}

/** VUs an arrival-rate scenario keeps ready: enough for the peak rate at 0.5 s per request, up to 2 s when slow. */
export function virtualUsers(peakRps: number): { preAllocatedVUs: number; maxVUs: number } {
  return { preAllocatedVUs: Math.max(2, Math.ceil(peakRps * 0.5)), maxVUs: Math.max(10, Math.ceil(peakRps * 2)) };
}

export function k6Script(plan: K6Plan, context: K6ScriptContext): string {
  const scenarios = Object.fromEntries(
    plan.scenarios.map((s) => [
      s.name,
      {
        executor: "ramping-arrival-rate",
        exec: s.workload,
        // k6 takes whole iterations per time unit: per minute keeps 4.5 req/s exact (270).
        startRate: 0,
        timeUnit: "1m",
        ...virtualUsers(s.peakRps),
        stages: s.stages.map((stage) => ({ duration: stage.duration, target: Math.round(stage.target * 60) })),
        tags: { territory: s.territory, workload: s.workload },
        env: { TERRITORY: s.territory, REQUEST_PATH: s.path },
      },
    ]),
  );
  const thresholds = Object.fromEntries([
    ...plan.scenarios.map((s) => [
      `http_req_duration{territory:${s.territory},workload:${s.workload}}`,
      [`p(95)<${s.p95BudgetMs}`],
    ]),
    ["http_req_failed", ["rate<0.01"]],
  ]);
  const options = JSON.stringify({ scenarios, thresholds }, null, 2);
  const workloads = new Set(plan.scenarios.map((s) => s.workload));
  const lines = [
    `// k6 rehearsal of season "${plan.season}" for stack ${context.stack}: load ×${plan.multiplier} at ` +
      `scale ${plan.scale}.`,
    "// Written by `npm run k6` from the stack config; change the config and write it again rather than editing it.",
    `// Territory shares of the normal load: ${Object.entries(plan.shares)
      .map(([t, share]) => `${t} ${Math.round(share * 100)} %`)
      .join(", ")}; the season raises ${plan.seasonTerritories.join(", ")}.`,
    'import http from "k6/http";',
    'import { check } from "k6";',
    "",
    `const BASE_URL = __ENV.BASE_URL || ${JSON.stringify(context.baseUrl)};`,
    "",
    '/** @type {import("k6/options").Options} */',
    `export const options = ${options};`,
    "",
    '/** @param {import("k6/http").RefinedResponse<"text">} res */',
    "function expectSuccess(res) {",
    '  check(res, { "status is 2xx": (r) => r.status >= 200 && r.status < 300 });',
    "}",
  ];
  if (workloads.has("queries")) {
    lines.push(
      "",
      "export function queries() {",
      "  const url = `${BASE_URL}${__ENV.REQUEST_PATH}?territory=${encodeURIComponent(__ENV.TERRITORY)}`;",
      "  expectSuccess(http.get(url));",
      "}",
    );
  }
  if (workloads.has("commands")) {
    lines.push(
      "",
      "export function commands() {",
      "  const body = JSON.stringify({ territory: __ENV.TERRITORY, rehearsal: true });",
      '  const params = { headers: { "Content-Type": "application/json" } };',
      "  expectSuccess(http.post(`${BASE_URL}${__ENV.REQUEST_PATH}`, body, params));",
      "}",
    );
  }
  return lines.join("\n") + "\n";
}
