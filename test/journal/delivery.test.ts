/** Delivery on a real PostgreSQL: concurrent consumers lose nothing and handle nothing twice. */
import { expect } from "chai";
import type { Client } from "pg";
import { connectClient, journalDatabase, sharedPostgres, waitFor } from "../support/postgres";
import { JournalConsumer, type ClaimedEvent } from "./journal-consumer";

const PRODUCERS = 8;
const EVENTS_PER_PRODUCER = 2_500;
const TOTAL = PRODUCERS * EVENTS_PER_PRODUCER;
// Half the traffic is DE, served by two consumers so one of them can be killed.
const TERRITORY_OF = (i: number) => (i % 4 < 2 ? "DE" : i % 4 === 2 ? "CH" : "AT");

describe("event journal: no loss, no double handling", function () {
  this.timeout(120_000);
  let url: string;
  let admin: Client;

  before(async () => {
    url = await journalDatabase(await sharedPostgres(), "journal_delivery");
    admin = await connectClient(url, "delivery-admin");
    // A short lease so the killed consumer's batch comes back within the test.
    await admin.query("UPDATE integration.settings SET lease_duration = '1 s', notify_throttle = '25 ms'");
  });
  after(async () => {
    await admin?.end();
  });

  it(
    `handles ${TOTAL} events from ${PRODUCERS} producers exactly once ` + `despite a killed consumer and listener`,
    async () => {
      const processed = new Map<string, number>();
      const attemptsSeen = new Map<string, number>();
      let killedConsumerPid: number | undefined;
      let killedListenerPid: number | undefined;

      const record = (event: ClaimedEvent) => {
        processed.set(event.id, (processed.get(event.id) ?? 0) + 1);
        attemptsSeen.set(event.id, Math.max(attemptsSeen.get(event.id) ?? 0, event.attempts));
      };
      const consumer = (
        territory: string,
        name: string,
        handle?: (e: ClaimedEvent, c: JournalConsumer, remaining: number) => Promise<void>,
      ) =>
        new JournalConsumer({
          url,
          territory,
          name,
          batchSize: 50,
          pollMs: 500,
          throttleMs: 25,
          handle: handle ?? ((e) => record(e)),
        });

      // This DE consumer dies in the middle of a batch, after processing an event but before
      // marking it: that event and the rest of the batch come back after the lease expires.
      let victimProcessed = 0;
      const victim = consumer("DE", "de-victim", async (event, self, remaining) => {
        record(event);
        if (++victimProcessed >= 200 && remaining > 0 && killedConsumerPid === undefined) {
          killedConsumerPid = await self.workPid();
          await admin.query("SELECT pg_terminate_backend($1)", [killedConsumerPid]);
        }
      });
      const consumers = [victim, consumer("DE", "de-survivor"), consumer("CH", "ch-1"), consumer("AT", "at-1")];
      await Promise.all(consumers.map((c) => c.start()));

      const producers = await Promise.all(
        Array.from({ length: PRODUCERS }, (_, p) => connectClient(url, `producer-${p}`)),
      );
      const produce = async (client: Client, p: number) => {
        for (let i = 0; i < EVENTS_PER_PRODUCER; i++) {
          const n = p * EVENTS_PER_PRODUCER + i;
          await client.query(
            "SELECT integration.enqueue_event('order.changed', $1, $2, $3, jsonb_build_object('n', $4::int))",
            [`org-${n % 97}`, TERRITORY_OF(n), `p${p}-${i}`, n],
          );
          if (p === 0 && i === EVENTS_PER_PRODUCER / 2) {
            // Kill the CH consumer's listener connection mid-stream; it must reconnect and replay.
            killedListenerPid = consumers[2].listenerPid();
            await admin.query("SELECT pg_terminate_backend($1)", [killedListenerPid]);
          }
        }
      };
      const started = Date.now();
      await Promise.all(producers.map(produce));
      const produceMs = Date.now() - started;
      await Promise.all(producers.map((c) => c.end()));

      const {
        rows: [{ n: enqueued }],
      } = await admin.query("SELECT count(*)::int AS n FROM integration.event_journal");
      expect(enqueued).to.equal(TOTAL);

      await waitFor("the victim to crash", () => victim.crashed !== undefined, 30_000);
      expect(killedConsumerPid).to.be.a("number");
      await waitFor("the CH listener to reconnect", () => consumers[2].relistened > 0, 10_000);
      expect(killedListenerPid).to.be.a("number");

      // Recovery as an operator would run it once the victim's leases have expired.
      await new Promise((r) => setTimeout(r, 1_100));
      await admin.query("SELECT integration.replay_pending()");
      await waitFor(
        "every event to be handled",
        async () => {
          const { rows } = await admin.query(
            "SELECT count(*)::int AS n FROM integration.event_journal WHERE state = 'handled'",
          );
          return rows[0].n === TOTAL;
        },
        60_000,
      );
      await Promise.all(consumers.map((c) => c.stop()));

      const states = await admin.query(
        "SELECT state, count(*)::int AS n FROM integration.event_journal GROUP BY state",
      );
      expect(states.rows).to.deep.equal([{ state: "handled", n: TOTAL }]);
      expect(processed.size).to.equal(TOTAL);

      // Exactly one successful settlement per event...
      const marked = consumers.reduce((sum, c) => sum + c.marked, 0);
      expect(marked).to.equal(TOTAL);
      // ...and a second processing only where a lease expired, which attempts records.
      const { rows: attempts } = await admin.query<{ id: string; attempts: number }>(
        "SELECT id::text, attempts FROM integration.event_journal WHERE attempts > 1",
      );
      const attemptsById = new Map(attempts.map((r) => [r.id, r.attempts]));
      const duplicates = [...processed].filter(([, count]) => count > 1);
      for (const [id, count] of duplicates) {
        expect(attemptsById.get(id) ?? 1, `event ${id} processed ${count}×`).to.be.at.least(count);
      }
      expect(duplicates.length, "the event the victim processed but never marked was redelivered").to.be.at.least(1);
      expect(attempts.length, "the rest of the victim's batch was re-claimed").to.be.at.least(2);
      expect(victim.crashed).to.be.instanceOf(Error);
      console.log(
        `      ${TOTAL} events produced in ${produceMs} ms; ${attempts.length} re-claimed after the killed ` +
          `consumer's lease expired, ${duplicates.length} of them processed twice; CH listener reconnected ` +
          `${consumers[2].relistened}×`,
      );
    },
  );
});
