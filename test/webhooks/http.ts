// HTTP helpers for the webhook API tests.
import { type Reply, sendJson } from "../helpers/http.ts";
import type { TestServer } from "../helpers/server.ts";

export type Json = Reply;

export async function call(server: TestServer, method: string, path: string, key: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<Json> {
  return sendJson(`${server.url}${path}`, method, { key, auth: "bearer", body, headers });
}

/** Polls `probe` until it returns a value (deliveries are asynchronous). */
export async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

