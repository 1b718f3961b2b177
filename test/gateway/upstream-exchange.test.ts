// The upstream exchange against a real HTTP server over a real undici Pool: bodies read whole and
// chunk by chunk, limits, a paused fast sender, dumped bodies leaving the connection reusable, and
// aborts before and after the response started.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { Pool } from "undici";
import { UpstreamExchange } from "../../src/gateway/upstream-exchange.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe("UpstreamExchange", () => {
  let server: Server;
  let pool: Pool;
  let handle: Handler = (_req, res) => res.end("ok");
  /** Server-side: responses whose client went away before they finished. */
  let closedEarly = 0;
  const sockets = new Set<unknown>();

  before(async () => {
    server = createServer((req, res) => {
      res.on("close", () => {
        if (!res.writableFinished) closedEarly++;
      });
      req.resume();
      req.on("end", () => handle(req, res));
    });
    server.on("connection", (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 1 });
  });
  after(async () => {
    await pool.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const send = (signal?: AbortSignal) => {
    const exchange = new UpstreamExchange(signal);
    pool.dispatch({ method: "POST", path: "/", body: "{}" }, exchange);
    return exchange;
  };
  const waitFor = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(check());
  };

  test("reads status, lower-cased headers and a body sent in several chunks", async () => {
    handle = (_req, res) => {
      res.writeHead(201, { "X-Thing": "yes" });
      res.write("é".repeat(3));
      setTimeout(() => res.end("-end"), 5);
    };
    const exchange = send();
    await exchange.started;
    assert.equal(exchange.status, 201);
    assert.equal(exchange.headers["x-thing"], "yes");
    assert.equal(await exchange.text(1024), "ééé-end");
  });

  test("past the limit the request is aborted and only what came within it is returned", async () => {
    const before = closedEarly;
    handle = (_req, res) => {
      res.write("a".repeat(100));
      setTimeout(() => res.write("b".repeat(100)), 5);
      // Never ends by itself: only the abort finishes this exchange.
    };
    const exchange = send();
    await exchange.started;
    assert.equal(await exchange.text(150), "a".repeat(100));
    await waitFor(() => closedEarly === before + 1);
  });

  test("chunks arrive in order through for-await, whole, from a sender far ahead of the reader", async () => {
    const total = 64;
    handle = (_req, res) => {
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          const chunk = Buffer.alloc(64 * 1024, 97 + (sent % 26));
          sent++;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    };
    const exchange = send();
    await exchange.started;
    const parts: Buffer[] = [];
    for await (const part of exchange) {
      parts.push(part);
      // A slow reader: the 4 MB body arrives faster than it is read (past the pause threshold).
      await new Promise((r) => setImmediate(r));
    }
    const body = Buffer.concat(parts);
    assert.equal(body.length, total * 64 * 1024);
    for (let i = 0; i < total; i++) assert.equal(body[i * 64 * 1024 + 100], 97 + (i % 26));
  });

  test("a body broken off by the upstream rejects the reader", async () => {
    handle = (_req, res) => {
      res.writeHead(200, { "content-length": "1000" });
      res.write("partial");
      setTimeout(() => res.socket?.destroy(), 5);
    };
    const exchange = send();
    await exchange.started;
    await assert.rejects(exchange.text(1_000_000));
  });

  test("a dumped body leaves the connection to carry the next request", async () => {
    let requests = 0;
    handle = (_req, res) => {
      // The first body is still coming when it is dumped.
      if (requests++ > 0) return void res.end("x".repeat(10_000));
      res.write("y".repeat(100_000));
      setTimeout(() => res.end("y".repeat(100_000)), 20);
    };
    const first = send();
    await first.started;
    const connections = sockets.size;
    await first.dump(1024 * 1024);
    const second = send();
    await second.started;
    assert.equal(await second.text(100_000), "x".repeat(10_000));
    // The pool holds one connection: the second request went over the first one's, not a new one.
    assert.equal(sockets.size, connections);
  });

  test("an abort before the response rejects started; after it, the reader; the upstream sees both go", async () => {
    const before = closedEarly;
    handle = () => {
      // Hangs: only an abort ends it.
    };
    const early = new AbortController();
    const waiting = send(early.signal);
    setTimeout(() => early.abort(), 10);
    await assert.rejects(waiting.started, (err: Error) => err.name === "AbortError");

    handle = (_req, res) => res.write("begun");
    const late = new AbortController();
    const streaming = send(late.signal);
    await streaming.started;
    const reading = streaming.text(1024);
    late.abort();
    await assert.rejects(reading, (err: Error) => err.name === "AbortError");
    await waitFor(() => closedEarly === before + 2);
  });

  test("a signal aborted before dispatch stops the request as soon as it reaches a connection", async () => {
    let served = 0;
    handle = (_req, res) => {
      served++;
      res.end("should not be read");
    };
    const exchange = send(AbortSignal.abort());
    await assert.rejects(exchange.started);
    assert.equal(served, 0);
  });

  test("destroy() while the body is still coming aborts the request", async () => {
    const before = closedEarly;
    handle = (_req, res) => res.write("first part");
    const exchange = send();
    await exchange.started;
    for await (const _ of exchange) break;
    assert.equal(exchange.destroyed, true);
    await waitFor(() => closedEarly === before + 1);
  });
});
