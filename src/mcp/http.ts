// The Streamable HTTP transport of the ClawNex MCP server, for assistants that connect over HTTP.
// Bound to 127.0.0.1 only. Every request must carry Authorization: Bearer <MCP_API_KEY> (compared
// in constant time) and, when a browser sends one, a loopback Origin (a web page elsewhere cannot
// drive the tools through the user's browser). The Host header must name the loopback address
// too, which defeats DNS rebinding. Stateless: each POST gets its own MCP server and transport,
// so there is no session to hijack and nothing grows with the number of clients.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { ClawnexApiClient } from "./api-client.ts";
import { createMcpServer } from "./server.ts";

export const MCP_PATH = "/mcp";
const LOOPBACK_HOSTNAMES = new Set(["127.0.0.1", "localhost", "[::1]"]);
const MAX_BODY_BYTES = 1024 * 1024;

export interface McpHttpLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface McpHttpOptions {
  /** 0 picks a free port. */
  port: number;
  /** The bearer token clients must present (MCP_API_KEY). */
  apiKey: string;
  /** How the tools reach ClawNex (with the ClawNex API key). */
  api: ClawnexApiClient;
  log?: McpHttpLogger | undefined;
}

export interface McpHttpServer {
  /** http://127.0.0.1:<port>/mcp */
  url: string;
  port: number;
  close(): Promise<void>;
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Hashing first makes the comparison constant-time in the key's length as well as its content. */
export function bearerMatches(header: string | undefined, expected: string): boolean {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return timingSafeEqual(digest(m?.[1] ?? ""), digest(expected)) && m !== null;
}

/** Absent Origin (non-browser clients) is fine; a present one must be a loopback http(s) origin. */
export function originAllowed(origin: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === "http:" || url.protocol === "https:") && LOOPBACK_HOSTNAMES.has(url.hostname);
  } catch {
    return false;
  }
}

function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  return [...LOOPBACK_HOSTNAMES].some((name) => host === `${name}:${port}`);
}

function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message }, id: null });
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(body);
}

export async function startMcpHttpServer(options: McpHttpOptions): Promise<McpHttpServer> {
  if (options.apiKey.length < 16) throw new Error("MCP_API_KEY must be at least 16 characters");
  let port = options.port;
  const log = options.log;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    const who = { ip: req.socket.remoteAddress, method: req.method, origin: req.headers.origin };
    if (path !== MCP_PATH) return refuse(res, 404, `not found: the MCP endpoint is ${MCP_PATH}`);
    if (!hostAllowed(req.headers.host, port)) {
      log?.warn({ ...who, host: req.headers.host }, "MCP request refused: Host is not the loopback address");
      return refuse(res, 403, "forbidden: Host must be 127.0.0.1 or localhost");
    }
    if (!originAllowed(req.headers.origin)) {
      log?.warn(who, "MCP request refused: foreign Origin");
      return refuse(res, 403, "forbidden: Origin is not a loopback origin");
    }
    if (!bearerMatches(req.headers.authorization, options.apiKey)) {
      log?.warn({ ...who, presented: req.headers.authorization ? "wrong" : "none" }, "MCP request refused: bad or missing bearer token");
      return refuse(res, 401, "unauthorized: send Authorization: Bearer <MCP_API_KEY>", { "www-authenticate": 'Bearer realm="clawnex-mcp"' });
    }
    // Stateless server: no SSE stream to resume (GET) and no session to end (DELETE).
    if (req.method !== "POST") return refuse(res, 405, "method not allowed: this MCP endpoint is stateless, use POST", { allow: "POST" });
    const server = createMcpServer(options.api);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true, maxRequestBodySize: MAX_BODY_BYTES });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };

  const http: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log?.error({ err }, "MCP request failed");
      if (!res.headersSent) refuse(res, 500, "internal error");
      else res.end();
    });
  });
  http.requestTimeout = 120_000;
  http.headersTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port, "127.0.0.1", () => {
      http.off("error", reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}${MCP_PATH}`;
  log?.info({ url, api: options.api.baseUrl }, "MCP server (Streamable HTTP) listening");
  return {
    url,
    port,
    async close() {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
