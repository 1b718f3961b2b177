// Calls to provider routes over keep-alive connection pools (one undici Pool per origin), with
// retries and backoff for failures that happen before anything reached the client: connection
// errors, 429 and 5xx. The route's key goes only to the route's own origin.
import type { IncomingHttpHeaders } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { Pool, errors as undiciErrors } from "undici";
import type { ProviderRoute } from "./providers.ts";
import { UpstreamExchange } from "./upstream-exchange.ts";

export interface UpstreamTimeouts {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

export interface UpstreamRequest {
  route: ProviderRoute;
  /** Path below the route's base URL, e.g. "/chat/completions". */
  path: string;
  body: string | Buffer;
  headers: Record<string, string>;
  signal?: AbortSignal | undefined;
  maxRetries: number;
  retryBaseMs: number;
}

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Read with text(limit), or chunk by chunk with for-await; destroy() when giving up on it. */
  body: UpstreamExchange;
  attempts: number;
}

/** A failure to get any response from the upstream (after retries). */
export class UpstreamConnectError extends Error {
  readonly attempts: number;
  readonly timeout: boolean;
  constructor(message: string, attempts: number, timeout: boolean) {
    super(message);
    this.name = "UpstreamConnectError";
    this.attempts = attempts;
    this.timeout = timeout;
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

function isTimeout(err: unknown): boolean {
  return err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.ConnectTimeoutError || err instanceof undiciErrors.BodyTimeoutError;
}

/** Delay before retry n (1-based): exponential with full jitter, or the upstream's Retry-After when short. */
export function backoffMs(attempt: number, baseMs: number, retryAfter: string | string[] | undefined): number {
  const given = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  const seconds = given !== undefined ? Number(given) : Number.NaN;
  if (Number.isFinite(seconds) && seconds >= 0 && seconds <= 10) return seconds * 1000;
  const cap = baseMs * 2 ** (attempt - 1);
  return cap / 2 + Math.random() * (cap / 2);
}

export class UpstreamClient {
  readonly #pools = new Map<string, Pool>();
  readonly #timeouts: UpstreamTimeouts;

  constructor(timeouts: UpstreamTimeouts) {
    this.#timeouts = timeouts;
  }

  #pool(route: ProviderRoute): Pool {
    let pool = this.#pools.get(route.origin);
    if (!pool) {
      pool = new Pool(route.origin, {
        connections: 256,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        connect: { timeout: this.#timeouts.connectTimeoutMs },
        headersTimeout: route.config.timeoutMs ?? this.#timeouts.headersTimeoutMs,
        bodyTimeout: this.#timeouts.bodyTimeoutMs,
      });
      this.#pools.set(route.origin, pool);
    }
    return pool;
  }

  /**
   * Sends the request, retrying connection errors and retryable statuses (the failed response's
   * body is drained so its connection is reused). A final retryable status is returned, not thrown.
   */
  async send(request: UpstreamRequest): Promise<UpstreamResponse> {
    const pool = this.#pool(request.route);
    const path = `${request.route.basePath}${request.path}`;
    let attempt = 0;
    for (;;) {
      attempt++;
      const exchange = new UpstreamExchange(request.signal);
      try {
        pool.dispatch({ method: "POST", path, headers: request.headers, body: request.body }, exchange);
        await exchange.started;
      } catch (err) {
        if (request.signal?.aborted) throw err;
        if (attempt > request.maxRetries) throw new UpstreamConnectError(describe(err), attempt, isTimeout(err));
        await sleep(backoffMs(attempt, request.retryBaseMs, undefined), undefined, { signal: request.signal });
        continue;
      }
      if (isRetryableStatus(exchange.status) && attempt <= request.maxRetries) {
        await exchange.dump(1024 * 1024);
        await sleep(backoffMs(attempt, request.retryBaseMs, exchange.headers["retry-after"]), undefined, { signal: request.signal });
        continue;
      }
      return { status: exchange.status, headers: exchange.headers, body: exchange, attempts: attempt };
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((p) => p.close().catch(() => undefined)));
    this.#pools.clear();
  }
}

function describe(err: unknown): string {
  if (isTimeout(err)) return "the upstream did not answer in time";
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" ? `cannot reach the upstream (${code})` : "cannot reach the upstream";
}
