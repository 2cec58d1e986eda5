// Bounded chaos run: 20,000 events over 3 territories while claiming backends are terminated,
// listeners killed, consumers paused past their lease and the NOTIFY queue saturated.
import { spawn } from "child_process";
import { expect } from "chai";
import type { Client } from "pg";
import { connectClient, journalDatabase, startPostgres, waitFor, type PostgresServer } from "../support/postgres";
import { JournalConsumer, type ClaimedEvent } from "./journal-consumer";

const TERRITORIES = ["DE", "CH", "AT"];
const CONSUMERS_PER_TERRITORY = 2;
const PRODUCERS = 4;
const EVENTS_PER_PRODUCER = 5_000;
const TOTAL = PRODUCERS * EVENTS_PER_PRODUCER;
const LEASE_MS = 1_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A consumer in a process of its own that claims in a tight loop and is SIGKILLed: the kill
// lands while a claim is in flight or right after one, never with a chance to settle.
const DOOMED_CONSUMER = `
const { Client } = require(process.argv[1]);
const client = new Client({ connectionString: process.argv[2] });
client.connect().then(async () => {
  process.stdout.write("ready\\n");
  for (;;) {
    await client.query("SELECT id FROM integration.claim_events($1, 50, $2)", [
      process.argv[3],
      "doomed-" + process.pid,
    ]);
  }
});
`;

async function sigkillWhileClaiming(url: string, territory: string): Promise<void> {
  const child = spawn(process.execPath, ["-e", DOOMED_CONSUMER, require.resolve("pg"), url, territory], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`the doomed consumer exited early (${code})`)));
  });
  await sleep(150 + Math.random() * 200);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

