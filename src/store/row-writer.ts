// Batched INSERTs for high-volume records written off the request path (the gateway's traffic and
// scan rows). node:sqlite is synchronous: on the server's event loop every insert, and above all
// every commit, holds up each request in flight, which is where the gateway's p99 came from. For
// SQLite the rows therefore go to a worker thread with its own connection (row-writer-worker.ts);
// PostgreSQL is asynchronous already and writes through Kysely in the caller's thread.
//
// Contract for both: write() commits its transactions in order, each all or nothing, and stops at
// the first one that fails; it resolves (never rejects) with how many were committed, so the
// caller knows exactly which records are durable and which to keep for a retry.
import { Worker } from "node:worker_threads";
import type { Insertable, Kysely } from "kysely";
import type { Database } from "./schema.ts";

/** One multi-row INSERT; ignoreConflicts = ON CONFLICT DO NOTHING (a unique key already present). */
export type RowInsert = {
  [T in keyof Database & string]: { table: T; rows: Array<Insertable<Database[T]>>; ignoreConflicts?: boolean };
}[keyof Database & string];

/** Inserts committed together. */
export type InsertTransaction = RowInsert[];

export interface WriteResult {
  /** Transactions committed, from the first; the rest were not written. */
  committed: number;
  /** Why transaction `committed` failed; absent when all were committed. */
  error?: Error;
}

export interface RowWriter {
  write(transactions: InsertTransaction[]): Promise<WriteResult>;
  /** Waits for writes in progress, then releases the writer (not the store's connection). */
  close(): Promise<void>;
}

/** Rows per INSERT statement: far below SQLite's and PostgreSQL's bound-parameter limits. */
const INSERT_CHUNK = 200;

async function insert<T extends keyof Database & string>(db: Kysely<Database>, op: { table: T; rows: Array<Insertable<Database[T]>>; ignoreConflicts?: boolean }): Promise<void> {
  for (let i = 0; i < op.rows.length; i += INSERT_CHUNK) {
    const query = db.insertInto(op.table).values(op.rows.slice(i, i + INSERT_CHUNK));
    await (op.ignoreConflicts ? query.onConflict((oc) => oc.doNothing()) : query).execute();
  }
}

/**
 * Writes through the given Kysely instance. For PostgreSQL this is the writer (its driver is
 * asynchronous); for SQLite only the fallback when the worker is gone, which yields a turn of the
 * event loop between transactions so that a large batch stalls requests for one transaction at most.
 */
export function kyselyRowWriter(db: Kysely<Database>, yieldBetween = false): RowWriter {
  // Writes run one after another, as on the writer thread: a later batch never commits before an
  // earlier one, and close() waits for the last in the chain, hence for all.
  let tail: Promise<unknown> = Promise.resolve();
  const run = async (transactions: InsertTransaction[]): Promise<WriteResult> => {
    for (let i = 0; i < transactions.length; i++) {
      if (i > 0 && yieldBetween) await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        await db.transaction().execute(async (trx) => {
          for (const op of transactions[i] ?? []) await insert(trx, op);
        });
      } catch (err) {
        return { committed: i, error: err instanceof Error ? err : new Error(String(err)) };
      }
    }
    return { committed: transactions.length };
  };
  return {
    write(transactions) {
      const result = tail.then(() => run(transactions));
      tail = result;
      return result;
    },
    async close() {
      await tail;
    },
  };
}

/**
 * Rows of one table with the same columns, as one flat list of values (row after row). Structured
 * clone writes every property name of every object it copies. Measured on 25 calls' rows: ~100
 * against ~50 µs to post them, conversion included, in a microbenchmark; in the server at 500/s the
 * posting side fell from ~34 to ~29 µs per call, the values themselves being most of the copy.
 */
export interface PackedInsert {
  table: string;
  ignoreConflicts: boolean;
  columns: string[];
  values: unknown[];
}

/** Messages between this thread and row-writer-worker.ts. */
export type WriterRequest = { id: number; transactions: PackedInsert[][] } | "stop";
export type WriterReply = { id: number; committed: number; error?: { message: string; code?: string } } | "stopped";

