// End-to-end (enqueue → handled) throughput and latency of the journal against graphile-worker on
// the same PostgreSQL, same payloads, same producers; used by bench/journal.ts.
import type { Client } from "pg";
import { Logger, run, runMigrations, type Runner } from "graphile-worker";
import { connectClient } from "../test/support/postgres";
import { JournalConsumer } from "../test/journal/journal-consumer";

export const E2E_TERRITORIES = ["DE", "CH", "AT"];
const PAYLOAD = {
  orderId: 123456,
  lines: [
    { sku: "APPLE-1KG", qty: 12 },
    { sku: "PEAR-1KG", qty: 4 },
  ],
};
/** The journal's workers claim and settle this many events per round trip. */
export const JOURNAL_BATCH = 200;

export type System = "journal" | "graphile";

export interface E2eResult {
  system: System;
  workersPerTerritory: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

const silent = new Logger(() => () => undefined);

export async function installGraphileWorker(url: string): Promise<void> {
  await runMigrations({ connectionString: url, logger: silent });
}

export const GRAPHILE_ADD_JOB_SQL = `SELECT graphile_worker.add_job('handle_' || $3::text,
     json_build_object('event_type', $1::text, 'org_id', $2::text, 'correlation_id', $4::text, 'payload', $5::jsonb))`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Workers {
  stop(): Promise<void>;
}

/** The journal's consumers as a worker would run them: LISTEN, batch claim, batch settle. */
async function startJournalWorkers(url: string, perTerritory: number, done: (t0: number) => void): Promise<Workers> {
  const sentAt = new Map<string, number>();
  const consumers = E2E_TERRITORIES.flatMap((territory) =>
    Array.from(
      { length: perTerritory },
      (_, i) =>
        new JournalConsumer({
          url,
          territory,
          name: `bench-${territory}-${i}`,
          batchSize: JOURNAL_BATCH,
          pollMs: 1_000,
          throttleMs: 25,
          handle: (event) => {
            sentAt.set(event.id, (event.payload as { t0: number }).t0);
          },
          onAccepted: (ids) => {
            for (const id of ids) {
              done(sentAt.get(id)!);
              sentAt.delete(id);
            }
          },
        }),
    ),
  );
  await Promise.all(consumers.map((c) => c.start()));
  return {
    stop: async () => {
      await Promise.all(consumers.map((c) => c.stop()));
    },
  };
}

/** graphile-worker with its defaults: one runner per territory that knows only that territory's task. */
async function startGraphileWorkers(url: string, perTerritory: number, done: (t0: number) => void): Promise<Workers> {
  const runners: Runner[] = [];
  for (const territory of E2E_TERRITORIES) {
    runners.push(
      await run({
        connectionString: url,
        concurrency: perTerritory,
        noHandleSignals: true,
        pollInterval: 1_000,
        logger: silent,
        taskList: {
          [`handle_${territory}`]: async (payload) => {
            done((payload as { payload: { t0: number } }).payload.t0);
          },
        },
      }),
    );
  }
  return {
    stop: async () => {
      await Promise.all(runners.map((r) => r.stop()));
    },
  };
}

/**
 * Starts the workers, lets `producers` connections enqueue `events` events as fast as they can
 * (territories round-robin), and times until the last one is handled.
 */
export async function runEndToEnd(
  url: string,
  system: System,
  workersPerTerritory: number,
  events: number,
  producers: number,
): Promise<E2eResult> {
  const latencies: number[] = [];
  let finished: () => void = () => undefined;
  const allHandled = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const done = (t0: number) => {
    latencies.push(performance.now() - t0);
    if (latencies.length === events) finished();
  };
  const workers =
    system === "journal"
      ? await startJournalWorkers(url, workersPerTerritory, done)
      : await startGraphileWorkers(url, workersPerTerritory, done);
  const clients: Client[] = await Promise.all(
    Array.from({ length: producers }, (_, i) => connectClient(url, `e2e-producer-${i}`)),
  );
  const sql = system === "journal" ? "SELECT integration.enqueue_event($1, $2, $3, $4, $5)" : GRAPHILE_ADD_JOB_SQL;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, p) => {
      for (let n = next++; n < events; n = next++) {
        const payload = JSON.stringify({ ...PAYLOAD, t0: performance.now() });
        await client.query(sql, [
          "order.updated",
          `org-${p}`,
          E2E_TERRITORIES[n % E2E_TERRITORIES.length],
          `corr-${n}`,
          payload,
        ]);
      }
    }),
  );
  const timeout = setTimeout(() => finished(), 120_000);
  await allHandled;
  clearTimeout(timeout);
  const seconds = (performance.now() - started) / 1000;
  await workers.stop();
  await Promise.all(clients.map((c) => c.end()));
  if (latencies.length < events)
    throw new Error(`${system}: only ${latencies.length} of ${events} events handled within 120 s`);
  latencies.sort((a, b) => a - b);
  return {
    system,
    workersPerTerritory,
    events,
    seconds: Number(seconds.toFixed(2)),
    eventsPerSecond: Math.round(events / seconds),
    latencyP50Ms: Number(percentile(latencies, 50).toFixed(1)),
    latencyP99Ms: Number(percentile(latencies, 99).toFixed(1)),
  };
}

