/** Config key holding the territory map in Pulumi.<stack>.yaml. */
export const TERRITORIES_KEY = "freshplan-scaling:territories";

/**
 * Territory codes of a stack: the keys of `config["freshplan-scaling:territories"]` in
 * `Pulumi.<stack>.yaml`. Only the keys are read; validating the territories themselves is
 * the config model's job.
 */
export function territoryCodesOfStack(stack: string, projectDir: string = process.cwd()): string[] {
  const fs = require("fs") as typeof import("fs");
  const path = require("path") as typeof import("path");
  const YAML = require("yaml") as typeof import("yaml");
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
    throw new Error(`stack name ${JSON.stringify(stack)} is not a valid Pulumi stack name`);
  }
  const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read stack config ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid YAML: ${(err as Error).message}`);
  }
  const config = (doc as { config?: Record<string, unknown> } | null)?.config;
  const territories = config?.[TERRITORIES_KEY];
  if (territories === undefined) {
    throw new Error(`${file}: config.${TERRITORIES_KEY} is missing; expected a map keyed by territory code (DE, CH, AT …)`);
  }
  if (territories === null || typeof territories !== "object" || Array.isArray(territories)) {
    throw new Error(`${file}: config.${TERRITORIES_KEY} is ${Array.isArray(territories) ? "a list" : JSON.stringify(territories)}; expected a map keyed by territory code`);
  }
  const codes = Object.keys(territories);
  if (codes.length === 0) {
    throw new Error(`${file}: config.${TERRITORIES_KEY} is empty; expected at least one territory`);
  }
  return codes;
}