describe("event journal: chaos", function () {
  this.timeout(180_000);
  let server: PostgresServer;
  let url: string;
  let admin: Client;

  before(async () => {
    // The NOTIFY queue is cluster-wide and saturated on purpose: a server of its own, small queue.
    server = await startPostgres({ settings: { max_notify_queue_pages: "64" } });
    url = await journalDatabase(server, "journal_chaos");
    admin = await connectClient(url, "chaos-admin");
    await admin.query(`UPDATE integration.settings SET lease_duration = '${LEASE_MS} ms', notify_throttle = '25 ms'`);
  });
  after(async () => {
    await admin?.end();
    await server?.stop();
  });

  it(`loses none of ${TOTAL} events and accepts exactly one success per event`, async () => {
    const processed = new Map<string, number>();
    const accepted = new Map<string, number>();
    const faults = {
      claimBackendsTerminated: 0,
      consumersSigkilled: 0,
      listenersKilled: 0,
      pauses: 0,
      restarts: 0,
      saturatedAt: 0,
    };
    let chaos = true;

    const handle = async (event: ClaimedEvent) => {
      processed.set(event.id, (processed.get(event.id) ?? 0) + 1);
      // Now and then a handler stalls past its lease (a GC pause, a slow downstream call).
      if (chaos && Number(event.id) % 1_500 === 0 && event.attempts === 1) {
        faults.pauses++;
        await sleep(LEASE_MS * 1.6);
      }
    };
    let generation = 0;
    const newConsumer = (territory: string) =>
      new JournalConsumer({
        url,
        territory,
        name: `${territory}-pod-${++generation}`,
        batchSize: 100,
        pollMs: 200,
        throttleMs: 25,
        handle,
        onAccepted: (ids) => ids.forEach((id) => accepted.set(id, (accepted.get(id) ?? 0) + 1)),
      });
    const consumers = TERRITORIES.flatMap((t) => Array.from({ length: CONSUMERS_PER_TERRITORY }, () => newConsumer(t)));
    await Promise.all(consumers.map((c) => c.start()));

    // A crashed consumer is replaced, as Kubernetes would restart the pod.
    const supervisor = (async () => {
      while (chaos) {
        for (const [i, c] of consumers.entries()) {
          if (c.crashed) {
            await c.stop();
            consumers[i] = newConsumer(c.options.territory);
            await consumers[i].start();
            faults.restarts++;
          }
        }
        await sleep(50);
      }
    })();
    const pick = () => consumers[Math.floor(Math.random() * consumers.length)];
    const killClaimBackends = (async () => {
      while (chaos) {
        await sleep(300);
        const victim = pick();
        if (victim.crashed || !victim.work) continue;
        // Whatever the victim was doing (claiming, handling, settling) dies with its backend.
        await admin.query("SELECT pg_terminate_backend($1)", [await victim.workPid()]);
        faults.claimBackendsTerminated++;
      }
    })();
    const sigkillConsumers = (async () => {
      while (chaos) {
        await sigkillWhileClaiming(url, TERRITORIES[faults.consumersSigkilled % TERRITORIES.length]);
        faults.consumersSigkilled++;
        await sleep(400);
      }
    })();
    const killListeners = (async () => {
      while (chaos) {
        await sleep(700);
        const pid = pick().listenerPid();
        if (pid === undefined) continue;
        await admin.query("SELECT pg_terminate_backend($1)", [pid]);
        faults.listenersKilled++;
      }
    })();
    // A listener stuck in a transaction while the queue is filled past the hard threshold.
    const saturate = (async () => {
      const stuck = await connectClient(url, "stuck-listener");
      const filler = await connectClient(url, "filler");
      try {
        await stuck.query("LISTEN freshplan_events");
        await stuck.query("BEGIN");
        await stuck.query("SELECT 1");
        for (;;) {
          const usage = Number((await filler.query("SELECT pg_notification_queue_usage() AS u")).rows[0].u);
          if (usage >= 0.97) {
            faults.saturatedAt = usage;
            break;
          }
          await filler
            .query("SELECT pg_notify('freshplan_filler', g::text) FROM generate_series(1, 500) g")
            .catch(() => undefined);
        }
        await sleep(3_000);
      } finally {
        await stuck.query("ROLLBACK").catch(() => undefined);
        await stuck.end().catch(() => undefined);
        await filler.end().catch(() => undefined);
      }
    })();

    const producers = await Promise.all(
      Array.from({ length: PRODUCERS }, (_, p) => connectClient(url, `producer-${p}`)),
    );
    await Promise.all(
      producers.map(async (client, p) => {
        for (let i = 0; i < EVENTS_PER_PRODUCER; i++) {
          const n = p * EVENTS_PER_PRODUCER + i;
          await client.query(
            "SELECT integration.enqueue_event('order.changed', $1, $2, NULL, jsonb_build_object('n', $3::int))",
            [`org-${n % 97}`, TERRITORIES[n % TERRITORIES.length], n],
          );
        }
      }),
    );
    await Promise.all(producers.map((c) => c.end()));
    await saturate;

    const handled = async () =>
      (await admin.query("SELECT count(*)::int AS n FROM integration.event_journal WHERE state = 'handled'")).rows[0]
        .n as number;
    await waitFor(
      "the chaos to have had its effects",
      () => faults.claimBackendsTerminated >= 5 && faults.consumersSigkilled >= 3 && faults.listenersKilled >= 3,
      30_000,
    );
    chaos = false;
    await Promise.all([supervisor, killClaimBackends, sigkillConsumers, killListeners]);
    for (const [i, c] of consumers.entries()) {
      if (c.crashed) {
        await c.stop();
        consumers[i] = newConsumer(c.options.territory);
        await consumers[i].start();
      }
    }
    await waitFor(`all ${TOTAL} events to be handled`, async () => (await handled()) === TOTAL, 90_000);
    await Promise.all(consumers.map((c) => c.stop()));

    const states = await admin.query("SELECT state, count(*)::int AS n FROM integration.event_journal GROUP BY state");
    expect(states.rows, "0 lost, none dead-lettered").to.deep.equal([{ state: "handled", n: TOTAL }]);
    expect(accepted.size).to.equal(TOTAL);
    const acceptedTwice = [...accepted].filter(([, n]) => n !== 1);
    expect(acceptedTwice, "exactly one accepted success per event").to.deep.equal([]);

    const { rows } = await admin.query<{ id: string; attempts: number; last_error: string | null }>(
      "SELECT id::text, attempts, last_error FROM integration.event_journal WHERE attempts > 1",
    );
    const retried = new Map(rows.map((r) => [r.id, r]));
    const duplicates = [...processed].filter(([, n]) => n > 1);
    for (const [id, n] of duplicates) {
      const row = retried.get(id);
      expect(row, `event ${id} processed ${n}× without a recorded retry`).to.not.equal(undefined);
      expect(row!.attempts, `event ${id}`).to.be.at.least(n);
      expect(row!.last_error, `event ${id}`).to.match(/^lease of \S+ expired \(attempt \d+\)$/);
    }
    expect(faults.saturatedAt).to.be.at.least(0.95);
    expect(faults.pauses).to.be.greaterThan(0);
    const {
      rows: [{ n: doomedClaims }],
    } = await admin.query(
      "SELECT count(*)::int AS n FROM integration.event_journal WHERE last_error LIKE 'lease of doomed-%'",
    );
    expect(doomedClaims, "claims of SIGKILLed consumers came back after their lease").to.be.greaterThan(0);
    console.log(
      `      ${TOTAL} events; faults: ${faults.claimBackendsTerminated} claiming backends terminated, ` +
        `${faults.consumersSigkilled} consumer processes SIGKILLed while claiming (${doomedClaims} of their ` +
        `claims came back), ` +
        `${faults.listenersKilled} listeners killed, ${faults.pauses} handlers paused past the lease, ` +
        `${faults.restarts} consumer restarts, queue saturated at ${faults.saturatedAt.toFixed(2)}; ` +
        `${rows.length} events redelivered after an expired lease, ${duplicates.length} processed twice`,
    );
  });
});
