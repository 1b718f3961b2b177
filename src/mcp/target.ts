// Where the MCP server finds ClawNex and with which key: CLAWNEX_URL / CLAWNEX_API_KEY
// (config.client), the URL defaulting to this host's ClawNex (CLAWNEX_HOST:CLAWNEX_PORT, a
// wildcard bind reached through loopback).
import type { Config } from "../config/config.ts";
import { ConfigError } from "../errors.ts";
import { ClawnexApiClient } from "./api-client.ts";

export function defaultClawnexUrl(host: string, port: number): string {
  const reachable = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `http://${reachable}:${port}`;
}

/** The API client the MCP tools use; a missing key is a configuration error, not a runtime one. */
export function apiClientFromConfig(config: Config, listening?: { host: string; port: number }): ClawnexApiClient {
  const apiKey = config.client.apiKey;
  if (!apiKey) throw new ConfigError("the MCP server needs CLAWNEX_API_KEY: it calls the ClawNex API with that key and holds no wider rights than its scopes (create one with `clawnex keys create --name mcp --scopes fleet:read,alerts:read,audit:read,shield:scan`)");
  const baseUrl = config.client.url ?? (listening ? defaultClawnexUrl(listening.host, listening.port) : defaultClawnexUrl(config.host, config.port));
  return new ClawnexApiClient({ baseUrl, apiKey });
}

/** MCP_API_KEY, required (and not trivially short) before the HTTP transport may listen. */
export function mcpHttpKey(config: Config): string {
  const key = config.env.mcp.apiKey;
  if (!key) throw new ConfigError("MCP_ENABLED=1 needs MCP_API_KEY: HTTP clients must send it as Authorization: Bearer <MCP_API_KEY>");
  if (key.length < 16) throw new ConfigError("MCP_API_KEY must be at least 16 characters (e.g. `openssl rand -hex 24`)");
  return key;
}
