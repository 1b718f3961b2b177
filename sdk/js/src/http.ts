// The transport every resource uses: fetch with a per-attempt timeout, retries with exponential
// backoff and jitter on network errors, 429 (honouring Retry-After) and 5xx, and an automatic
// Idempotency-Key on writes that stays the same across the retries of one call, so a retried
// write never happens twice.
import { APIConnectionError, APIError, APITimeoutError, ClawNexError } from "./errors.ts";

export interface ClientOptions {
  /** Server URL, e.g. http://127.0.0.1:5001. Default: CLAWNEX_URL (where `process` exists). */
  baseURL?: string | undefined;
  /** API key (cnx_...). Default: CLAWNEX_API_KEY (where `process` exists). */
  apiKey?: string | undefined;
  /** Retries after the first attempt (default 2). */
  maxRetries?: number | undefined;
  /** Per-attempt timeout in ms (default 60 000). */
  timeoutMs?: number | undefined;
  /** A fetch implementation (default: the global fetch). */
  fetch?: typeof fetch | undefined;
  defaultHeaders?: Record<string, string> | undefined;
  /** Backoff: first delay in ms (default 500), doubled per retry up to maxRetryDelayMs (default 8000). */
  initialRetryDelayMs?: number | undefined;
  maxRetryDelayMs?: number | undefined;
  /** Called before each retry (for logging): why, and how long the client waits. */
  onRetry?: ((info: RetryInfo) => void) | undefined;
}

export interface RetryInfo {
  method: string;
  path: string;
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  /** HTTP status, or null for a network error or timeout. */
  status: number | null;
  /** The Idempotency-Key sent (the same on every attempt of one call), if any. */
  idempotencyKey: string | undefined;
}

export type QueryValue = string | number | boolean | null | undefined | readonly string[];

export interface RequestOptions {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  path: string;
  query?: Record<string, QueryValue> | object | undefined;
  /** JSON-serialised, or sent as is when FormData/Blob/string. */
  body?: unknown;
  headers?: Record<string, string> | undefined;
  /** For writes; generated when absent. Pass null to send none. */
  idempotencyKey?: string | null | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
}

/** Per-call overrides a caller may pass to any method. */
export type CallOptions = Pick<RequestOptions, "headers" | "idempotencyKey" | "signal" | "timeoutMs" | "maxRetries">;

const WRITES = new Set(["POST", "PATCH", "PUT", "DELETE"]);
export const SDK_VERSION = "0.1.0";

function environment(name: string): string | undefined {
  // Browsers have no process: options must be passed explicitly there.
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const value = proc?.env?.[name];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function newIdempotencyKey(): string {
  return `sdk-${globalThis.crypto.randomUUID()}`;
}

/** Retry-After as milliseconds (delta seconds or HTTP date); null if absent or unusable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | null {
  const value = headers.get("retry-after");
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** AbortSignal.any where it exists (Node 20+, current browsers), else a hand-made equivalent. */
function anySignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  const native = (AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
  if (native) return native([a, b]);
  const controller = new AbortController();
  for (const s of [a, b]) {
    if (s.aborted) controller.abort(s.reason);
    else s.addEventListener("abort", () => controller.abort(s.reason), { once: true });
  }
  return controller.signal;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });

export class Transport {
  readonly baseURL: string;
  readonly #apiKey: string;
  readonly #maxRetries: number;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #headers: Record<string, string>;
  readonly #initialDelay: number;
  readonly #maxDelay: number;
  readonly #onRetry: ClientOptions["onRetry"];

  constructor(options: ClientOptions = {}) {
    const baseURL = options.baseURL ?? environment("CLAWNEX_URL");
    const apiKey = options.apiKey ?? environment("CLAWNEX_API_KEY");
    if (!baseURL) throw new ClawNexError("no server URL: pass baseURL or set CLAWNEX_URL");
    if (!apiKey) throw new ClawNexError("no API key: pass apiKey or set CLAWNEX_API_KEY");
    this.baseURL = baseURL.replace(/\/+$/, "");
    this.#apiKey = apiKey;
    this.#maxRetries = options.maxRetries ?? 2;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#headers = options.defaultHeaders ?? {};
    this.#initialDelay = options.initialRetryDelayMs ?? 500;
    this.#maxDelay = options.maxRetryDelayMs ?? 8000;
    this.#onRetry = options.onRetry;
  }

  url(path: string, query?: RequestOptions["query"]): string {
    const url = new URL(this.baseURL + path);
    for (const [name, value] of Object.entries(query ?? {}) as Array<[string, QueryValue]>) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(name, String(v));
      else url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  /** Exponential backoff with jitter: between half and all of min(max, initial * 2^retry). */
  backoffMs(retry: number): number {
    const ceiling = Math.min(this.#maxDelay, this.#initialDelay * 2 ** retry);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  /** Sends the request (retrying as described above) and returns the successful Response. */
  async send(options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": `clawnex-sdk-js/${SDK_VERSION}`,
      ...this.#headers,
      ...options.headers,
      authorization: `Bearer ${this.#apiKey}`,
    };
    if (WRITES.has(options.method) && options.idempotencyKey !== null) headers["idempotency-key"] = options.idempotencyKey ?? newIdempotencyKey();
    let body: RequestInit["body"];
    if (options.body === undefined) body = undefined;
    else if (typeof options.body === "string" || options.body instanceof FormData || options.body instanceof Blob || options.body instanceof URLSearchParams) body = options.body;
    else {
      body = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    const url = this.url(options.path, options.query);
    const maxRetries = options.maxRetries ?? this.#maxRetries;
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    for (let retry = 0; ; retry++) {
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), timeoutMs);
      const signal = options.signal ? anySignal(options.signal, timeout.signal) : timeout.signal;
      let response: Response;
      try {
        response = await this.#fetch(url, { method: options.method, headers, body, signal });
      } catch (err) {
        clearTimeout(timer);
        if (options.signal?.aborted) throw err;
        const failure = timeout.signal.aborted ? new APITimeoutError(timeoutMs) : new APIConnectionError(`could not reach ${this.baseURL}: ${(err as Error)?.message ?? String(err)}`, err);
        if (retry >= maxRetries) throw failure;
        await this.#wait(options, retry, this.backoffMs(retry), null, headers);
        continue;
      }
      clearTimeout(timer);
      if (response.ok) return response;
      const retryable = response.status === 429 || response.status >= 500 || response.status === 408 || (response.status === 409 && "idempotency-key" in headers && response.headers.has("retry-after"));
      if (retryable && retry < maxRetries) {
        await response.body?.cancel().catch(() => undefined);
        const asked = retryAfterMs(response.headers);
        // The server's Retry-After wins (capped at a minute); otherwise back off with jitter.
        await this.#wait(options, retry, asked !== null ? Math.min(asked, 60_000) : this.backoffMs(retry), response.status, headers);
        continue;
      }
      const text = await response.text().catch(() => "");
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      throw APIError.from(response.status, parsed, response.headers);
    }
  }

  async #wait(options: RequestOptions, retry: number, delayMs: number, status: number | null, headers: Record<string, string>): Promise<void> {
    this.#onRetry?.({ method: options.method, path: options.path, retry: retry + 1, delayMs, status, idempotencyKey: headers["idempotency-key"] });
    await sleep(delayMs, options.signal);
  }

  /** send() and parse the JSON answer. */
  async json<T>(options: RequestOptions): Promise<T> {
    const response = await this.send(options);
    const text = await response.text();
    return (text ? JSON.parse(text) : null) as T;
  }
}
