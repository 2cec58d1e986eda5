/**
 * The layout's rules, checked on the source: no import cycle, a pure model whose features depend one way, small files,
 * a header line on each.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
// Reads the sources as text and loads none of them, so a broken import cannot stop the check.
const ROOT = path.resolve(__dirname, "..");

/**
 * The model's features from the bottom up: a feature may import its own folder and any feature of a
 * lower layer, never one of the same or a higher layer.
 */
const MODEL_LAYERS: readonly (readonly string[])[] = [
  ["conventions.ts", "time"],
  ["config"],
  ["prometheus", "keda"],
  ["kubernetes"],
  ["journal"],
  ["lead-protection"],
  ["scaling"],
  ["alerts", "calendar"],
  ["capacity", "simulation"],
  ["rehearsal"],
  ["dashboards", "routing"],
  ["stack-plan.ts"],
  ["plan-diff"],
];
const MAX_MODEL_FILE_LINES = 300;
/** Prettier's printWidth; it does not break long strings and comments, this check does. */
const MAX_LINE_COLUMNS = 120;
const SOURCE_DIRS = ["model", "components", "program", "scripts", "db", "bench", "test", "policy"];

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(full);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** Module specifiers a file imports, re-exports or requires. */
export function importSpecifiers(source: string): string[] {
  const found = [
    ...source.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']/gm),
    ...source.matchAll(/^\s*import\s+["']([^"']+)["']/gm),
    ...source.matchAll(/\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g),
  ];
  return found.map((m) => m[1]);
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, "index.ts"), base].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
}

/** Every cycle in an import graph, each as the list of files around it (Tarjan's strongly connected components). */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indices.get(next)!));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.reverse());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return cycles;
}

/** The layer of a model file (its feature folder, or the file itself at the model's root). */
function modelLayer(file: string): { feature: string; layer: number } {
  const feature = path.relative(path.join(ROOT, "model"), file).split(path.sep)[0];
  const layer = MODEL_LAYERS.findIndex((features) => features.includes(feature));
  return { feature, layer };
}

const relative = (file: string) => path.relative(ROOT, file);

describe("architecture", () => {
  const files = [path.join(ROOT, "index.ts"), ...SOURCE_DIRS.flatMap((d) => sourceFiles(path.join(ROOT, d)))];
  const imports = new Map(files.map((f) => [f, importSpecifiers(fs.readFileSync(f, "utf8"))]));
  const graph = new Map(
    files.map((f) => [
      f,
      imports
        .get(f)!
        .filter((s) => s.startsWith("."))
        .flatMap((s) => resolveRelative(f, s) ?? []),
    ]),
  );
  const modelFiles = files.filter((f) => relative(f).startsWith(`model${path.sep}`));

  it("finds the sources it checks (the check can see the model)", () => {
    expect(modelFiles.length).to.be.greaterThan(20);
    expect(graph.get(path.join(ROOT, "model", "stack-plan.ts"))).to.include(
      path.join(ROOT, "model", "scaling", "plan.ts"),
    );
  });

  it("has no import cycle", () => {
    expect(importCycles(graph).map((cycle) => `import cycle among ${cycle.map(relative).join(", ")}`)).to.deep.equal(
      [],
    );
  });

  it("detects a cycle when there is one (the check can fail)", () => {
    const cyclic = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(importCycles(cyclic)).to.deep.equal([["a", "b", "c"]]);
  });

  it("keeps model/ pure: no Pulumi, nothing from components/, program/ or scripts/", () => {
    const offending = modelFiles.flatMap((f) => [
      ...imports
        .get(f)!
        .filter((s) => s.startsWith("@pulumi/"))
        .map((s) => `${relative(f)} imports ${s}`),
      ...graph
        .get(f)!
        .filter((target) => !relative(target).startsWith(`model${path.sep}`))
        .map((target) => `${relative(f)} imports ${relative(target)}`),
    ]);
    expect(offending).to.deep.equal([]);
  });

  it("lets model features depend one way, lower layers only", () => {
    const problems: string[] = [];
    for (const file of modelFiles) {
      const from = modelLayer(file);
      if (from.layer < 0) {
        problems.push(`${relative(file)}: feature "${from.feature}" has no layer in MODEL_LAYERS; add it there`);
        continue;
      }
      for (const target of graph.get(file)!) {
        const to = modelLayer(target);
        if (to.feature === from.feature || to.layer < from.layer) continue;
        problems.push(
          `${relative(file)} (${from.feature}) imports ${relative(target)} (${to.feature}), not a lower layer`,
        );
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it(`keeps every model file under ${MAX_MODEL_FILE_LINES} lines`, () => {
    const long = modelFiles
      .map((f) => ({ file: relative(f), lines: fs.readFileSync(f, "utf8").split("\n").length }))
      .filter((f) => f.lines > MAX_MODEL_FILE_LINES);
    expect(long).to.deep.equal([]);
  });

  it(`keeps every source line within ${MAX_LINE_COLUMNS} columns`, () => {
    const long = files.flatMap((f) =>
      fs
        .readFileSync(f, "utf8")
        .split("\n")
        .flatMap((line, i) => ([...line].length > MAX_LINE_COLUMNS ? [`${relative(f)}:${i + 1}`] : [])),
    );
    expect(long).to.deep.equal([]);
  });

  it("opens every source file with a comment that says what it is for", () => {
    const missing = files.filter(
      (f) => !/^(\/\*\*?\s*\S|\/\/\s*\S)/.test(fs.readFileSync(f, "utf8").replace(/^#!.*\n/, "")),
    );
    expect(missing.map(relative)).to.deep.equal([]);
  });
});
