// One request to a provider as an undici dispatch handler: the response's status and headers,
// then its body as chunks, read whole (text) or one by one (async iteration). undici's request()
// wraps the same callbacks in a Readable stream, and for-await over that stream schedules several
// ticks per chunk; on the gateway's hot path (every call reads one body) that machinery cost
// about as much CPU as the rest of the body handling. An upstream that sends faster than the
// body is read is paused once a megabyte waits unread.
import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";

type Controller = Dispatcher.DispatchController;

const HIGH_WATER_BYTES = 1 << 20;

/** Why the reader stopped reading (its own decision, not a failure of the upstream). */
export class BodyDiscardedError extends Error {
  constructor() {
    super("the response body was discarded");
    this.name = "BodyDiscardedError";
  }
}

export class UpstreamExchange implements Dispatcher.DispatchHandler {
  status = 0;
  headers: IncomingHttpHeaders = {};
  /** Settles once the status and headers arrived, or rejects with the failure before them. */
  readonly started: Promise<void>;
  #startedSettle: { resolve: () => void; reject: (err: Error) => void } | null = null;
  readonly #signal: AbortSignal | undefined;
  #controller: Controller | null = null;
  /** An abort asked for before the request reached a connection: applied when it does. */
  #pendingAbort: Error | null = null;
  #chunks: Buffer[] = [];
  #head = 0;
  #unreadBytes = 0;
  #ended = false;
  #error: Error | null = null;
  #destroyed = false;
  /** Chunks are dropped as they arrive (dump()); above this many bytes the request is aborted. */
  #discardLimit = -1;
  #discarded = 0;
  #waiter: (() => void) | null = null;

  constructor(signal: AbortSignal | undefined) {
    this.#signal = signal;
    this.started = new Promise<void>((resolve, reject) => {
      this.#startedSettle = { resolve, reject };
    });
    if (signal) {
      if (signal.aborted) this.#pendingAbort = abortError(signal);
      else signal.addEventListener("abort", this.#onAbort);
    }
  }

  readonly #onAbort = (): void => {
    this.#abort(abortError(this.#signal));
  };

  onRequestStart(controller: Controller): void {
    this.#controller = controller;
    if (this.#pendingAbort) controller.abort(this.#pendingAbort);
  }

  onResponseStart(_controller: Controller, statusCode: number, headers: IncomingHttpHeaders): void {
    this.status = statusCode;
    this.headers = headers;
    this.#startedSettle?.resolve();
    this.#startedSettle = null;
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.#discardLimit >= 0) {
      this.#discarded += chunk.length;
      if (this.#discarded > this.#discardLimit) this.#abort(new BodyDiscardedError());
      return;
    }
    if (this.#destroyed) return;
    this.#chunks.push(chunk);
    this.#unreadBytes += chunk.length;
    if (this.#unreadBytes > HIGH_WATER_BYTES && !controller.paused) controller.pause();
    this.#wake();
  }

  onResponseEnd(): void {
    this.#ended = true;
    this.#release();
    this.#wake();
  }

  onResponseError(_controller: Controller, error: Error): void {
    this.#error ??= error;
    this.#release();
    this.#startedSettle?.reject(error);
    this.#startedSettle = null;
    this.#wake();
  }

  /** The whole body as UTF-8 text; past `limit` bytes the request is aborted and what came so far is returned. */
  async text(limit: number): Promise<string> {
    let size = 0;
    const parts: Buffer[] = [];
    for (;;) {
      while (this.#head < this.#chunks.length) {
        const chunk = this.#take();
        size += chunk.length;
        if (size > limit) {
          this.destroy();
          return Buffer.concat(parts).toString("utf8");
        }
        parts.push(chunk);
      }
      if (this.#error) throw this.#error;
      if (this.#ended) return parts.length === 1 ? (parts[0] as Buffer).toString("utf8") : Buffer.concat(parts).toString("utf8");
      await this.#nextEvent();
    }
  }

  /** Reads the rest and drops it, so the connection can carry the next request; aborts past `limit` bytes. Never rejects. */
  async dump(limit: number): Promise<void> {
    for (let i = this.#head; i < this.#chunks.length; i++) this.#discarded += (this.#chunks[i] as Buffer).length;
    this.#chunks = [];
    this.#head = 0;
    this.#unreadBytes = 0;
    this.#discardLimit = limit;
    this.#controller?.resume();
    if (this.#discarded > limit) this.#abort(new BodyDiscardedError());
    while (!this.#ended && !this.#error) await this.#nextEvent();
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return {
      next: () => this.#nextChunk(),
      return: () => {
        this.destroy();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  /** Stops reading: an unfinished request is aborted (its connection is not reused). */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#chunks = [];
    this.#head = 0;
    if (!this.#ended && !this.#error) this.#abort(new BodyDiscardedError());
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /**
   * The next read: everything that arrived since the last one, as one buffer. A reader that falls
   * behind (the stream relay scans each read) then takes bigger reads, not more of them.
   */
  async #nextChunk(): Promise<IteratorResult<Buffer>> {
    for (;;) {
      const queued = this.#chunks.length - this.#head;
      if (queued === 1) return { done: false, value: this.#take() };
      if (queued > 1) {
        const parts: Buffer[] = [];
        while (this.#head < this.#chunks.length) parts.push(this.#take());
        return { done: false, value: Buffer.concat(parts) };
      }
      if (this.#error) throw this.#error;
      if (this.#ended || this.#destroyed) return { done: true, value: undefined };
      await this.#nextEvent();
    }
  }

  #take(): Buffer {
    const chunk = this.#chunks[this.#head++] as Buffer;
    this.#unreadBytes -= chunk.length;
    if (this.#head === this.#chunks.length) {
      this.#chunks = [];
      this.#head = 0;
      if (this.#controller?.paused) this.#controller.resume();
    }
    return chunk;
  }

  #nextEvent(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#waiter = resolve;
    });
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.();
  }

  #abort(reason: Error): void {
    if (this.#controller) {
      if (!this.#controller.aborted) this.#controller.abort(reason);
    } else this.#pendingAbort ??= reason;
  }

  /** The exchange is over: the signal no longer concerns it. */
  #release(): void {
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException("This operation was aborted", "AbortError");
}
