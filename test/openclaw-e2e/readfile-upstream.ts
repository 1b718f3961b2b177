// A stateless OpenAI-compatible upstream on 127.0.0.1 for the real-OpenClaw test, after the one used
// to study OpenClaw 2026.9.6 (shared corpus fake-upstream.mjs): a user turn containing
// READFILE:<path> (since the last assistant message: OpenClaw appends a context message after the
// real one) gets a `read` tool call; a tool result gets a final answer quoting its first line.
// Streams like OpenAI (SSE chunks, a usage chunk, [DONE]); usage is always 123 in / 17 out.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReadfileUpstream {
  baseUrl: string;
  requests: Array<{ authorization: string | undefined; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

type Message = { role?: string; content?: unknown };

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === "string" ? p : ((p as { text?: string }).text ?? ""))).join("");
  return "";
}

function decide(body: Record<string, unknown>, seq: number): { text: string } | { tool: { id: string; path: string } } {
  const messages = (Array.isArray(body.messages) ? body.messages : []) as Message[];
  const tools = (Array.isArray(body.tools) ? body.tools : []) as Array<{ function?: { name?: string } }>;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Message;
    if (m.role === "tool") return { text: `I read the file. First line: ${textOf(m.content).split("\n")[0]?.slice(0, 80)}` };
    if (m.role === "assistant") break;
    const match = m.role === "user" ? /READFILE:(\S+)/.exec(textOf(m.content)) : null;
    if (match?.[1] && tools.some((t) => t.function?.name === "read")) return { tool: { id: `call_e2e_${seq}`, path: match[1] } };
  }
  return { text: `Hello from the e2e upstream (tools offered: ${tools.length}).` };
}

const USAGE = { prompt_tokens: 123, completion_tokens: 17, total_tokens: 140 };

export async function startReadfileUpstream(): Promise<ReadfileUpstream> {
  let seq = 0;
  const requests: ReadfileUpstream["requests"] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0];
      if (req.method !== "POST" || (path !== "/v1/chat/completions" && path !== "/chat/completions")) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
        return;
      }
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      } catch {
        res.writeHead(400).end();
        return;
      }
      requests.push({ authorization: req.headers.authorization, body });
      const d = decide(body, ++seq);
      const id = `chatcmpl-e2e-${seq}`;
      const created = Math.floor(Date.now() / 1000);
      const model = typeof body.model === "string" ? body.model : "fake-model";
      if (!body.stream) {
        const message = "tool" in d ? { role: "assistant", content: null, tool_calls: [{ id: d.tool.id, type: "function", function: { name: "read", arguments: JSON.stringify({ path: d.tool.path }) } }] } : { role: "assistant", content: d.text };
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id, object: "chat.completion", created, model, choices: [{ index: 0, message, finish_reason: "tool" in d ? "tool_calls" : "stop" }], usage: USAGE }));
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const chunk = (delta: unknown, finish: string | null = null) => res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
      chunk({ role: "assistant", content: "" });
      if ("tool" in d) {
        chunk({ tool_calls: [{ index: 0, id: d.tool.id, type: "function", function: { name: "read", arguments: "" } }] });
        chunk({ tool_calls: [{ index: 0, function: { arguments: JSON.stringify({ path: d.tool.path }) } }] });
        chunk({}, "tool_calls");
      } else {
        for (const word of d.text.split(/(?<= )/)) chunk({ content: word });
        chunk({}, "stop");
      }
      res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage: USAGE })}\n\n`);
      res.end("data: [DONE]\n\n");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
