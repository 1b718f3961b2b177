// `clawnex start` (what `npm start` runs): serves on the configured loopback port with its data in
// CLAWNEX_DATA_DIR, and on SIGTERM/SIGINT shuts down cleanly — exit 0, nothing left pending (the
// traffic records of calls already answered included: they are written by a thread of their own),
// the SQLite WAL folded back into the database file. Its access log: one line per request.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.ts";
import { openStore } from "../../src/store/database.ts";
import { startFakeUpstream } from "../helpers/fake-upstream.ts";
import { captureIo } from "../helpers/io.ts";

const BIN = fileURLToPath(new URL("../../bin/clawnex.js", import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startServer(dir: string, env: NodeJS.ProcessEnv = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, "start"], { env: { PATH: process.env.PATH, CLAWNEX_DATA_DIR: dir, CLAWNEX_PORT: String(port), CLAWNEX_LOG_LEVEL: "warn", ...env } });
  const server = { port, child, stderr: "", stdout: "", exited: new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code))) };
  child.stderr.on("data", (d: Buffer) => (server.stderr += d.toString()));
  child.stdout.on("data", (d: Buffer) => (server.stdout += d.toString()));
  for (let i = 0; i < 150 && !server.stderr.includes("ClawNex listening on"); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(server.stderr, new RegExp(`ClawNex listening on http://127\\.0\\.0\\.1:${port}`));
  return server;
}

