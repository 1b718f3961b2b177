// Translation between OpenAI chat completions and Anthropic's Messages API, for provider routes of
// kind "anthropic": requests out, responses and stream events back, so clients only ever see
// chat completions.
import type { ChatCompletionChunk, ChatCompletionRequestBody, ChatCompletionResponseBody, ChatMessage, ContentPart, Usage } from "./openai-types.ts";
import type { SseEvent } from "./sse.ts";
import { lookup } from "../json-record.ts";

type Block = Record<string, unknown>;
interface AnthropicMessage {
  role: "user" | "assistant";
  content: Block[];
}

function textOf(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((p) => (typeof p?.text === "string" ? p.text : "")).join("\n");
}

function partToBlock(part: ContentPart): Block | null {
  if (part.type === "text" && typeof part.text === "string") return { type: "text", text: part.text };
  if (part.type === "image_url") {
    const url = (part.image_url as { url?: unknown } | undefined)?.url;
    if (typeof url !== "string") return null;
    const m = /^data:([^;]+);base64,(.*)$/s.exec(url);
    return m ? { type: "image", source: { type: "base64", media_type: m[1], data: m[2] } } : { type: "image", source: { type: "url", url } };
  }
  return null;
}

function parseArguments(text: string | undefined): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return { _raw: text };
  }
}

export function toAnthropicRequest(body: ChatCompletionRequestBody, model: string, stream: boolean, defaultMaxTokens: number): Record<string, unknown> {
  const system: string[] = [];
  const messages: AnthropicMessage[] = [];
  const push = (role: "user" | "assistant", blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = messages[messages.length - 1];
    // Anthropic wants user and assistant turns to alternate: merge neighbours of one role.
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of body.messages) {
    if (m.role === "system" || m.role === "developer") system.push(textOf(m.content));
    else if (m.role === "tool") push("user", [{ type: "tool_result", tool_use_id: m.tool_call_id ?? "", content: textOf(m.content) }]);
    else if (m.role === "assistant") {
      const blocks: Block[] = [];
      const text = textOf(m.content);
      if (text) blocks.push({ type: "text", text });
      for (const call of m.tool_calls ?? []) blocks.push({ type: "tool_use", id: call.id ?? "", name: call.function?.name ?? "", input: parseArguments(call.function?.arguments) });
      push("assistant", blocks);
    } else {
      const blocks = typeof m.content === "string" ? [{ type: "text", text: m.content }] : (m.content ?? []).map(partToBlock).filter((b): b is Block => b !== null);
      push("user", blocks);
    }
  }
  const out: Record<string, unknown> = {
    model,
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? defaultMaxTokens,
    messages,
    stream,
  };
  if (system.length > 0) out.system = system.join("\n\n");
  for (const k of ["temperature", "top_p"] as const) if (typeof body[k] === "number") out[k] = body[k];
  if (typeof body.stop === "string") out.stop_sequences = [body.stop];
  else if (Array.isArray(body.stop)) out.stop_sequences = body.stop;
  if (Array.isArray(body.tools) && body.tools.length > 0 && body.tool_choice !== "none") {
    out.tools = body.tools.map((t) => ({ name: t.function?.name ?? "", description: t.function?.description ?? "", input_schema: t.function?.parameters ?? { type: "object", properties: {} } }));
    const choice = body.tool_choice as unknown;
    if (choice === "required") out.tool_choice = { type: "any" };
    else if (choice && typeof choice === "object") out.tool_choice = { type: "tool", name: (choice as { function?: { name?: string } }).function?.name ?? "" };
  }
  return out;
}

const FINISH: Record<string, string> = { end_turn: "stop", stop_sequence: "stop", max_tokens: "length", tool_use: "tool_calls", pause_turn: "stop", refusal: "content_filter" };

interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

