// Request bodies shared by the gateway benchmarks: a 1 KB prompt, and the request a real OpenClaw
// sends (from the corpus beside the repo), each made unique per request so the scan cache never
// answers for its user turn.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const PROMPT_1K = "Summarise the following notes for the weekly report and list open actions. ".repeat(14).slice(0, 1000);

const OPENCLAW_REQUEST = fileURLToPath(new URL("../../shared/corpus/openclaw-live/upstream-requests/local-hello.full-request.json", import.meta.url));

/** The i-th OpenClaw request body as JSON text, its first user turn prefixed "[turn i]"; undefined without the corpus. */
export function openclawBodies(): ((i: number) => string) | undefined {
  if (!existsSync(OPENCLAW_REQUEST)) return undefined;
  const body = (JSON.parse(readFileSync(OPENCLAW_REQUEST, "utf8")) as { body: { messages: Array<{ role: string; content: unknown }> } }).body;
  return (i) => JSON.stringify({ ...body, messages: body.messages.map((m, k) => (k === 1 ? { ...m, content: `[turn ${i}] ${String(m.content)}` } : m)) });
}
