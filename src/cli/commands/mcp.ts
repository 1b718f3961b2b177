// `clawnex mcp`: the ClawNex MCP server for AI assistants. Over stdio by default (the assistant
// starts it as a child process: stdout carries only MCP messages, diagnostics go to stderr), or
// over Streamable HTTP on 127.0.0.1:MCP_PORT with --http. Either way its tools call the ClawNex
// API at CLAWNEX_URL with CLAWNEX_API_KEY, and hold that key's scopes and nothing more.
import { loadConfig } from "../../config/config.ts";
import { UsageError } from "../../errors.ts";
import type { CliIo } from "../io.ts";
import { parseCommandArgs } from "../io.ts";
import type { Command } from "../main.ts";

const USAGE = `usage: clawnex mcp [--http]

  Serves ClawNex's tools to an MCP client (Claude Desktop, Claude Code, Cursor, ...):
  fleet_status, recent_alerts, recent_incidents, incident_detail, shield_scan, audit_events,
  trust_findings, traffic_and_costs, host_posture.

  (default)  stdio transport; configure the assistant with
             {"command": "npx", "args": ["clawnex", "mcp"],
              "env": {"CLAWNEX_URL": "http://127.0.0.1:5001", "CLAWNEX_API_KEY": "cnx_..."}}
  --http     Streamable HTTP on http://127.0.0.1:$MCP_PORT/mcp (default port 5002), requiring
             Authorization: Bearer $MCP_API_KEY and refusing non-loopback Origin headers

  CLAWNEX_URL      ClawNex's address (default http://127.0.0.1:$CLAWNEX_PORT)
  CLAWNEX_API_KEY  the ClawNex API key the tools use (required); its scopes decide what they
                   may read: fleet:read, alerts:read, audit:read, shield:scan`;

async function untilStopped(extra?: (stop: () => void) => void): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    extra?.(stop);
  });
}

async function serveStdio(io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  const { apiClientFromConfig } = await import("../../mcp/target.ts");
  const api = apiClientFromConfig(config);
  const { createMcpServer } = await import("../../mcp/server.ts");
  const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");
  // The MCP client owns this process's stdin and stdout; the session ends when it closes stdin.
  const server = createMcpServer(api);
  await server.connect(new StdioServerTransport());
  io.stderr(`clawnex mcp: serving ClawNex at ${api.baseUrl} over stdio\n`);
  await untilStopped((stop) => {
    process.stdin.once("end", stop);
    process.stdin.once("close", stop);
  });
  await server.close();
  return 0;
}

async function serveHttp(io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  const { apiClientFromConfig, mcpHttpKey } = await import("../../mcp/target.ts");
  const key = mcpHttpKey(config);
  const api = apiClientFromConfig(config);
  const { startMcpHttpServer } = await import("../../mcp/http.ts");
  const log = {
    info: () => {},
    warn: (obj: object, msg: string) => io.stderr(`clawnex mcp: ${msg} ${JSON.stringify(obj)}\n`),
    error: (obj: object, msg: string) => io.stderr(`clawnex mcp: ${msg} ${JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? v.message : v))}\n`),
  };
  const http = await startMcpHttpServer({ port: config.env.mcp.port, apiKey: key, api, log });
  io.stderr(`clawnex mcp: Streamable HTTP on ${http.url} (tools call ClawNex at ${api.baseUrl})\n`);
  await untilStopped();
  await http.close();
  return 0;
}

export const command: Command = {
  summary: "serve ClawNex's tools to AI assistants over MCP (stdio, or Streamable HTTP with --http)",
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { http: { type: "boolean", default: false } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    return values.http ? serveHttp(io) : serveStdio(io);
  },
};
