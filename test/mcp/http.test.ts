// The Streamable HTTP transport: started by the server process (MCP_ENABLED=1) and by
// `clawnex mcp --http`; used with the SDK's StreamableHTTPClientTransport; attacked with a
// missing and a wrong bearer token, foreign Origins, a rebinding Host, GET, oversized bodies.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { ConfigError } from "../../src/errors.ts";
import type { McpModule } from "../../src/mcp/module.ts";
import type { TestServer } from "../helpers/server.ts";
import { ACCEPT, BIN, call, httpClient, INITIALIZE, MCP_KEY, prepareDataDir, READER_SCOPES, ROOT, startOn, text } from "./harness.ts";

async function rawPost(url: string, headers: Record<string, string>, body: unknown = INITIALIZE): Promise<{ status: number; headers: Headers; body: string }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: ACCEPT, ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** node:http, because fetch will not send a Host header of our choosing. */
function rawWithHost(url: string, host: string): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers: { host, authorization: `Bearer ${MCP_KEY}`, "content-type": "application/json", accept: ACCEPT } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(JSON.stringify(INITIALIZE));
  });
}

describe("MCP over Streamable HTTP, started by the server (MCP_ENABLED=1)", () => {
  let server: TestServer;
  let url: string;

  before(async () => {
    const prepared = await prepareDataDir({ mcp: READER_SCOPES });
    server = await startOn(prepared, { MCP_ENABLED: "1", MCP_PORT: "0", MCP_API_KEY: MCP_KEY, CLAWNEX_API_KEY: prepared.keys.mcp ?? "" });
    const mcp = server.services.modules.find((m): m is McpModule => m.name === "mcp");
    url = mcp?.url() ?? "";
  });
  after(() => server?.close());

  test("listens on 127.0.0.1 only, at /mcp", () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    assert.notEqual(new URL(url).port, new URL(server.url).port);
  });

  test("the SDK client lists and calls the tools with the configured ClawNex key", async () => {
    const client = await httpClient(url, MCP_KEY);
    try {
      const { tools } = await client.listTools();
      assert.equal(tools.length, 9);
      const scan = await call(client, "shield_scan", { text: "zz-review-me please" });
      assert.equal(scan.isError, undefined, text(scan));
      assert.equal(scan.structuredContent?.verdict, "REVIEW");
      const fleet = await call(client, "fleet_status");
      assert.equal(fleet.isError, undefined, text(fleet));
      const alerts = await call(client, "recent_alerts", { order: "asc" });
      assert.equal(alerts.isError, undefined, text(alerts));
      const posture = await call(client, "host_posture", { min_severity: "critical" });
      assert.equal(posture.isError, undefined, text(posture));
    } finally {
      await client.close();
    }
  });

  test("a missing or wrong bearer token is 401, for the SDK client and raw requests", async () => {
    await assert.rejects(httpClient(url, null), /401|unauthorized/i);
    await assert.rejects(httpClient(url, "mcp-test-bearer-0123456789abcdeX"), /401|unauthorized/i);
    const none = await rawPost(url, {});
    assert.equal(none.status, 401);
    assert.equal(none.headers.get("www-authenticate"), 'Bearer realm="clawnex-mcp"');
    assert.match(none.body, /"code":-32001/);
    assert.equal((await rawPost(url, { authorization: `Basic ${Buffer.from(`x:${MCP_KEY}`).toString("base64")}` })).status, 401);
    assert.equal((await rawPost(url, { authorization: `Bearer ${MCP_KEY}extra` })).status, 401);
    assert.equal((await rawPost(url, { authorization: `Bearer ${MCP_KEY.slice(0, -1)}` })).status, 401);
  });

  test("a foreign Origin is 403 even with the right token; loopback origins are fine", async () => {
    const auth = { authorization: `Bearer ${MCP_KEY}` };
    for (const origin of ["https://evil.example", "http://127.0.0.1.evil.example", "null", "file://", "http://192.168.1.10:3000"]) {
      const r = await rawPost(url, { ...auth, origin });
      assert.equal(r.status, 403, origin);
      assert.match(r.body, /Origin is not a loopback origin/);
    }
    assert.equal((await rawPost(url, { origin: "https://evil.example" })).status, 403, "Origin is checked before the token");
    for (const origin of ["http://localhost:6274", "http://127.0.0.1:3000", "http://[::1]:8080"]) assert.equal((await rawPost(url, { ...auth, origin })).status, 200, origin);
    await assert.rejects(httpClient(url, MCP_KEY, { origin: "https://evil.example" }), /403|forbidden/i);
  });

  test("a rebinding Host header is 403; GET, other paths and oversized bodies are refused", async () => {
    const port = new URL(url).port;
    assert.equal(await rawWithHost(url, `evil.example:${port}`), 403);
    assert.equal(await rawWithHost(url, `localhost:${port}`), 200);
    const get = await fetch(url, { headers: { authorization: `Bearer ${MCP_KEY}`, accept: "text/event-stream" } });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    await get.body?.cancel();
    const other = await fetch(url.replace("/mcp", "/"), { method: "POST", headers: { authorization: `Bearer ${MCP_KEY}` } });
    assert.equal(other.status, 404);
    await other.body?.cancel();
    const huge = await rawPost(url, { authorization: `Bearer ${MCP_KEY}` }, JSON.stringify({ ...INITIALIZE, pad: "x".repeat(1_100_000) }));
    assert.equal(huge.status, 413);
    const malformed = await rawPost(url, { authorization: `Bearer ${MCP_KEY}` }, "{not json");
    assert.equal(malformed.status, 400);
  });
});

