// The JS SDK's retries against a local server that misbehaves on purpose: 429 with Retry-After,
// 5xx, dropped connections and silence; one Idempotency-Key across the retries of a write.
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { APIConnectionError, APITimeoutError, BadRequestError, ClawNex, InternalServerError, RateLimitError, type RetryInfo } from "../../sdk/js/src/index.ts";

interface Hit {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** A local server whose answers the test scripts: [status, headers] per request, or "drop" to cut the socket. */
async function scriptedServer(script: Array<[number, Record<string, string>?] | "drop" | "hang">): Promise<{ url: string; hits: Hit[]; close(): Promise<void> }> {
  const hits: Hit[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      hits.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers });
      const step = script[Math.min(hits.length - 1, script.length - 1)];
      if (step === "drop") return req.socket.destroy();
      if (step === "hang") return;
      const [status, headers] = step ?? [200];
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(status < 300 ? JSON.stringify({ id: "wh_1", ok: true }) : JSON.stringify({ error: { code: status === 429 ? "rate_limited" : "internal_error", message: "scripted", request_id: `req_${hits.length}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe("JS SDK retries", () => {
  const clientFor = (url: string, retries: RetryInfo[], options: Partial<ConstructorParameters<typeof ClawNex>[0]> = {}) =>
    new ClawNex({ baseURL: url, apiKey: "cnx_test", initialRetryDelayMs: 20, maxRetryDelayMs: 200, onRetry: (info) => retries.push(info), ...options });

  it("retries 429 after the server's Retry-After, with the same Idempotency-Key", async () => {
    const server = await scriptedServer([[429, { "retry-after": "1" }], [200]]);
    const retries: RetryInfo[] = [];
    try {
      await clientFor(server.url, retries).webhooks.create({ url: "https://example.com/", events: ["task.created"] });
      assert.equal(server.hits.length, 2);
      assert.deepEqual(
        retries.map((r) => [r.status, r.delayMs]),
        [[429, 1000]],
      );
      assert.ok(server.hits[0]?.headers["idempotency-key"]);
      assert.equal(server.hits[0]?.headers["idempotency-key"], server.hits[1]?.headers["idempotency-key"]);
    } finally {
      await server.close();
    }
  });

  it("retries 5xx with exponential backoff and jitter, then succeeds", async () => {
    const server = await scriptedServer([[503], [502], [500], [200]]);
    const retries: RetryInfo[] = [];
    try {
      await clientFor(server.url, retries, { maxRetries: 3 }).webhooks.get("wh_1");
      assert.equal(server.hits.length, 4);
      assert.deepEqual(
        retries.map((r) => r.status),
        [503, 502, 500],
      );
      // Each delay lies between half and all of min(200, 20 * 2^n).
      retries.forEach((r, n) => {
        const ceiling = Math.min(200, 20 * 2 ** n);
        assert.ok(r.delayMs >= ceiling / 2 && r.delayMs <= ceiling, `retry ${n}: ${r.delayMs}`);
      });
      assert.equal(server.hits[0]?.headers["idempotency-key"], undefined, "reads carry no idempotency key");
    } finally {
      await server.close();
    }
  });

  it("gives up after maxRetries with a typed error", async () => {
    const server = await scriptedServer([[500]]);
    try {
      await assert.rejects(async () => await clientFor(server.url, []).webhooks.list(), (err: unknown) => err instanceof InternalServerError && err.status === 500 && err.requestId === "req_3");
      assert.equal(server.hits.length, 3);
      const limited = await scriptedServer([[429, { "retry-after": "0" }]]);
      try {
        await assert.rejects(async () => await clientFor(limited.url, [], { maxRetries: 1 }).webhooks.list(), (err: unknown) => err instanceof RateLimitError && err.retryAfterSeconds === 0);
        assert.equal(limited.hits.length, 2);
      } finally {
        await limited.close();
      }
    } finally {
      await server.close();
    }
  });

  it("does not retry other 4xx answers", async () => {
    const server = await scriptedServer([[400]]);
    try {
      await assert.rejects(async () => await clientFor(server.url, []).webhooks.list(), BadRequestError);
      assert.equal(server.hits.length, 1);
    } finally {
      await server.close();
    }
  });

  it("retries network errors and times out a silent server", async () => {
    const dropping = await scriptedServer(["drop", "drop", [200]]);
    const retries: RetryInfo[] = [];
    try {
      await clientFor(dropping.url, retries).webhooks.rotateSecret("wh_1");
      assert.equal(dropping.hits.length, 3);
      assert.deepEqual(
        retries.map((r) => r.status),
        [null, null],
      );
      assert.equal(new Set(dropping.hits.map((h) => h.headers["idempotency-key"])).size, 1);
    } finally {
      await dropping.close();
    }
    const silent = await scriptedServer(["hang"]);
    try {
      await assert.rejects(async () => await clientFor(silent.url, [], { timeoutMs: 150, maxRetries: 1 }).webhooks.list(), APITimeoutError);
      assert.equal(silent.hits.length, 2);
    } finally {
      await silent.close();
    }
    await assert.rejects(async () => await clientFor("http://127.0.0.1:9", [], { maxRetries: 1 }).webhooks.list(), APIConnectionError);
  });
});
