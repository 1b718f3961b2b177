// The MCP tools over stdio: the real `bin/clawnex.js mcp` spawned by the SDK's StdioClientTransport,
// talking to a real ClawNex server. Every tool against its real endpoint; scopes, a wrong key,
// a missing key and an unreachable server as the clean MCP errors an assistant sees.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { TestServer } from "../helpers/server.ts";
import { call, prepareDataDir, READER_SCOPES, startOn, stdioClient, text } from "./harness.ts";

const TOOL_NAMES = ["audit_events", "fleet_status", "host_posture", "incident_detail", "recent_alerts", "recent_incidents", "shield_scan", "traffic_and_costs", "trust_findings"];

describe("clawnex mcp (stdio)", () => {
  let server: TestServer;
  let keys: Record<string, string>;
  let reader: Client;
  let readerStderr: () => string;

  before(async () => {
    const prepared = await prepareDataDir({ reader: READER_SCOPES, scanOnly: ["shield:scan"] });
    keys = prepared.keys;
    server = await startOn(prepared);
    const spawned = await stdioClient({ CLAWNEX_URL: server.url, CLAWNEX_API_KEY: keys.reader ?? "", CLAWNEX_DATA_DIR: prepared.dataDir });
    reader = spawned.client;
    readerStderr = spawned.stderr;
  });
  after(async () => {
    await reader?.close();
    await server?.close();
  });

  test("lists every tool with a description and a described input schema", async () => {
    const { tools } = await reader.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), TOOL_NAMES);
    for (const t of tools) {
      assert.ok((t.description ?? "").length > 40, t.name);
      assert.equal(t.inputSchema.type, "object");
      for (const [prop, schema] of Object.entries(t.inputSchema.properties ?? {})) assert.ok((schema as { description?: string }).description, `${t.name}.${prop} has a description`);
    }
    assert.equal(tools.find((t) => t.name === "shield_scan")?.annotations?.readOnlyHint, false);
    assert.equal(tools.find((t) => t.name === "recent_alerts")?.annotations?.readOnlyHint, true);
    const info = reader.getServerVersion();
    assert.equal(info?.name, "clawnex");
    assert.match(reader.getInstructions() ?? "", /exactly that key's scopes/);
    assert.match(readerStderr(), new RegExp(`serving ClawNex at ${server.url.replace(/[.]/g, "\\.")} over stdio`));
  });

  test("shield_scan: the verdict and detections, recorded as an mcp scan", async () => {
    const result = await call(reader, "shield_scan", { text: "please zz-block-me now" });
    assert.equal(result.isError, undefined, text(result));
    assert.equal(result.structuredContent?.verdict, "BLOCK");
    assert.match(text(result), /^Verdict BLOCK \(score \d+, mode OBSERVE, not enforced\)/);
    assert.match(text(result), /\[CRITICAL\] testing\.block-marker: Test marker that must be blocked/);
    const stored = await server.services.scanStore.get("default", result.structuredContent?.id ?? "");
    assert.equal(stored?.source, "mcp");
    const clean = await call(reader, "shield_scan", { text: "what is the weather like", direction: "outbound" });
    assert.equal(clean.structuredContent?.verdict, "ALLOW");
    assert.match(text(clean), /No detections\./);
  });

  test("fleet_status, traffic_and_costs, audit_events, host_posture read their endpoints", async () => {
    const fleet = await call(reader, "fleet_status");
    assert.equal(fleet.isError, undefined, text(fleet));
    assert.match(text(fleet), /^0 instances at \d{4}-/);
    assert.deepEqual(fleet.structuredContent?.instances, []);

    const traffic = await call(reader, "traffic_and_costs", { limit: 5 });
    assert.equal(traffic.isError, undefined, text(traffic));
    assert.match(text(traffic), /^Traffic \(all time\) → now: 0 requests/);
    assert.ok(traffic.structuredContent?.costs?.total && Array.isArray(traffic.structuredContent?.traffic?.data));

    const audit = await call(reader, "audit_events", { action: "key" });
    assert.equal(audit.isError, undefined, text(audit));
    assert.match(text(audit), /audit events? matching "key"/);
    const events = audit.structuredContent?.data ?? [];
    assert.ok(events.length >= 2, "the two keys created for this test");
    assert.ok(events.every((e) => String(e.action).startsWith("key")));

    const posture = await call(reader, "host_posture", {});
    assert.equal(posture.isError, undefined, text(posture));
    assert.match(text(posture), /^Posture of .+ scanned .+ \(advisory table \d{4}-\d{2}-\d{2}\): critical \d+/);
    assert.match(text(posture), /Not checked: .*updates \(disabled by posture\.disabledChecks\)/);
  });

  test("recent_alerts, recent_incidents and incident_detail read the SOC endpoints", async () => {
    const alerts = await call(reader, "recent_alerts", { severity: ["high", "critical"], status: ["open"], limit: 5 });
    assert.equal(alerts.isError, undefined, text(alerts));
    assert.match(text(alerts), /^\d+ alerts? \(newest first\):/);
    assert.ok(Array.isArray(alerts.structuredContent?.data));
    const incidents = await call(reader, "recent_incidents", { limit: 5 });
    assert.equal(incidents.isError, undefined, text(incidents));
    assert.ok(Array.isArray(incidents.structuredContent?.data));
    const missing = await call(reader, "incident_detail", { id: "inc_does_not_exist" });
    assert.equal(missing.isError, true);
    assert.equal(missing.structuredContent?.error?.status, 404);
    assert.equal(missing.structuredContent?.error?.code, "not_found");
    assert.match(text(missing), /^ClawNex API error 404 not_found: /);
  });

  test("incident_detail explains a real incident, found through recent_incidents", async () => {
    // A prompt-extraction attempt, then a secret in a response, on the same agent: the SOC's
    // corr.extraction-then-leak rule opens an incident.
    const base = { workspace: "default", source: "shield", kind: "shield.detection", agent: "agent-mcp", session: "s1" };
    await server.services.events.emit("soc.event", { ...base, severity: "high", category: "prompt_injection", summary: "prompt extraction attempt", attributes: { direction: "inbound", rule_ids: ["injection.prompt-extraction"], categories: ["prompt_injection"] } });
    await server.services.events.emit("soc.event", { ...base, severity: "critical", category: "secret", summary: "AWS key in a response", attributes: { direction: "outbound", rule_ids: ["secrets.aws-access-key"], categories: ["secret"] } });
    const list = await call(reader, "recent_incidents", { severity: ["critical"] });
    assert.equal(list.isError, undefined, text(list));
    const incident = (list.structuredContent?.data ?? []).find((i) => i.rule_id === "corr.extraction-then-leak");
    assert.ok(incident, text(list));
    assert.match(text(list), /\[CRITICAL\] open · Prompt-extraction attempt, then a secret or the system prompt in a response · score \d+/);
    const detail = await call(reader, "incident_detail", { id: String(incident.id) });
    assert.equal(detail.isError, undefined, text(detail));
    assert.match(text(detail), /^\[CRITICAL\] Prompt-extraction attempt, then a secret/);
    assert.match(text(detail), /rule corr\.extraction-then-leak · score \d+/);
    assert.match(text(detail), /grouped by agent=agent-mcp/);
    assert.match(text(detail), /\nWhy: .+/);
    assert.match(text(detail), /Events in order:\n1\. .+ \[high\] shield\.detection agent agent-mcp: prompt extraction attempt \[steps: extraction\]\n2\. .+ \[critical\] shield\.detection agent agent-mcp: AWS key in a response \[steps: leak\]/);
  });

  test("trust_findings without a watched instance is a clean API error", async () => {
    const result = await call(reader, "trust_findings");
    assert.equal(result.isError, true);
    const status = result.structuredContent?.error?.status ?? 0;
    assert.ok(status >= 400 && status < 500, JSON.stringify(result.structuredContent));
    assert.match(text(result), /^ClawNex API error 4\d\d [a-z_]+: .+/);
  });

  test("invalid arguments are refused before any API call", async () => {
    const result = await call(reader, "shield_scan", { text: "x", direction: "sideways" });
    assert.equal(result.isError, true);
    assert.match(text(result), /Input validation error/);
    const tooMany = await call(reader, "recent_alerts", { limit: 1000 });
    assert.equal(tooMany.isError, true);
  });

  test("a key without the scope: the tool error names the missing scope", async () => {
    const { client } = await stdioClient({ CLAWNEX_URL: server.url, CLAWNEX_API_KEY: keys.scanOnly ?? "" });
    try {
      const denied = await call(client, "fleet_status");
      assert.equal(denied.isError, true);
      assert.equal(denied.structuredContent?.error?.code, "forbidden_scope");
      assert.deepEqual(denied.structuredContent?.error?.details, { required_scope: "fleet:read" });
      assert.match(text(denied), /403 forbidden_scope: this API key lacks the required scope 'fleet:read'\. The ClawNex API key this MCP server uses lacks that scope/);
      for (const [tool, scope] of [["recent_alerts", "alerts:read"], ["audit_events", "audit:read"], ["host_posture", "fleet:read"]] as const) {
        const r = await call(client, tool);
        assert.equal(r.structuredContent?.error?.code, "forbidden_scope", tool);
        assert.match(text(r), new RegExp(`'${scope}'`), tool);
      }
      assert.equal((await call(client, "shield_scan", { text: "hello" })).isError, undefined);
    } finally {
      await client.close();
    }
  });

  test("a wrong key: every tool answers unauthorized, nothing leaks the key", async () => {
    const wrong = "cnx_WrongKey0000000000000000000000000000";
    const { client, transport } = await stdioClient({ CLAWNEX_URL: server.url, CLAWNEX_API_KEY: wrong });
    const pid = transport.pid;
    try {
      const r = await call(client, "shield_scan", { text: "hello" });
      assert.equal(r.isError, true);
      assert.equal(r.structuredContent?.error?.code, "unauthorized");
      assert.match(text(r), /401 unauthorized: invalid, expired or revoked API key\. Check CLAWNEX_API_KEY/);
      assert.ok(!JSON.stringify(r).includes(wrong));
    } finally {
      await client.close();
    }
    // Closing the client (its stdin) ends the server process.
    assert.ok(pid);
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });

  test("a missing key: the server refuses to start and says why on stderr", async () => {
    await assert.rejects(stdioClient({ CLAWNEX_URL: server.url }), /Connection closed|closed/i);
    // Run the command directly to read its message and exit status.
    const { spawnSync } = await import("node:child_process");
    const { BIN } = await import("./harness.ts");
    const run = spawnSync(process.execPath, [BIN, "mcp"], { env: { PATH: process.env.PATH, CLAWNEX_URL: server.url }, input: "", encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 2);
    assert.equal(run.stdout, "", "stdout is reserved for MCP messages");
    assert.match(run.stderr, /needs CLAWNEX_API_KEY/);
  });

  test("an endpoint this ClawNex does not offer is a clean 404 tool error", async () => {
    // In process, over the SDK's in-memory transport: the tools against a base URL where no route exists.
    const { InMemoryTransport } = await import("@modelcontextprotocol/sdk/inMemory.js");
    const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
    const { ClawnexApiClient } = await import("../../src/mcp/api-client.ts");
    const { createMcpServer } = await import("../../src/mcp/server.ts");
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const mcp = createMcpServer(new ClawnexApiClient({ baseUrl: `${server.url}/not-clawnex`, apiKey: keys.reader ?? "" }));
    await mcp.connect(serverSide);
    const client = new Client({ name: "in-memory", version: "1" });
    await client.connect(clientSide);
    try {
      const r = await call(client, "recent_alerts");
      assert.equal(r.isError, true);
      assert.equal(r.structuredContent?.error?.status, 404);
      assert.match(text(r), /^ClawNex API error 404 not_found: route GET \/not-clawnex\/api\/v1\/alerts not found\. This ClawNex server does not offer that endpoint/);
    } finally {
      await client.close();
      await mcp.close();
    }
  });

  test("an unreachable ClawNex is a clean tool error", async () => {
    const { client } = await stdioClient({ CLAWNEX_URL: "http://127.0.0.1:9", CLAWNEX_API_KEY: keys.reader ?? "" });
    try {
      const r = await call(client, "fleet_status");
      assert.equal(r.isError, true);
      assert.equal(r.structuredContent?.error?.code, "unreachable");
      assert.match(text(r), /^ClawNex API unreachable: cannot reach ClawNex at http:\/\/127\.0\.0\.1:9/);
    } finally {
      await client.close();
    }
  });
});
