/** Progress on stderr: silent for quick runs, a line per step once a run has taken a while. */
import { expect } from "chai";
import { progressReporter } from "../../scripts/progress";

function stderrOf(work: () => void): string {
  const write = process.stderr.write.bind(process.stderr);
  let captured = "";
  process.stderr.write = ((chunk: string) => ((captured += chunk), true)) as typeof process.stderr.write;
  try {
    work();
  } finally {
    process.stderr.write = write;
  }
  return captured;
}

describe("progress line", () => {
  it("stays silent while a run is quick", () => {
    const progress = progressReporter("calendar", 60_000);
    expect(stderrOf(() => progress("evaluated 1 of 6 territory workloads"))).to.equal("");
  });

  it("names the tool and the step once a run has been going a while", () => {
    const progress = progressReporter("calendar", 0, 0);
    expect(stderrOf(() => progress("evaluated 40 of 100 territory workloads"))).to.match(
      /^calendar: evaluated 40 of 100 territory workloads \(\d+ s\)\n$/,
    );
  });
});
