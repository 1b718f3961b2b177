// Traffic and scan records written off the hot path: a request enqueues its records and returns;
// the queue is written every flushIntervalMs, or as soon as flushBatchSize records wait. Token
// estimates and prices are computed here, not in the request. The rows go to the store's row
// writer (on SQLite a thread of its own, so no insert or commit runs on the event loop), and a
// record is announced only once committed. close() writes everything still queued, so a record
// acknowledged to a client is not lost on a clean shutdown; a failed write keeps its records for
// the next attempt.
import type { EventBus } from "../app/events.ts";
import type { ScanRecord } from "../scans/scan-service.ts";
import { scanRow } from "../scans/scan-store.ts";
import type { InsertTransaction, RowWriter } from "../store/row-writer.ts";
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

/**
 * Entries per transaction. On the writer thread the size costs requests nothing; it bounds what a
 * failing record takes down with it (its transaction stays queued) and, where writes run on the
 * event loop (the fallback when the writer thread is gone), the stall of one transaction.
 */
const WRITE_SLICE = 32;

export class TrafficRecorder {
  readonly #writer: RowWriter;
  readonly #options: RecorderOptions;
  readonly #prices: PriceTable;
  readonly #events: EventBus;
  readonly #onError: (err: unknown, dropped: number) => void;
  #queue: TrafficEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;
  written = 0;

  constructor(writer: RowWriter, options: RecorderOptions, prices: PriceTable, events: EventBus, onError: (err: unknown, dropped: number) => void) {
    this.#writer = writer;
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
    for (const entry of batch) await this.#complete(entry);
    const transactions: InsertTransaction[] = [];
    for (let at = 0; at < batch.length; at += WRITE_SLICE) {
      const slice = batch.slice(at, at + WRITE_SLICE);
      const rows = slice.flatMap((e) => (e.row ? [e.row] : []));
      transactions.push([
        { table: "scans", rows: slice.flatMap((e) => e.scans.map(scanRow)) },
        // A LiteLLM log batch sent twice carries the same call ids: keep the first.
        { table: "gateway_traffic", rows, ignoreConflicts: true },
      ]);
    }
    const { committed, error } = await this.#writer.write(transactions);
    const done = Math.min(batch.length, committed * WRITE_SLICE);
    this.written += done;
    if (error) {
      // Requeued ahead of what arrived meanwhile, so records stay in order.
      const requeued = [...batch.slice(done), ...this.#queue];
      const max = this.#options.maxQueued ?? 100_000;
      const dropped = Math.max(0, requeued.length - max);
      this.#queue = requeued.slice(dropped);
      this.#onError(error, dropped);
      if (!this.#closed) this.#timer ??= setTimeout(() => void this.flush(), Math.max(this.#options.flushIntervalMs, 500));
    }
    for (const entry of batch.slice(0, done)) {
      for (const scan of entry.scans) {
        void this.#events.emit("scan.completed", { scan, workspace: scan.workspace, keyId: scan.key_id, source: scan.source, agentId: entry.row?.agent_id ?? undefined });
      }
      if (entry.row) void this.#events.emit("traffic.recorded", { traffic: entry.row });
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
