// The RFC 5424 forwarder against real local collectors: a UDP socket and a TCP server reading
// octet-counted frames (RFC 6587). Checks the header (PRI = facility × 8 + severity), the
// structured data, the JSON payload, the prompt-text policy, and that a collector that was down
// receives the backlog once it is back.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createServer as createTlsServer } from "node:tls";
import { structuredData } from "../../src/soc/export/syslog-format.ts";
import { createTransport } from "../../src/soc/export/syslog-transport.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { scan, socOf } from "./client.ts";

interface Parsed {
  pri: number;
  timestamp: string;
  hostname: string;
  app: string;
  procId: string;
  msgId: string;
  sd: Record<string, string>;
  msg: Record<string, unknown>;
}

/** A strict RFC 5424 parser for what we send: one SD element, a BOM, then JSON. */
function parse(line: string): Parsed {
  const m = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) \[clawnex@32473((?: [a-z_]+="(?:[^"\\\]]|\\["\\\]])*")*)\] \uFEFF(.*)$/s.exec(line);
  assert.ok(m, `not RFC 5424: ${line.slice(0, 200)}`);
  const sd: Record<string, string> = {};
  for (const p of (m[7] ?? "").matchAll(/ ([a-z_]+)="((?:[^"\\\]]|\\["\\\]])*)"/g)) sd[p[1] ?? ""] = (p[2] ?? "").replace(/\\(["\\\]])/g, "$1");
  return { pri: Number(m[1]), timestamp: m[2] ?? "", hostname: m[3] ?? "", app: m[4] ?? "", procId: m[5] ?? "", msgId: m[6] ?? "", sd, msg: JSON.parse(m[8] ?? "") as Record<string, unknown> };
}

/** Splits an octet-counted TCP stream into messages (lengths are in bytes, not characters). */
function deframe(buffer: Buffer): { messages: string[]; rest: Buffer<ArrayBufferLike> } {
  const messages: string[] = [];
  let offset = 0;
  for (;;) {
    const space = buffer.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number(buffer.subarray(offset, space).toString("ascii"));
    assert.ok(Number.isInteger(length) && length > 0, "frame length");
    if (buffer.length < space + 1 + length) break;
    messages.push(buffer.subarray(space + 1, space + 1 + length).toString("utf8"));
    offset = space + 1 + length;
  }
  return { messages, rest: buffer.subarray(offset) };
}

interface Collector {
  port: number;
  messages: string[];
  stop(): Promise<void>;
}

function tcpCollector(port = 0): Promise<Collector> {
  const messages: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    let pending: Buffer<ArrayBufferLike> = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      const { messages: got, rest } = deframe(Buffer.concat([pending, chunk]));
      messages.push(...got);
      pending = rest;
    });
    socket.on("close", () => sockets.delete(socket));
  });
  const stop = (): Promise<void> =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve({ port: (server.address() as { port: number }).port, messages, stop })));
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
}

