// The real OpenClaw requests from the shared corpus (../shared/corpus/openclaw-live beside the repo).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ChatCompletionRequestBody } from "../../src/gateway/openai-types.ts";

export const CORPUS_DIR = fileURLToPath(new URL("../../../shared/corpus/openclaw-live/upstream-requests/", import.meta.url));
export const CORPUS_PRESENT = existsSync(`${CORPUS_DIR}local-hello.full-request.json`);
export const CORPUS_SKIP = CORPUS_PRESENT ? false : `OpenClaw corpus not found at ${CORPUS_DIR}`;

/** The exact first request OpenClaw sends (~60 KB: stream true, 49 K-char system prompt, 12 tools). */
export function openclawHello(): ChatCompletionRequestBody {
  return (JSON.parse(readFileSync(`${CORPUS_DIR}local-hello.full-request.json`, "utf8")) as { body: ChatCompletionRequestBody }).body;
}

/** The tool round-trip's second request: a raw role "tool" message carrying an injection. */
export function openclawToolResult(): ChatCompletionRequestBody {
  const lines = readFileSync(`${CORPUS_DIR}local-toolcall.trimmed.jsonl`, "utf8").trim().split("\n");
  const body = (JSON.parse(lines[1] as string) as { body: ChatCompletionRequestBody }).body;
  const hello = openclawHello();
  // The trimmed file stands in placeholders for the system prompt and the tools: put the real ones back.
  return { ...body, tools: hello.tools, messages: body.messages.map((m) => (m.role === "system" ? { ...m, content: hello.messages[0]?.content } : m)) };
}
