// The MCP server's only way into ClawNex: the public HTTP API, with one API key. The server
// therefore holds exactly that key's scopes and sees exactly its workspace; it never opens the
// database. API errors come back as ClawnexApiError with the API's own code and message.
import { readFileSync } from "node:fs";

export const MCP_SERVER_VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export class ClawnexApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, requestId: string | null = null, details: unknown = undefined) {
    super(message);
    this.name = "ClawnexApiError";
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.details = details;
  }
}

export type QueryValue = string | number | boolean | undefined | null;

export interface ApiClientOptions {
  /** ClawNex's base URL (a path prefix behind a reverse proxy is kept). */
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
}

interface ErrorEnvelope {
  error?: { code?: unknown; message?: unknown; request_id?: unknown; details?: unknown };
}

export class ClawnexApiClient {
  readonly baseUrl: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number;

  constructor(options: ApiClientOptions) {
    const parsed = new URL(options.baseUrl);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error(`CLAWNEX_URL must be http(s), not ${parsed.protocol}`);
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  get(path: string, query: Record<string, QueryValue> = {}): Promise<Record<string, unknown>> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
    const qs = params.toString();
    return this.#request("GET", `${path}${qs ? `?${qs}` : ""}`);
  }

  post(path: string, body: unknown): Promise<Record<string, unknown>> {
    return this.#request("POST", path, body);
  }

  async #request(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.#apiKey}`, accept: "application/json", "user-agent": `clawnex-mcp/${MCP_SERVER_VERSION}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.#timeoutMs),
        redirect: "error",
      });
    } catch (err) {
      const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      throw new ClawnexApiError(0, timedOut ? "timeout" : "unreachable", timedOut ? `ClawNex at ${this.baseUrl} did not answer within ${this.#timeoutMs / 1000} s` : `cannot reach ClawNex at ${this.baseUrl}: ${cause}`);
    }
    const declared = Number(response.headers.get("content-length") ?? "0");
    if (declared > MAX_RESPONSE_BYTES) throw new ClawnexApiError(response.status, "response_too_large", `ClawNex answered with ${declared} bytes; ask for a smaller page`);
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      const e = (parsed as ErrorEnvelope | null)?.error;
      if (e && typeof e.code === "string" && typeof e.message === "string") throw new ClawnexApiError(response.status, e.code, e.message, typeof e.request_id === "string" ? e.request_id : null, e.details);
      throw new ClawnexApiError(response.status, `http_${response.status}`, `ClawNex answered HTTP ${response.status}: ${text.slice(0, 200)}`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new ClawnexApiError(response.status, "bad_response", `ClawNex answered ${method} ${path} with something other than a JSON object`);
    return parsed as Record<string, unknown>;
  }
}