function usageOf(u: AnthropicUsage | undefined, outputTokens?: number): Usage {
  const prompt = (u?.input_tokens ?? 0) + (u?.cache_read_input_tokens ?? 0) + (u?.cache_creation_input_tokens ?? 0);
  const completion = outputTokens ?? u?.output_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export function fromAnthropicResponse(data: Record<string, unknown>, requestedModel: string): ChatCompletionResponseBody {
  const blocks = Array.isArray(data.content) ? (data.content as Block[]) : [];
  const text = blocks.filter((b) => b.type === "text").map((b) => String(b.text ?? "")).join("");
  const toolCalls = blocks.filter((b) => b.type === "tool_use").map((b) => ({ id: String(b.id ?? ""), type: "function", function: { name: String(b.name ?? ""), arguments: JSON.stringify(b.input ?? {}) } }));
  const message: ChatMessage = { role: "assistant", content: text || (toolCalls.length > 0 ? null : "") };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: String(data.id ?? "msg"),
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: String(data.model ?? requestedModel),
    choices: [{ index: 0, message, finish_reason: lookup(FINISH, String(data.stop_reason)) ?? "stop" }],
    usage: usageOf(data.usage as AnthropicUsage | undefined),
  };
}

/** Turns Anthropic stream events into OpenAI chunk events, one upstream event at a time. */
export class AnthropicStreamTranslator {
  #id = "msg";
  #model: string;
  readonly #created = Math.floor(Date.now() / 1000);
  #inputUsage: AnthropicUsage | undefined;
  /** Anthropic content block index -> OpenAI tool_calls index. */
  readonly #tools = new Map<number, number>();
  readonly #includeUsage: boolean;

  constructor(model: string, includeUsage: boolean) {
    this.#model = model;
    this.#includeUsage = includeUsage;
  }

  #chunk(delta: Record<string, unknown>, finish: string | null = null, usage?: Usage): SseEvent {
    const chunk: ChatCompletionChunk = { id: this.#id, object: "chat.completion.chunk", created: this.#created, model: this.#model, choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }] };
    if (usage) chunk.usage = usage;
    const data = JSON.stringify(chunk);
    return { event: undefined, data, raw: `data: ${data}\n\n` };
  }

  translate(event: SseEvent): SseEvent[] {
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(event.data) as Record<string, unknown>;
    } catch {
      return [{ event: undefined, data: event.data, raw: event.raw }];
    }
    const type = String(data.type ?? event.event ?? "");
    if (type === "message_start") {
      const message = (data.message ?? {}) as Record<string, unknown>;
      this.#id = String(message.id ?? this.#id);
      if (typeof message.model === "string") this.#model = message.model;
      this.#inputUsage = message.usage as AnthropicUsage | undefined;
      return [this.#chunk({ role: "assistant", content: "" })];
    }
    if (type === "content_block_start") {
      const block = (data.content_block ?? {}) as Block;
      if (block.type !== "tool_use") return [];
      const index = this.#tools.size;
      this.#tools.set(Number(data.index), index);
      return [this.#chunk({ tool_calls: [{ index, id: String(block.id ?? ""), type: "function", function: { name: String(block.name ?? ""), arguments: "" } }] })];
    }
    if (type === "content_block_delta") {
      const delta = (data.delta ?? {}) as Block;
      if (delta.type === "text_delta") return [this.#chunk({ content: String(delta.text ?? "") })];
      if (delta.type === "input_json_delta") {
        const index = this.#tools.get(Number(data.index)) ?? 0;
        return [this.#chunk({ tool_calls: [{ index, function: { arguments: String(delta.partial_json ?? "") } }] })];
      }
      return [];
    }
    if (type === "message_delta") {
      const delta = (data.delta ?? {}) as Block;
      const out = [this.#chunk({}, lookup(FINISH, String(delta.stop_reason)) ?? "stop")];
      const outputTokens = (data.usage as AnthropicUsage | undefined)?.output_tokens;
      if (this.#includeUsage) out.push(this.#chunk({}, null, usageOf(this.#inputUsage, outputTokens)));
      return out;
    }
    if (type === "error") {
      const error = (data.error ?? {}) as Record<string, unknown>;
      const body = JSON.stringify({ error: { message: String(error.message ?? "upstream error"), type: String(error.type ?? "api_error") } });
      return [{ event: undefined, data: body, raw: `data: ${body}\n\n` }];
    }
    return [];
  }
}
