// The ClawNex MCP server: its tools over the ClawNex API client. One McpServer per connection
// (stdio) or per request (stateless Streamable HTTP); it holds no state of its own.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { type ClawnexApiClient, MCP_SERVER_VERSION } from "./api-client.ts";
import type { McpTool } from "./tool.ts";
import { fleetStatus, hostPosture, trustFindings } from "./tools/fleet.ts";
import { shieldScan, trafficAndCosts } from "./tools/gateway.ts";
import { auditEvents, incidentDetail, recentAlerts, recentIncidents } from "./tools/soc.ts";

export const TOOLS: readonly McpTool[] = [fleetStatus, recentAlerts, recentIncidents, incidentDetail, shieldScan, auditEvents, trustFindings, trafficAndCosts, hostPosture];

const INSTRUCTIONS = `ClawNex is the security operations center for this fleet of AI agents (OpenClaw instances).
These tools read its API with one ClawNex API key and have exactly that key's scopes: a tool that
needs a scope the key lacks returns a forbidden_scope error naming the scope. Start with
fleet_status or recent_alerts; incident_detail explains an incident; shield_scan checks a text.
Evidence is returned by reference (scan, traffic, audit ids), never as raw prompt text.`;

export function createMcpServer(api: ClawnexApiClient): McpServer {
  const server = new McpServer({ name: "clawnex", title: "ClawNex", version: MCP_SERVER_VERSION }, { instructions: INSTRUCTIONS, capabilities: { tools: {} } });
  for (const tool of TOOLS) tool.register(server, api);
  return server;
}
