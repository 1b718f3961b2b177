// A tiny HTTP client for the fleet tests: real fetch against the real server, JSON in and out.
import { type Reply, sendJson } from "../helpers/http.ts";
import type { TestServer } from "../helpers/server.ts";

export type { Reply };

export interface FleetClient {
  key: string;
  get(path: string, headers?: Record<string, string>): Promise<Reply>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  patch(path: string, body: unknown, headers?: Record<string, string>): Promise<Reply>;
  del(path: string, headers?: Record<string, string>): Promise<Reply>;
}

export async function send(url: string, method: string, key: string | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return sendJson(url, method, { key, body, headers });
}

/** A client bound to `server` and `key`; paths are relative to /api/v1 (or /api/v1/sandbox). */
export function client(server: TestServer, key: string, options: { sandbox?: boolean } = {}): FleetClient {
  const base = `${server.url}/api/v1${options.sandbox ? "/sandbox" : ""}`;
  return {
    key,
    get: (path, headers) => send(base + path, "GET", key, undefined, headers),
    post: (path, body, headers) => send(base + path, "POST", key, body, headers),
    patch: (path, body, headers) => send(base + path, "PATCH", key, body, headers),
    del: (path, headers) => send(base + path, "DELETE", key, undefined, headers),
  };
}

/** Polls `read` until `done` holds (or fails after `timeoutMs`). */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
