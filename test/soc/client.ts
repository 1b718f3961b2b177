// Small HTTP helpers for the SOC API tests (real server, real fetch).
import type { SocModule } from "../../src/soc/module.ts";
import { type Reply, sendJson } from "../helpers/http.ts";
import type { TestServer } from "../helpers/server.ts";

export type { Reply };

export async function call(server: TestServer, method: string, path: string, key?: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Reply> {
  return sendJson(`${server.url}${path}`, method, { key, body, headers: extraHeaders });
}

export function socOf(server: TestServer): SocModule {
  const soc = server.services.modules.find((m) => m.name === "soc");
  if (!soc) throw new Error("no soc module");
  return soc as SocModule;
}

export async function scan(server: TestServer, key: string, text: string, metadata: Record<string, unknown> = {}, direction: "inbound" | "outbound" = "inbound"): Promise<Reply> {
  return call(server, "POST", "/api/v1/shield/scan", key, { text, direction, metadata });
}