describe("MCP HTTP misconfiguration fails start-up", () => {
  test("no MCP_API_KEY, a short one, or no CLAWNEX_API_KEY", async () => {
    const prepared = await prepareDataDir({ mcp: READER_SCOPES });
    const cases: Array<[NodeJS.ProcessEnv, RegExp]> = [
      [{ MCP_ENABLED: "1", MCP_PORT: "0", CLAWNEX_API_KEY: prepared.keys.mcp }, /needs MCP_API_KEY/],
      [{ MCP_ENABLED: "1", MCP_PORT: "0", MCP_API_KEY: "short", CLAWNEX_API_KEY: prepared.keys.mcp }, /at least 16 characters/],
      [{ MCP_ENABLED: "1", MCP_PORT: "0", MCP_API_KEY: MCP_KEY }, /needs CLAWNEX_API_KEY/],
    ];
    for (const [env, message] of cases) {
      await assert.rejects(startOn(prepared, env), (err: unknown) => err instanceof ConfigError && message.test(err.message));
    }
    const off = await startOn(prepared, { MCP_API_KEY: MCP_KEY });
    assert.equal(off.services.modules.find((m): m is McpModule => m.name === "mcp")?.url(), null, "disabled unless MCP_ENABLED=1");
    await off.close();
  });
});

test("clawnex mcp --http serves the tools until SIGTERM", async () => {
  const prepared = await prepareDataDir({ mcp: READER_SCOPES });
  const server = await startOn(prepared);
  const child = spawn(process.execPath, [BIN, "mcp", "--http"], { cwd: ROOT, env: { PATH: process.env.PATH, CLAWNEX_URL: server.url, CLAWNEX_API_KEY: prepared.keys.mcp, MCP_API_KEY: MCP_KEY, MCP_PORT: "0" }, stdio: ["ignore", "pipe", "pipe"] });
  try {
    let stderr = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
        const m = /Streamable HTTP on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr);
        if (m?.[1]) resolve(m[1]);
      });
      child.once("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const client = await httpClient(url, MCP_KEY);
    const scan = await call(client, "shield_scan", { text: "please zz-block-me now" });
    assert.equal(scan.structuredContent?.verdict, "BLOCK");
    await client.close();
    assert.equal((await rawPost(url, { authorization: `Bearer ${MCP_KEY}`, origin: "https://evil.example" })).status, 403);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await server.close();
  }
});
