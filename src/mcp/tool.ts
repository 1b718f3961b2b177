// How a ClawNex MCP tool is declared: a zod input shape (with descriptions the assistant reads),
// a handler that calls the API and returns concise text plus the structured JSON, and one
// place that turns API errors into MCP tool errors (isError, with the API's code and message).
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { ZodRawShapeCompat } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import { z } from "zod";
import { ClawnexApiError, type ClawnexApiClient } from "./api-client.ts";

export interface ToolOutput {
  text: string;
  structured: Record<string, unknown>;
}

export interface McpTool {
  name: string;
  register(server: McpServer, api: ClawnexApiClient): void;
}

const MAX_TEXT = 24_000;

function clip(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT)}\n… (truncated; the structured content has everything)`;
}

/** The MCP result for an error: what failed, the API's code, and what to do about it. */
export function errorResult(err: unknown): CallToolResult {
  if (err instanceof ClawnexApiError) {
    const hint =
      err.code === "forbidden_scope"
        ? " The ClawNex API key this MCP server uses lacks that scope; create one with it (clawnex keys create --name mcp --scopes ...) and restart the MCP server."
        : err.code === "unauthorized"
          ? " Check CLAWNEX_API_KEY: it must be an active ClawNex API key."
          : err.status === 404 && err.message.startsWith("route ")
            ? " This ClawNex server does not offer that endpoint (an older version, or the module is not enabled)."
            : "";
    const where = err.status > 0 ? `ClawNex API error ${err.status} ${err.code}` : `ClawNex API ${err.code}`;
    return {
      isError: true,
      content: [{ type: "text", text: `${where}: ${err.message}.${hint}` }],
      structuredContent: { error: { status: err.status, code: err.code, message: err.message, request_id: err.requestId, ...(err.details !== undefined ? { details: err.details } : {}) } },
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { isError: true, content: [{ type: "text", text: `ClawNex MCP tool failed: ${message}` }], structuredContent: { error: { status: 0, code: "internal_error", message } } };
}

export function defineTool<Shape extends z.ZodRawShape>(spec: {
  name: string;
  title: string;
  description: string;
  inputSchema: Shape;
  annotations: ToolAnnotations;
  run(args: z.infer<z.ZodObject<Shape>>, api: ClawnexApiClient): Promise<ToolOutput>;
}): McpTool {
  return {
    name: spec.name,
    register(server, api) {
      const input = z.object(spec.inputSchema);
      const shape: ZodRawShapeCompat = spec.inputSchema;
      server.registerTool<ZodRawShapeCompat, ZodRawShapeCompat>(spec.name, { title: spec.title, description: spec.description, inputSchema: shape, annotations: { title: spec.title, ...spec.annotations } }, async (args) => {
        try {
          // The SDK validated the arguments already; parsing again gives them their static type.
          const out = await spec.run(input.parse(args), api);
          return { content: [{ type: "text", text: clip(out.text) }], structuredContent: out.structured };
        } catch (err) {
          return errorResult(err);
        }
      });
    },
  };
}

export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

/** "3 alerts" / "1 alert". */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

export function str(value: unknown, fallback = "-"): string {
  return typeof value === "string" && value.length > 0 ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : fallback;
}

export function records(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v)) : [];
}

export function money(value: unknown): string {
  return typeof value === "number" ? `$${value.toFixed(value >= 100 ? 0 : 2)}` : "-";
}

export function nextPage(next: unknown, hasMore: unknown, ascending: boolean): string {
  if (typeof next !== "string") return "";
  if (ascending) return `\nPoll again with cursor="${next}" for newer rows${hasMore === true ? " (more are waiting now)" : ""}.`;
  return hasMore === false ? "" : `\nOlder rows: call again with cursor="${next}".`;
}
