// Traffic and scan records written off the hot path: a request enqueues its records and returns;
// the queue is written every flushIntervalMs, or as soon as flushBatchSize records wait, in one
// transaction. Token estimates and prices are computed here, not in the request. close() writes
// everything still queued, so a record acknowledged to a client is not lost on a clean shutdown;
// a failed write keeps its batch for the next attempt.
import type { Kysely } from "kysely";
import type { EventBus } from "../app/events.ts";
import type { ScanRecord } from "../scans/scan-service.ts";
import { scanRow } from "../scans/scan-store.ts";
import type { Database } from "../store/schema.ts";
import type { PriceTable } from "./pricing.ts";
import type { GatewayTrafficTable } from "./tables.ts";
import { countTokens } from "./tokens.ts";

declare module "../app/events.ts" {
  interface EventMap {
    "traffic.recorded": TrafficRecordedEvent;
  }
}

export interface TrafficRecordedEvent {
  traffic: GatewayTrafficTable;
}

export interface TrafficEntry {
  /** Absent for scan-only entries (LiteLLM's guardrail calls: the call itself is logged separately). */
  row?: GatewayTrafficTable | undefined;
  scans: ScanRecord[];
  /** When the upstream reported no usage: texts to count tokens of. */
  estimate?: { prompt: string[]; completion: string } | undefined;
  /** Model names to price (upstream name first) and the provider's base URL. */
  pricing?: { models: Array<string | null>; providerUrl: string | undefined } | undefined;
}

export interface RecorderOptions {
  flushIntervalMs: number;
  flushBatchSize: number;
  /** Cap on queued records while the database is failing; the oldest are dropped (and logged) past it. */
  maxQueued?: number;
}

const INSERT_CHUNK = 200;
/**
 * Entries per transaction: about a millisecond of synchronous SQLite work (3 rows an entry, ~7 µs
 * a row); smaller slices cost more per row in transaction overhead, larger ones stall requests.
 */
const WRITE_SLICE = 32;

export class TrafficRecorder {
  readonly #db: Kysely<Database>;
  readonly #options: RecorderOptions;
  readonly #prices: PriceTable;
  readonly #events: EventBus;
  readonly #onError: (err: unknown, dropped: number) => void;
  #queue: TrafficEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;
  written = 0;

  constructor(db: Kysely<Database>, options: RecorderOptions, prices: PriceTable, events: EventBus, onError: (err: unknown, dropped: number) => void) {
    this.#db = db;
    this.#options = options;
    this.#prices = prices;
    this.#events = events;
    this.#onError = onError;
  }

  get queued(): number {
    return this.#queue.length;
  }

  record(entry: TrafficEntry): void {
    this.#queue.push(entry);
    if (this.#closed) return;
    if (this.#queue.length >= this.#options.flushBatchSize) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#options.flushIntervalMs);
  }

  /** Writes what is queued now (waits for a flush already running first). */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#flushing) await this.#flushing;
    if (this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    this.#flushing = this.#write(batch).finally(() => {
      this.#flushing = undefined;
    });
    await this.#flushing;
  }

  async close(): Promise<void> {
    this.#closed = true;
    // Retry a few times: a transient lock must not lose the last records.
    for (let attempt = 0; attempt < 5 && (this.#queue.length > 0 || this.#flushing); attempt++) await this.flush();
  }

  async #write(batch: TrafficEntry[]): Promise<void> {
    // node:sqlite is synchronous: one transaction over a whole batch would hold the event loop
    // (and every request in flight) for its full duration. Small transactions with a turn of the
    // event loop between them bound that stall; a slice is acknowledged (its events emitted)
    // only once committed, and a failure requeues it with everything after it.
    for (let at = 0; at < batch.length; at += WRITE_SLICE) {
      if (at > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const slice = batch.slice(at, at + WRITE_SLICE);
      try {
        for (const entry of slice) await this.#complete(entry);
        await this.#db.transaction().execute(async (trx) => {
          const scans = slice.flatMap((e) => e.scans);
          for (let i = 0; i < scans.length; i += INSERT_CHUNK) await trx.insertInto("scans").values(scans.slice(i, i + INSERT_CHUNK).map(scanRow)).execute();
          const rows = slice.flatMap((e) => (e.row ? [e.row] : []));
          for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
            await trx
              .insertInto("gateway_traffic")
              .values(rows.slice(i, i + INSERT_CHUNK))
              // A LiteLLM log batch sent twice carries the same call ids: keep the first.
              .onConflict((oc) => oc.doNothing())
              .execute();
          }
        });
        this.written += slice.length;
      } catch (err) {
        const requeued = [...batch.slice(at), ...this.#queue];
        const max = this.#options.maxQueued ?? 100_000;
        const dropped = Math.max(0, requeued.length - max);
        this.#queue = requeued.slice(dropped);
        this.#onError(err, dropped);
        if (!this.#closed) this.#timer ??= setTimeout(() => void this.flush(), Math.max(this.#options.flushIntervalMs, 500));
        return;
      }
      for (const entry of slice) {
        for (const scan of entry.scans) {
          void this.#events.emit("scan.completed", { scan, workspace: scan.workspace, keyId: scan.key_id, source: scan.source, agentId: entry.row?.agent_id ?? undefined });
        }
        if (entry.row) void this.#events.emit("traffic.recorded", { traffic: entry.row });
      }
    }
  }

  /** Fills in estimated tokens and the price (once: a retried batch keeps them). */
  async #complete(entry: TrafficEntry): Promise<void> {
    const { row } = entry;
    if (!row) return;
    if (entry.estimate) {
      const { prompt, completion } = entry.estimate;
      entry.estimate = undefined;
      try {
        row.tokens_in ??= await countTokens(prompt, 4);
        row.tokens_out ??= await countTokens([completion]);
        row.tokens_estimated = 1;
      } catch {
        // No tokenizer: the record keeps null counts rather than a guess presented as a count.
      }
    }
    if (entry.pricing && row.cost_usd === null && row.tokens_in !== null && row.tokens_out !== null && (row.tokens_in > 0 || row.tokens_out > 0)) {
      const price = this.#prices.price(entry.pricing.models, row.tokens_in, row.tokens_out, entry.pricing.providerUrl);
      entry.pricing = undefined;
      if (price) {
        row.cost_usd = price.costUsd;
        row.cost_source = price.source;
      }
    }
  }
}
