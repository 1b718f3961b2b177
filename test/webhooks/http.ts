// HTTP helpers for the webhook API tests.
import type { TestServer } from "../helpers/server.ts";

export interface Json {
  status: number;
  headers: Headers;
  body: any;
}

export async function call(server: TestServer, method: string, path: string, key: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<Json> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
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

