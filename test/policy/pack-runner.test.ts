// The pack as the Pulumi engine starts it: the SDK's policy runner loads policy/ and serves its policies on a port.
import { spawn } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";
import { ROOT } from "../support/stack-fixtures";

/**
 * Starts the runner like `pulumi preview --policy-pack policy` does; resolves with what it printed once it serves or
 * exits.
 */
function startPack(dir: string): Promise<{ port?: number; output: string }> {
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
  return new Promise((resolve) => {
    // The engine address is only used once the engine calls in; the pack prints its port first.
    const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: dir });
    let output = "";
    const done = (port?: number) => {
      child.kill();
      resolve({ port, output });
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const port = /^(\d+)\s*$/m.exec(output)?.[1];
      if (port) done(Number(port));
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", () => done());
  });
}

describe("policy pack under the SDK's policy runner", () => {
  it("loads policy/ with its dependencies from the repository and serves the policies", async () => {
    const result = await startPack(path.join(ROOT, "policy"));
    expect(result.port, result.output).to.be.a("number");
  });
});