export async function resetQueues(admin: Client): Promise<void> {
  await admin.query("TRUNCATE integration.event_journal");
  await admin.query("TRUNCATE graphile_worker._private_jobs");
  await admin.query("CHECKPOINT");
}

export interface E2eComparison {
  workersPerTerritory: number;
  journal: E2eResult & { roundsEventsPerSecond: number[] };
  graphile: E2eResult & { roundsEventsPerSecond: number[] };
  /** journal events/s ÷ graphile-worker events/s, medians of the rounds. */
  ratio: number;
}

/**
 * Rounds of both systems at 1 and 4 workers per territory, alternating which goes first, and
 * the median round (by events/s) of each.
 */
export async function compareEndToEnd(
  url: string,
  admin: Client,
  rounds: number,
  events: number,
  producers: number,
): Promise<E2eComparison[]> {
  const comparisons: E2eComparison[] = [];
  for (const workersPerTerritory of [1, 4]) {
    const bySystem: Record<System, E2eResult[]> = { journal: [], graphile: [] };
    for (let round = 0; round < rounds; round++) {
      const order: System[] = round % 2 === 0 ? ["journal", "graphile"] : ["graphile", "journal"];
      for (const system of order) {
        await resetQueues(admin);
        const result = await runEndToEnd(url, system, workersPerTerritory, events, producers);
        bySystem[system].push(result);
        console.log(
          `end-to-end ${system.padEnd(8)} ${workersPerTerritory} worker(s)/territory, round ${round + 1}: ` +
            `${String(result.eventsPerSecond).padStart(5)} events/s, latency p50 ${result.latencyP50Ms} ms, ` +
            `p99 ${result.latencyP99Ms} ms`,
        );
      }
    }
    const median = (system: System) => {
      const sorted = [...bySystem[system]].sort((x, y) => x.eventsPerSecond - y.eventsPerSecond);
      return {
        ...sorted[Math.floor(sorted.length / 2)],
        roundsEventsPerSecond: bySystem[system].map((r) => r.eventsPerSecond),
      };
    };
    const journal = median("journal");
    const graphile = median("graphile");
    comparisons.push({
      workersPerTerritory,
      journal,
      graphile,
      ratio: Number((journal.eventsPerSecond / graphile.eventsPerSecond).toFixed(2)),
    });
  }
  console.log(
    `\nend-to-end, ${events} events from ${producers} producers over ${E2E_TERRITORIES.join("/")}, ` +
      `journal batches of ${JOURNAL_BATCH} (claim_events + mark_events_handled), graphile-worker defaults:`,
  );
  console.log("workers/territory | journal ev/s (p50/p99 ms) | graphile-worker ev/s (p50/p99 ms) | ratio");
  for (const c of comparisons) {
    console.log(
      `${String(c.workersPerTerritory).padStart(17)} | ` +
        `${`${c.journal.eventsPerSecond} (${c.journal.latencyP50Ms}/${c.journal.latencyP99Ms})`.padStart(25)} | ` +
        `${`${c.graphile.eventsPerSecond} (${c.graphile.latencyP50Ms}/${c.graphile.latencyP99Ms})`.padStart(34)} ` +
        `| ${c.ratio}`,
    );
  }
  return comparisons;
}
