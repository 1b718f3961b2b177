// Small HTTP helpers for the SOC API tests (real server, real fetch).
import type { SocModule } from "../../src/soc/module.ts";
import type { TestServer } from "../helpers/server.ts";

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export async function call(server: TestServer, method: string, path: string, key?: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (key) headers["x-clawnex-key"] = key;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  const text = await response.text();
  // JSON bodies are parsed; NDJSON and metrics stay text.
  const parsed: unknown = (response.headers.get("content-type") ?? "").includes("application/json") && text ? JSON.parse(text) : text;
  return { status: response.status, headers: response.headers, body: parsed };
}

export function socOf(server: TestServer): SocModule {
  const soc = server.services.modules.find((m) => m.name === "soc");
  if (!soc) throw new Error("no soc module");
  return soc as SocModule;
}

export async function scan(server: TestServer, key: string, text: string, metadata: Record<string, unknown> = {}, direction: "inbound" | "outbound" = "inbound"): Promise<Reply> {
  return call(server, "POST", "/api/v1/shield/scan", key, { text, direction, metadata });
}
