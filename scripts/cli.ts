/**
 * How every command-line tool ends: exit 0 when done; a config error lists its problems, anything else says "<tool>
 * failed: …"; exit 1.
 */
import { ConfigError } from "../model/config/issues";

export function runCli(tool: string, main: () => unknown): void {
  Promise.resolve()
    .then(main)
    .then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e instanceof ConfigError ? e.message : e instanceof Error ? `${tool} failed: ${e.message}` : e);
        process.exit(1);
      },
    );
}
