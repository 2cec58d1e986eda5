/**
 * The reference consumer the journal tests and the benchmark use: LISTEN, claim in batches, settle, poll as the
 * fallback.
 */
import type { Client } from "pg";
import { connectClient } from "../support/postgres";

/** A claimed journal row as the test consumer sees it. */
export interface ClaimedEvent {
  id: string;
  territory: string;
  attempts: number;
  payload: unknown;
  /** Owner token of the claim this event came with; settles it. */
  claim_token: string;
}

export interface ConsumerOptions {
  readonly url: string;
  readonly territory: string;
  /** Unique per consumer process; recorded as claimed_by. */
  readonly name: string;
  readonly batchSize: number;
  /** Fallback poll when no wake-up arrives. */
  readonly pollMs: number;
  /** Second look after a drained wake-up, for events coalesced into that wake-up. */
  readonly throttleMs: number;
  /** Called per claimed event; `remaining` is how many events of its batch follow it. */
  readonly handle: (event: ClaimedEvent, consumer: JournalConsumer, remaining: number) => Promise<void> | void;
  /** Ids whose success the journal accepted from this consumer (the others were taken back). */
  readonly onAccepted?: (ids: string[]) => void;
}

/**
 * The consumer contract of the journal, as a client would implement it: LISTEN on its own
 * connection, claim until empty on every wake-up and every poll interval, settle each batch,
 * and after losing the listener reconnect and call replay_pending.
 */
export class JournalConsumer {
  work!: Client;
  listener?: Client;
  crashed?: Error;
  wakeUps = 0;
  marked = 0;
  relistened = 0;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** A wake-up that arrived while busy: the next sleep returns at once instead of losing it. */
  private wakePending = false;

  constructor(readonly options: ConsumerOptions) {}

  async start(): Promise<void> {
    this.work = await connectClient(this.options.url, `consumer-${this.options.name}`);
    await this.listen();
    this.running = true;
    this.loop = this.run();
  }

  /** Backend pid of the claiming connection, for pg_terminate_backend. */
  async workPid(): Promise<number> {
    return (this.work as unknown as { processID: number }).processID;
  }

  listenerPid(): number | undefined {
    return (this.listener as unknown as { processID?: number } | undefined)?.processID;
  }

  private async listen(): Promise<void> {
    const listener = await connectClient(this.options.url, `listener-${this.options.name}`);
    listener.on("notification", (n) => {
      if (n.payload === this.options.territory) {
        this.wakeUps++;
        this.wakePending = true;
        this.wake?.();
      }
    });
    listener.on("error", () => this.relisten(listener));
    listener.on("end", () => this.relisten(listener));
    await listener.query("LISTEN freshplan_events");
    this.listener = listener;
  }

  private relisten(lost: Client): void {
    if (this.listener !== lost || !this.running) return;
    this.listener = undefined;
    this.reconnectLater();
  }

  private reconnectLater(): void {
    setTimeout(async () => {
      if (!this.running) return;
      try {
        await this.listen();
        // Anything enqueued while we were deaf was only announced to a dead connection.
        await this.work.query("SELECT integration.replay_pending($1)", [this.options.territory]);
        this.relistened++;
      } catch {
        this.reconnectLater();
      }
    }, 50);
  }

  private async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      // This claim sees everything committed before it, so earlier wake-ups are answered.
      this.wakePending = false;
      const { rows } = await this.work.query<ClaimedEvent>(
        "SELECT id, territory, attempts, payload, claim_token FROM integration.claim_events($1, $2, $3)",
        [this.options.territory, this.options.batchSize, this.options.name],
      );
      if (rows.length === 0) return total;
      for (const [i, event] of rows.entries()) {
        await this.options.handle(event, this, rows.length - 1 - i);
      }
      // One settlement per batch: the whole batch shares its claim's token.
      const { rows: accepted } = await this.work.query<{ id: string }>(
        "SELECT integration.mark_events_handled($1, $2::bigint[]) AS id",
        [rows[0].claim_token, rows.map((r) => r.id)],
      );
      this.marked += accepted.length;
      this.options.onAccepted?.(accepted.map((r) => r.id));
      total += rows.length;
      // A short batch means the territory is drained: an empty claim per wake-up would be waste.
      if (rows.length < this.options.batchSize) return total;
    }
  }

  private sleep(ms: number): Promise<boolean> {
    if (this.wakePending) {
      this.wakePending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve(false);
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve(true);
      };
    });
  }

  private async run(): Promise<void> {
    try {
      while (this.running) {
        const drained = await this.drain();
        const woken = await this.sleep(this.options.pollMs);
        if (woken || drained > 0) {
          await this.drain();
          await this.sleep(this.options.throttleMs);
        }
      }
    } catch (err) {
      // A lost claiming connection is a crash: the process would die and its leases expire.
      this.crashed = err as Error;
      this.running = false;
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.all([this.work, this.listener].map((c) => c && endWithin(c, 2_000)));
  }
}

/** client.end() never settles for a connection whose backend was already terminated. */
function endWithin(client: Client, ms: number): Promise<void> {
  return Promise.race([
    client.end().catch(() => undefined),
    new Promise<void>((resolve) => setTimeout(resolve, ms).unref()),
  ]);
}
