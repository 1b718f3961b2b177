// MCP test harness: a real ClawNex server (with a data dir we prepare, so API keys exist before
// the server starts and its MCP module can be given one), and the MCP SDK's own clients.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { AuditLog } from "../../src/audit/audit-log.ts";
import { KeyService } from "../../src/auth/keys.ts";
import type { Scope } from "../../src/auth/scopes.ts";
import { openStore } from "../../src/store/database.ts";
import { startTestServer, TEST_BLOCK_RULE, type TestServer } from "../helpers/server.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BIN = join(ROOT, "bin", "clawnex.js");
export const MCP_KEY = "mcp-test-bearer-0123456789abcdef";
export const READER_SCOPES: Scope[] = ["fleet:read", "alerts:read", "audit:read", "shield:scan"];
/** Keeps the posture tool fast: the apt simulation is tested in test/posture. */
export const CONFIG_FILE = { posture: { disabledChecks: ["updates"] } };

export interface Prepared {
  dataDir: string;
  keys: Record<string, string>;
}

/** A data dir with the test rules, a config file and API keys with the given scopes. */
export async function prepareDataDir(keys: Record<string, Scope[]>): Promise<Prepared> {
  const dataDir = mkdtempSync(join(tmpdir(), "clawnex-mcp-"));
  mkdirSync(join(dataDir, "rules"), { recursive: true });
  writeFileSync(join(dataDir, "rules", "testing.yaml"), TEST_BLOCK_RULE);
  writeFileSync(join(dataDir, "clawnex.config.json"), JSON.stringify(CONFIG_FILE));
  const store = await openStore({ dataDir });
  const service = new KeyService(store.db, new AuditLog(store.db));
  const created: Record<string, string> = {};
  for (const [name, scopes] of Object.entries(keys)) created[name] = (await service.create({ name, scopes }, "test")).key;
  await store.close();
  return { dataDir, keys: created };
}

export async function startOn(prepared: Prepared, env: NodeJS.ProcessEnv = {}): Promise<TestServer> {
  const server = await startTestServer({ env: { CLAWNEX_DATA_DIR: prepared.dataDir, ...env } });
  const close = server.close;
  return { ...server, dataDir: prepared.dataDir, close: async () => { await close(); rmSync(prepared.dataDir, { recursive: true, force: true }); } };
}

/** `clawnex mcp` over stdio, spawned like an assistant would, with only the given environment. */
export async function stdioClient(env: Record<string, string>): Promise<{ client: Client; transport: StdioClientTransport; stderr: () => string }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, "mcp"], env: { CLAWNEX_LOG_LEVEL: "silent", ...env }, stderr: "pipe", cwd: ROOT });
  let err = "";
  transport.stderr?.on("data", (chunk: Buffer) => void (err += chunk.toString("utf8")));
  const client = new Client({ name: "clawnex-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport, stderr: () => err };
}

export async function httpClient(url: string, bearer: string | null, headers: Record<string, string> = {}): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers } } });
  const client = new Client({ name: "clawnex-test", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

/** The parts of the tools' structured content the tests look at. */
export interface Structured {
  error?: { status: number; code: string; message: string; request_id: string | null; details?: unknown };
  verdict?: string;
  id?: string;
  data?: Array<Record<string, unknown>>;
  instances?: unknown[];
  costs?: { total?: unknown };
  traffic?: { data?: unknown[] };
}

export type ToolResult = CallToolResult & { structuredContent?: Structured };

export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

export function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

export const INITIALIZE = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } };
export const ACCEPT = "application/json, text/event-stream";