/** The transaction's rows grouped into runs of the same table and columns; an undefined property is no column (as in Kysely). */
export function packTransaction(transaction: InsertTransaction): PackedInsert[] {
  const packed: PackedInsert[] = [];
  for (const op of transaction) {
    let run: PackedInsert | undefined;
    for (const row of op.rows as Array<Record<string, unknown>>) {
      const columns = Object.keys(row).filter((c) => row[c] !== undefined);
      if (!run || !sameColumns(run.columns, columns)) {
        run = { table: op.table, ignoreConflicts: op.ignoreConflicts === true, columns, values: [] };
        packed.push(run);
      }
      for (const c of columns) run.values.push(row[c]);
    }
  }
  return packed;
}

function sameColumns(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * SQLite: rows are posted (structured clone) to a worker thread that inserts them on its own
 * connection; WAL lets it commit while this thread's connection reads. Started on the first write,
 * so CLI commands that never record traffic pay nothing. If the worker dies, writes in flight are
 * answered as failed (the caller keeps and retries them) and later ones go through `fallback` on
 * the main connection: slower for requests, but nothing is lost. A worker that committed a batch
 * and died before answering makes that batch's retry meet its own rows (see the caller).
 */
export class SqliteRowWriter implements RowWriter {
  readonly #path: string;
  readonly #fallback: RowWriter;
  #worker: Worker | undefined;
  /** Resolves when the thread has exited, for whatever reason. */
  #exited: Promise<void> | undefined;
  #dead = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, (result: WriteResult) => void>();
  #drained: (() => void) | undefined;

  constructor(path: string, fallback: RowWriter) {
    this.#path = path;
    this.#fallback = fallback;
  }

  write(transactions: InsertTransaction[]): Promise<WriteResult> {
    if (transactions.length === 0) return Promise.resolve({ committed: 0 });
    const worker = this.#dead || this.#closed ? undefined : this.#start();
    if (!worker) return this.#fallback.write(transactions);
    const id = this.#nextId++;
    return new Promise<WriteResult>((resolve) => {
      this.#pending.set(id, resolve);
      // Held while it owes answers, so a process cannot exit with acknowledged rows unwritten.
      if (this.#pending.size === 1) worker.ref();
      const request: WriterRequest = { id, transactions: transactions.map(packTransaction) };
      worker.postMessage(request);
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    if (worker) {
      // Answers first (a thread that dies meanwhile answers them as failed), then a clean stop:
      // the thread closes its connection, so its last commits are in the WAL before the store's
      // final checkpoint.
      if (this.#pending.size > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
      if (!this.#dead) {
        worker.ref();
        worker.on("message", (m: WriterReply) => {
          if (m === "stopped") void worker.terminate();
        });
        const stop: WriterRequest = "stop";
        worker.postMessage(stop);
      }
      await this.#exited;
    }
    await this.#fallback.close();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL("./row-writer-worker.ts", import.meta.url), { workerData: { path: this.#path } });
    worker.unref();
    worker.on("message", (m: WriterReply) => {
      if (m === "stopped") return;
      this.#settle(m.id, { committed: m.committed, ...(m.error ? { error: Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {}) } : {}) });
    });
    const die = (reason: Error) => {
      this.#dead = true;
      for (const id of [...this.#pending.keys()]) this.#settle(id, { committed: 0, error: reason });
    };
    worker.on("error", die);
    this.#exited = new Promise<void>((resolve) => {
      worker.once("exit", (code) => {
        die(new Error(`SQLite writer thread exited (code ${code}); writing on the main connection`));
        resolve();
      });
    });
    this.#worker = worker;
    return worker;
  }

  #settle(id: number, result: WriteResult): void {
    const resolve = this.#pending.get(id);
    if (!resolve) return;
    this.#pending.delete(id);
    if (this.#pending.size === 0) {
      this.#worker?.unref();
      this.#drained?.();
      this.#drained = undefined;
    }
    resolve(result);
  }
}
