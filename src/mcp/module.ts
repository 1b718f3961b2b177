// The MCP module: when MCP_ENABLED=1, the server process also serves the MCP Streamable HTTP
// transport on 127.0.0.1:MCP_PORT. Its tools call this server's own API with CLAWNEX_API_KEY, so
// they have that key's scopes and nothing more. Misconfiguration fails start-up.
import type { AddressInfo } from "node:net";
import type { AppModule } from "../app/module.ts";
import type { CoreServices } from "../app/services.ts";
import type { McpHttpServer } from "./http.ts";
import { apiClientFromConfig, mcpHttpKey } from "./target.ts";

export interface McpModule extends AppModule {
  name: "mcp";
  /** The MCP endpoint once started (http://127.0.0.1:<port>/mcp), else null. */
  url(): string | null;
}

export async function createMcpModule(core: CoreServices): Promise<McpModule> {
  const { mcp } = core.config.env;
  if (!mcp.enabled) return { name: "mcp", url: () => null };
  // Checked before the server listens, so a bad setup stops `clawnex start` with a message.
  const key = mcpHttpKey(core.config);
  apiClientFromConfig(core.config);
  let http: McpHttpServer | null = null;
  return {
    name: "mcp",
    url: () => http?.url ?? null,
    async start(app) {
      const address = app.server.address() as AddressInfo | null;
      const api = apiClientFromConfig(core.config, address ? { host: address.address, port: address.port } : undefined);
      // Loaded only when enabled: the MCP SDK stays out of every other server start.
      const { startMcpHttpServer } = await import("./http.ts");
      http = await startMcpHttpServer({ port: mcp.port, apiKey: key, api, log: app.log.child({ module: "mcp" }) });
    },
    async close() {
      await http?.close();
      http = null;
    },
  };
}
