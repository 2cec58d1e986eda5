/**
 * The k6 script for a real season rehearsal on staging:
 * `npm run k6 -- --stack prod --season oktoberfest --base-url URL [--multiplier N] [--scale F]
 *  [--queries-path /cockpit] [--commands-path PATH] [--out FILE]`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { buildK6Plan } from "../model/rehearsal/k6-plan";
import { positiveFlag, runCli } from "./cli";
import { k6Script } from "./render/k6-script";
import { textTable } from "./render/text-table";
import { loadStackConfig, stackFilePath } from "./stack-file";

async function main() {
  const cli = new Command("k6")
    .description("Write a k6 load test that rehearses a season's peak against a staging deployment")
    .option("--stack <name>", "stack whose Pulumi.<stack>.yaml sizes the load", "prod")
    .option("--config-file <path>", "stack config file (default Pulumi.<stack>.yaml)")
    .requiredOption("--season <name>", "season or campaign to rehearse")
    .requiredOption("--base-url <url>", "where the API answers (k6 run -e BASE_URL=… overrides it)")
    .option(
      "--multiplier <n>",
      "peak load relative to the baseline (default: the season's loadMultiplier)",
      (text: string) => positiveFlag(text, "--multiplier"),
    )
    .option(
      "--scale <fraction>",
      "run the whole profile at this fraction of the forecast",
      (text: string) => positiveFlag(text, "--scale"),
      1,
    )
    .option("--queries-path <path>", "request path of the queries workload (GET)", "/cockpit")
    .option("--commands-path <path>", "request path of the commands workload (POST); without it no command load")
    .option("--out <file>", "script file (default out/<stack>/k6-<season>.js)")
    .parse(process.argv);
  const o = cli.opts<{
    stack: string;
    configFile?: string;
    season: string;
    baseUrl: string;
    multiplier?: number;
    scale: number;
    queriesPath: string;
    commandsPath?: string;
    out?: string;
  }>();
  if (!/^https?:\/\/\S+$/.test(o.baseUrl)) throw new Error(`--base-url ${o.baseUrl}: expected an http(s) URL`);
  const config = loadStackConfig(o.stack, o.configFile ?? stackFilePath(o.stack));
  const plan = buildK6Plan(config, {
    season: o.season,
    multiplier: o.multiplier,
    scale: o.scale,
    paths: { queries: o.queriesPath, commands: o.commandsPath },
  });
  const out = o.out ?? path.join("out", o.stack, `k6-${plan.season}.js`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, k6Script(plan, { stack: o.stack, baseUrl: o.baseUrl.replace(/\/$/, "") }));
  const rows = [["scenario", "territory", "workload", "normal rps", "peak rps", "p95 budget"]];
  for (const s of plan.scenarios) {
    rows.push([s.name, s.territory, s.workload, String(s.normalRps), String(s.peakRps), `${s.p95BudgetMs} ms`]);
  }
  console.log(`k6 rehearsal of ${plan.season} (×${plan.multiplier}, scale ${plan.scale}) → ${out}`);
  console.log(textTable(rows));
  if (!o.commandsPath) console.log("no --commands-path: the script sends no command load");
  console.log(`run it: k6 run -e BASE_URL=${o.baseUrl} ${out}`);
}

if (require.main === module) runCli("k6", main);