test("clawnex start serves on loopback and stops cleanly on a signal", async () => {
  const dir = mkdtempSync(join(tmpdir(), "clawnex-start-"));
  try {
    const server = await startServer(dir);
    const health = await fetch(`http://127.0.0.1:${server.port}/api/v1/health`);
    assert.deepEqual(await health.json(), { status: "ok" });
    server.child.kill("SIGTERM");
    assert.equal(await server.exited, 0);
    assert.doesNotMatch(server.stderr, /unsettled top-level await|Error/);
    assert.ok(existsSync(join(dir, "clawnex.db")));
    assert.equal(existsSync(join(dir, "clawnex.db-wal")), false, "the WAL was checkpointed and removed on close");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

interface LogLine {
  msg: string;
  level: number;
  reqId?: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
  responseTime?: number;
}

/** Gateway calls (answered, sent with a wrong key, failed by the upstream) and a request for no route, with the server logging at `level`. */
async function accessLines(level: string): Promise<{ lines: LogLine[]; ids: Record<"ok" | "rejected" | "failed" | "missing", string | null>; stdout: string; key: string }> {
  const dir = mkdtempSync(join(tmpdir(), "clawnex-start-"));
  const upstream = await startFakeUpstream();
  try {
    writeFileSync(join(dir, "clawnex.config.json"), JSON.stringify({ providers: [{ id: "local", baseUrl: upstream.baseUrl, apiKeyEnv: "LOCAL_KEY", models: ["*"], maxRetries: 0 }] }));
    const io = captureIo({ CLAWNEX_DATA_DIR: dir });
    assert.equal(await main(["keys", "create", "--name", "agent", "--scopes", "chat"], io), 0, io.err());
    const key = io.out().trim();
    const server = await startServer(dir, { LOCAL_KEY: "sk-local", CLAWNEX_LOG_LEVEL: level });
    const chat = async (bearer: string) => {
      const res = await fetch(`http://127.0.0.1:${server.port}/v1/chat/completions?trace=1`, {
        method: "POST",
        headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "hello" }] }),
      });
      await res.text();
      return res;
    };
    const ok = await chat(key);
    const rejected = await chat(`${key.slice(0, 13)}${"x".repeat(32)}`);
    assert.equal(rejected.status, 401);
    upstream.queue({ kind: "error", status: 503 });
    const failed = await chat(key);
    assert.ok(failed.status >= 500, `the upstream failure reaches the client as a 5xx (got ${failed.status})`);
    const missing = await fetch(`http://127.0.0.1:${server.port}/api/v1/nothing-here`, { headers: { "x-clawnex-key": key } });
    await missing.text();
    server.child.kill("SIGTERM");
    assert.equal(await server.exited, 0);
    const lines = server.stdout.trim().split("\n").map((l) => JSON.parse(l) as LogLine).filter((l) => l.reqId !== undefined);
    const id = (res: Response) => res.headers.get("x-request-id");
    return { lines, ids: { ok: id(ok), rejected: id(rejected), failed: id(failed), missing: id(missing) }, stdout: server.stdout, key };
  } finally {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("access log at the default level: one line per request once it is answered (none on arrival); a gateway call answered with success, which has its traffic record, has none; never the key", async () => {
  const { lines, ids, stdout, key } = await accessLines("info");
  const chatUrl = "/v1/chat/completions?trace=1";
  assert.deepEqual(
    lines.map((l) => [l.msg, l.reqId, l.req?.method, l.req?.url, l.res?.statusCode]),
    [
      ["request completed", ids.rejected, "POST", chatUrl, 401],
      ["request completed", ids.failed, "POST", chatUrl, lines[1]?.res?.statusCode],
      ["request completed", ids.missing, "GET", "/api/v1/nothing-here", 404],
    ],
  );
  assert.ok((lines[1]?.res?.statusCode ?? 0) >= 500);
  for (const line of lines) assert.ok(typeof line.responseTime === "number" && line.responseTime > 0);
  assert.ok(!stdout.includes(key.slice(13)), "the key's secret part is never logged");
});

test("access log at debug: the answered gateway call gets its line too", async () => {
  const { lines, ids } = await accessLines("debug");
  const completed = lines.filter((l) => l.msg === "request completed");
  assert.deepEqual(completed.map((l) => l.reqId), [ids.ok, ids.rejected, ids.failed, ids.missing]);
  assert.equal(completed[0]?.res?.statusCode, 200);
});

test("on SIGTERM the traffic records of every call already answered are written before exit", async () => {
  const dir = mkdtempSync(join(tmpdir(), "clawnex-start-"));
  const upstream = await startFakeUpstream();
  try {
    // The longest flush interval and largest batch allowed: only the shutdown path writes the records.
    const gateway = { traffic: { flushIntervalMs: 10_000, flushBatchSize: 10_000 } };
    writeFileSync(join(dir, "clawnex.config.json"), JSON.stringify({ providers: [{ id: "local", baseUrl: upstream.baseUrl, apiKeyEnv: "LOCAL_KEY", models: ["*"] }], gateway }));
    const io = captureIo({ CLAWNEX_DATA_DIR: dir });
    assert.equal(await main(["keys", "create", "--name", "agent", "--scopes", "chat"], io), 0, io.err());
    const key = io.out().trim();
    const server = await startServer(dir, { LOCAL_KEY: "sk-local" });
    const calls = 60;
    const answers = await Promise.all(
      Array.from({ length: calls }, async (_, i) => {
        const res = await fetch(`http://127.0.0.1:${server.port}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "m", messages: [{ role: "user", content: `call ${i}` }] }),
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    assert.deepEqual(new Set(answers), new Set([200]));
    server.child.kill("SIGTERM");
    assert.equal(await server.exited, 0);
    const store = await openStore({ dataDir: dir });
    try {
      const traffic = await store.db.selectFrom("gateway_traffic").select("inbound_scan_id").execute();
      assert.equal(traffic.length, calls);
      const scans = await store.db.selectFrom("scans").select("id").where("source", "=", "gateway").execute();
      assert.equal(scans.length, calls * 2, "the inbound and outbound scan of each call");
    } finally {
      await store.close();
    }
  } finally {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("on SIGTERM a running stream and a client that never sent a request get the grace period, not a hang; the cut stream is recorded", async () => {
  const dir = mkdtempSync(join(tmpdir(), "clawnex-start-"));
  const upstream = await startFakeUpstream();
  const silent = new Socket();
  try {
    // A generation that would run for a minute.
    upstream.setDefault({ kind: "text", chunks: Array.from({ length: 600 }, (_, i) => `w${i} `), chunkDelayMs: 100 });
    writeFileSync(join(dir, "clawnex.config.json"), JSON.stringify({ server: { shutdownGraceMs: 1000 }, providers: [{ id: "local", baseUrl: upstream.baseUrl, apiKeyEnv: "LOCAL_KEY", models: ["*"] }] }));
    const io = captureIo({ CLAWNEX_DATA_DIR: dir });
    assert.equal(await main(["keys", "create", "--name", "agent", "--scopes", "chat"], io), 0, io.err());
    const key = io.out().trim();
    const server = await startServer(dir, { LOCAL_KEY: "sk-local" });
    await new Promise<void>((resolve) => silent.connect(server.port, "127.0.0.1", resolve));
    const res = await fetch(`http://127.0.0.1:${server.port}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "write a long story" }] }),
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const aborted = upstream.aborted;
    server.child.kill("SIGTERM");
    // Both connections would otherwise hold the server for a minute (the stream) and 60 s (the
    // silent one's header timeout); the test's own timeout is far below that.
    assert.equal(await server.exited, 0);
    while (!(await reader.read().catch(() => ({ done: true }))).done);
    assert.equal(upstream.aborted, aborted + 1, "the cut stream's upstream call was aborted");
    const store = await openStore({ dataDir: dir });
    try {
      const rows = await store.db.selectFrom("gateway_traffic").select(["outcome", "stream"]).execute();
      assert.deepEqual(rows.map((r) => ({ ...r })), [{ outcome: "client_disconnect", stream: 1 }]);
    } finally {
      await store.close();
    }
  } finally {
    silent.destroy();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
