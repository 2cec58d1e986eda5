/** A progress line on stderr for runs that take longer than a couple of seconds; quick runs stay silent. */
export function progressReporter(tool: string, quietMs = 2000, everyMs = 1000): (message: string) => void {
  const start = Date.now();
  let last = 0;
  return (message: string) => {
    const now = Date.now();
    if (now - start < quietMs || now - last < everyMs) return;
    last = now;
    process.stderr.write(`${tool}: ${message} (${((now - start) / 1000).toFixed(0)} s)\n`);
  };
}
