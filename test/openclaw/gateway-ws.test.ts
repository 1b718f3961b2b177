// The gateway WebSocket status read, against a minimal RFC 6455 server on 127.0.0.1 that speaks
// OpenClaw's protocol v4 frames (connect.challenge, connect, status, usage.cost) with payloads
// shaped like a real 2026.9.6 gateway's. The real gateway itself is exercised by test:openclaw.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { after, describe, test } from "node:test";
import { readGatewayStatus } from "../../src/openclaw/fleet/gateway-ws.ts";

type Handler = (frame: { id: string; method: string; params: Record<string, unknown> }) => { ok: boolean; payload?: unknown; error?: unknown } | null;

function sendText(socket: Duplex, text: string): void {
  const data = Buffer.from(text);
  const header = data.length < 126 ? Buffer.from([0x81, data.length]) : data.length < 65536 ? Buffer.from([0x81, 126, data.length >> 8, data.length & 255]) : Buffer.concat([Buffer.from([0x81, 127]), Buffer.from([0, 0, 0, 0]), Buffer.from([(data.length >>> 24) & 255, (data.length >>> 16) & 255, (data.length >>> 8) & 255, data.length & 255])]);
  socket.write(Buffer.concat([header, data]));
}

/** Decodes the masked text frames a client sends (no fragmentation needed here). */
function frames(buffer: Buffer): { texts: string[]; rest: Buffer } {
  const texts: string[] = [];
  let offset = 0;
  while (buffer.length - offset >= 6) {
    const opcode = (buffer[offset] as number) & 0x0f;
    let length = (buffer[offset + 1] as number) & 0x7f;
    let at = offset + 2;
    if (length === 126) {
      length = buffer.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      length = Number(buffer.readBigUInt64BE(at));
      at += 8;
    }
    if (buffer.length < at + 4 + length) break;
    const mask = buffer.subarray(at, at + 4);
    const payload = Buffer.from(buffer.subarray(at + 4, at + 4 + length).map((b, i) => b ^ (mask[i % 4] as number)));
    if (opcode === 1) texts.push(payload.toString("utf8"));
    offset = at + 4 + length;
  }
  return { texts, rest: buffer.subarray(offset) };
}

async function fakeWsGateway(handler: Handler, options: { challenge?: boolean } = {}): Promise<{ url: string; connects: Array<Record<string, unknown>>; close(): Promise<void> }> {
  const connects: Array<Record<string, unknown>> = [];
  const sockets = new Set<Duplex>();
  const server: Server = createServer((_req, res) => res.writeHead(426).end());
  server.on("upgrade", (req, socket) => {
    sockets.add(socket);
    const accept = createHash("sha1").update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    if (options.challenge !== false) sendText(socket, JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: "n", ts: Date.now() } }));
    let pending: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      const decoded = frames(Buffer.concat([pending, chunk]));
      pending = decoded.rest;
      for (const text of decoded.texts) {
        const frame = JSON.parse(text) as { id: string; method: string; params: Record<string, unknown> };
        if (frame.method === "connect") connects.push(frame.params);
        const answer = handler(frame);
        if (answer) sendText(socket, JSON.stringify({ type: "res", id: frame.id, ...answer }));
      }
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connects,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

const STATUS = { runtimeVersion: "2026.9.6", heartbeat: { agents: [{ agentId: "main" }, { agentId: "ops" }] }, sessions: { count: 3, byAgent: [{ agentId: "main", path: "[redacted]", count: 3 }] } };
const USAGE = { updatedAt: 1, days: 30, daily: [{ date: "2026-11-23", totalCost: 0.25 }, { date: "2026-11-24", totalCost: 0.5 }] };

describe("gateway WebSocket status read", () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const close of closers) await close();
  });

  test("answers the challenge with the token, then reads version, agents, sessions and cost", async () => {
    const gw = await fakeWsGateway((f) => {
      if (f.method === "connect") return (f.params.auth as { token?: string }).token === "tok" ? { ok: true, payload: { type: "hello-ok", protocol: 4, server: { version: "2026.9.6" }, auth: { role: "operator", scopes: ["operator.read"] } } } : { ok: false, error: { code: "UNAUTHORIZED", message: "bad token" } };
      if (f.method === "status") return { ok: true, payload: STATUS };
      if (f.method === "usage.cost") return { ok: true, payload: USAGE };
      return { ok: false, error: { message: "unknown method" } };
    });
    closers.push(gw.close);
    const read = await readGatewayStatus(gw.url, "tok", 3000);
    assert.equal(read.connected, true);
    assert.equal(read.serverVersion, "2026.9.6");
    assert.deepEqual(read.scopes, ["operator.read"]);
    assert.equal(read.sessions, 3);
    assert.deepEqual(read.agents, [{ id: "main", sessions: 3 }, { id: "ops", sessions: null }]);
    assert.equal(read.costUsd, 0.75);
    assert.deepEqual(read.errors, []);
    assert.equal(gw.connects[0]?.minProtocol, 4);
    assert.equal((gw.connects[0]?.client as { id: string }).id, "gateway-client");

    const refused = await readGatewayStatus(gw.url, "wrong", 3000);
    assert.equal(refused.connected, false);
    assert.deepEqual(refused.errors, ["connect: bad token"]);
  });

  test("missing scopes and silent gateways are reported, not thrown", async () => {
    const scoped = await fakeWsGateway((f) => (f.method === "connect" ? { ok: true, payload: { protocol: 4, server: { version: "2026.9.6" }, auth: { scopes: [] } } } : { ok: false, error: { code: "FORBIDDEN", message: "missing scope: operator.read" } }), { challenge: false });
    closers.push(scoped.close);
    const read = await readGatewayStatus(scoped.url, "tok", 5000);
    assert.equal(read.serverVersion, "2026.9.6", "a gateway without connect.challenge is still read");
    assert.deepEqual(read.errors, ["status: missing scope: operator.read", "usage.cost: missing scope: operator.read"]);
    const silent = await fakeWsGateway(() => null);
    closers.push(silent.close);
    const timedOut = await readGatewayStatus(silent.url, "tok", 500);
    assert.equal(timedOut.connected, false);
    assert.match(timedOut.errors.join(), /no complete answer within 500 ms/);
  });
});