describe("syslog forwarder", () => {
  const servers: TestServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });

  test("UDP: one RFC 5424 datagram per alert and per audit event", async () => {
    const udp = createSocket("udp4");
    const datagrams: string[] = [];
    udp.on("message", (m) => datagrams.push(m.toString("utf8")));
    await new Promise<void>((r) => udp.bind(0, "127.0.0.1", () => r()));
    const port = udp.address().port;
    const server = await startTestServer({ configFile: { soc: { syslog: { enabled: true, transport: "udp", port, facility: 10, hostname: "soc-test", pollIntervalMs: 60_000 } } } });
    servers.push(server);
    const { key } = await server.createKey(["admin"]);
    await scan(server, key, "zz-block-me and 'quoted' ]brackets[", { agent: 'agent "quoted" ]x' });
    await socOf(server).flush();
    await socOf(server).forwarder?.tick();
    await until(() => datagrams.some((d) => d.includes(" alert ")), "an alert datagram");
    const alerts = datagrams.map(parse).filter((p) => p.msgId === "alert");
    assert.equal(alerts.length, 1);
    const a = alerts[0];
    assert.ok(a);
    assert.equal(a.pri, 10 * 8 + 2, "facility 10, severity crit");
    assert.equal(a.hostname, "soc-test");
    assert.equal(a.app, "clawnex");
    assert.equal(a.procId, String(process.pid));
    assert.equal(a.sd.rule, "shield.blocked");
    assert.equal(a.sd.agent, 'agent "quoted" ]x', "SD values escaped and read back");
    assert.equal(a.msg.object, "alert");
    assert.equal(a.msg.id, a.sd.id);
    assert.equal("excerpts" in a.msg, false, "no prompt text by default");
    assert.ok(!datagrams.join("").includes("brackets"), "scanned text never forwarded");
    const audit = datagrams.map(parse).filter((p) => p.msgId === "audit");
    assert.ok(audit.some((p) => p.sd.action === "key.created") && audit.some((p) => p.sd.action === "soc.alert.created"));
    assert.ok(audit.every((p) => p.pri === 10 * 8 + 5));
    // A second tick sends nothing new.
    const before = datagrams.length;
    await socOf(server).forwarder?.tick();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(datagrams.length, before);
    udp.close();
  });

  test("TCP: octet-counted frames; a collector that was down gets the backlog, with excerpts when policy allows", async () => {
    const first = await tcpCollector();
    const port = first.port;
    const server = await startTestServer({ configFile: { soc: { syslog: { enabled: true, transport: "tcp", port, audit: false, pollIntervalMs: 60_000 }, export: { includePromptText: true } } } });
    servers.push(server);
    const { key } = await server.createKey(["admin"]);
    const forwarder = socOf(server).forwarder;
    assert.ok(forwarder);
    await scan(server, key, "zz-block-me", { agent: "tcp-1" });
    await socOf(server).flush();
    await forwarder.tick();
    await until(() => first.messages.length === 1, "first alert over TCP");
    const one = parse(first.messages[0] ?? "");
    assert.equal(one.sd.agent, "tcp-1");
    assert.deepEqual(one.msg.excerpts, [{ scan_id: (one.msg.evidence as { scan_ids: string[] }).scan_ids[0], rule_id: "testing.block-marker", excerpt: "zz-block-me" }]);

    // The collector goes away; alerts raised meanwhile wait for it.
    await first.stop();
    await scan(server, key, "zz-block-me", { agent: "tcp-2" });
    await scan(server, key, "my token zzsecret_abcdefghij0123456789 ok", { agent: "tcp-3" });
    await socOf(server).flush();
    await forwarder.tick();
    const second = await tcpCollector(port);
    await forwarder.tick();
    await until(() => second.messages.length === 2, "backlog delivered after reconnect");
    const [two, three] = second.messages.map(parse);
    assert.equal(two?.sd.agent, "tcp-2");
    assert.equal(three?.sd.agent, "tcp-3");
    // Policy allows excerpts, but the Shield's masking of secrets still holds.
    const excerpt = JSON.stringify(three?.msg.excerpts);
    assert.ok(excerpt.includes("masked") && !excerpt.includes("abcdefghij0123456789"), excerpt);
    await forwarder.tick();
    assert.equal(second.messages.length, 2, "nothing sent twice");
    await second.stop();
  });

  test("TLS: the same frames over TLS, refusing an untrusted certificate unless told otherwise", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "clawnex-syslog-tls-"));
    try {
      try {
        execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
      } catch {
        return t.skip("openssl is not available to make a test certificate");
      }
      const messages: string[] = [];
      const server = createTlsServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, (socket) => {
        let pending: Buffer<ArrayBufferLike> = Buffer.alloc(0);
        socket.on("data", (chunk: Buffer) => {
          const { messages: got, rest } = deframe(Buffer.concat([pending, chunk]));
          messages.push(...got);
          pending = rest;
        });
        socket.on("error", () => {});
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      const port = (server.address() as { port: number }).port;
      const strict = createTransport({ transport: "tls", host: "127.0.0.1", port, tlsRejectUnauthorized: true });
      await assert.rejects(strict.send(["<13>1 - - - - - - x"]), /self-signed|certificate/i);
      await strict.close();
      const lax = createTransport({ transport: "tls", host: "127.0.0.1", port, tlsRejectUnauthorized: false });
      await lax.send(["<13>1 2025-01-01T00:00:00.000Z h clawnex 1 audit - \uFEFFone", "<13>1 2025-01-01T00:00:00.000Z h clawnex 1 audit - \uFEFFtwo ü"]);
      await until(() => messages.length === 2, "two TLS frames");
      assert.ok(messages[1]?.endsWith("two ü"));
      await lax.close();
      await new Promise<void>((r) => server.close(() => r()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("structured data escapes quote, backslash and closing bracket", () => {
    assert.equal(structuredData({ a: 'x"y\\z]w', b: null, c: 3 }), '[clawnex@32473 a="x\\"y\\\\z\\]w" c="3"]');
  });
});
