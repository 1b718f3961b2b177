// What the task runner needs from "a model": one chat completion, abortable. In production it is
// the gateway's ChatCaller (Shield scans, routing, traffic record); in the sandbox it is the
// built-in simulated model. The runner depends only on this interface.
import type { ChatCallContext, ChatCaller, ChatCompletionRequestBody, ChatCompletionResponseBody } from "../../gateway/chat-caller.ts";
import { GatewayBlockedError } from "../../gateway/chat-caller.ts";

export interface ModelCall {
  body: ChatCompletionRequestBody;
  ctx: ChatCallContext;
}

export interface ModelAnswer {
  content: string;
  model: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  /** The cost the call was recorded with, when the route prices it. */
  costUsd: number | null;
}

export interface TaskModel {
  complete(call: ModelCall, signal: AbortSignal): Promise<ModelAnswer>;
}

/** The Shield blocked the prompt (or the answer): the task fails naming the scan. */
export class TaskBlockedError extends Error {
  readonly scanId: string;
  readonly direction: "inbound" | "outbound";
  constructor(direction: "inbound" | "outbound", scanId: string) {
    super(`${direction === "inbound" ? "prompt" : "response"} blocked by the Shield (scan ${scanId})`);
    this.name = "TaskBlockedError";
    this.scanId = scanId;
    this.direction = direction;
  }
}

function textOf(content: ChatCompletionResponseBody["choices"][number]["message"]["content"]): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p.text === "string" ? p.text : "")).join("");
  return "";
}

/** Cost as the gateway reports it on the response (usage.cost or a clawnex.cost_usd extension). */
function costOf(response: ChatCompletionResponseBody): number | null {
  const fromUsage = response.usage?.cost;
  if (typeof fromUsage === "number" && Number.isFinite(fromUsage)) return fromUsage;
  const extension = response.clawnex;
  if (typeof extension === "object" && extension !== null) {
    const cost = (extension as Record<string, unknown>).cost_usd;
    if (typeof cost === "number" && Number.isFinite(cost)) return cost;
  }
  return null;
}

/** Adapts the gateway's ChatCaller (looked up lazily: the gateway may be created after us). */
export function gatewayModel(getCaller: () => ChatCaller | undefined): TaskModel {
  return {
    async complete(call, signal) {
      const caller = getCaller();
      if (!caller) throw new Error("the gateway is not available: no model route can run the task");
      let response: ChatCompletionResponseBody;
      try {
        response = await caller.complete(call.body, call.ctx, signal);
      } catch (err) {
        if (err instanceof GatewayBlockedError) throw new TaskBlockedError(err.direction, err.scanId);
        throw err;
      }
      const usage = response.usage
        ? { prompt_tokens: Number(response.usage.prompt_tokens) || 0, completion_tokens: Number(response.usage.completion_tokens) || 0, total_tokens: Number(response.usage.total_tokens) || 0 }
        : null;
      return { content: textOf(response.choices[0]?.message.content), model: response.model || call.body.model, usage, costUsd: costOf(response) };
    },
  };
}
