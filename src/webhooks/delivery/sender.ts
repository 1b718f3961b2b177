// Sends one delivery attempt: a POST of the stored JSON body with both signature styles, through
// an undici Agent whose DNS lookup is guarded (see url-policy.ts). Redirects are not followed (a
// 3xx is a failed attempt, as Standard Webhooks advises), the whole attempt has a deadline, and at
// most a few KB of the receiver's answer are read and then discarded.
import { performance } from "node:perf_hooks";
import { Agent, request } from "undici";
import { parseRetryAfter } from "./retry-schedule.ts";
import { checkUrlSyntax, DestinationRefusedError, guardedLookup, type Resolver, type UrlPolicy } from "./url-policy.ts";

export interface SendRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface SendOutcome {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  /** A short reason, never containing the URL or resolved addresses. */
  error: string | null;
  retryAfterSeconds?: number | undefined;
  /** The receiver answered 410 Gone: it wants no more deliveries. */
  gone: boolean;
}

export interface Sender {
  send(req: SendRequest, now: Date): Promise<SendOutcome>;
  close(): Promise<void>;
}

const RESPONSE_READ_LIMIT = 16 * 1024;
export const USER_AGENT = "ClawNex-Webhooks/1";

function describeError(err: unknown, timeoutMs: number): string {
  if (err instanceof DestinationRefusedError) return `destination refused: ${err.message}`;
  const e = err as { name?: string; code?: string; cause?: unknown; message?: string };
  if (e?.name === "TimeoutError" || e?.name === "AbortError" || e?.code === "UND_ERR_HEADERS_TIMEOUT" || e?.code === "UND_ERR_BODY_TIMEOUT" || e?.code === "UND_ERR_CONNECT_TIMEOUT") {
    return `timed out after ${timeoutMs} ms`;
  }
  const cause = e?.cause as { code?: string; name?: string; message?: string } | undefined;
  if (cause instanceof DestinationRefusedError) return `destination refused: ${cause.message}`;
  const code = e?.code ?? cause?.code;
  if (code === "EREFUSED" && e?.message?.startsWith("url ")) return `destination refused: ${e.message}`;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return "connection reset by the receiver";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host could not be resolved";
    default:
      return code ? `network error (${code})` : "network error";
  }
}

export class HttpSender implements Sender {
  readonly #agent: Agent;
  readonly #timeoutMs: number;
  readonly #policy: UrlPolicy;

  constructor(options: { timeoutMs: number; policy: UrlPolicy; connections?: number; resolver?: Resolver }) {
    this.#timeoutMs = options.timeoutMs;
    this.#policy = options.policy;
    this.#agent = new Agent({
      connect: { lookup: guardedLookup(options.policy, options.resolver), timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connections: options.connections ?? 32,
    });
  }

  async send(req: SendRequest, now: Date): Promise<SendOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
    try {
      // Literal addresses never reach the guarded lookup: check them (and the syntax) here.
      checkUrlSyntax(req.url, this.#policy);
      const response = await request(req.url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": USER_AGENT, ...req.headers },
        body: req.body,
        dispatcher: this.#agent,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      await response.body.dump({ limit: RESPONSE_READ_LIMIT }).catch(() => undefined);
      const status = response.statusCode;
      const ok = status >= 200 && status < 300;
      return {
        ok,
        statusCode: status,
        latencyMs: elapsed(),
        error: ok ? null : status >= 300 && status < 400 ? `redirect (${status}) not followed: update the webhook url` : `receiver answered ${status}`,
        retryAfterSeconds: status === 429 || status === 503 ? parseRetryAfter(response.headers["retry-after"], now) : undefined,
        gone: status === 410,
      };
    } catch (err) {
      return { ok: false, statusCode: null, latencyMs: elapsed(), error: describeError(err, this.#timeoutMs), gone: false };
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
