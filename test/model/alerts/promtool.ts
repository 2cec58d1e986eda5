/** promtool from the Debian package `prometheus`; a missing binary fails the test with an install hint. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export function promtool(args: string[], cwd: string): { status: number; output: string } {
  const result = spawnSync("promtool", args, { cwd, encoding: "utf8" });
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new Error(
      "promtool is not installed: run `apt-get update && apt-get install -y prometheus` (Debian package " +
        "prometheus provides /usr/bin/promtool)",
    );
  }
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "freshplan-alerts-"));
}
