// The ChatCaller (see ./chat-caller.ts) over the gateway's own path: same validation, scans,
// routing and traffic record as POST /v1/chat/completions, minus HTTP.
import { performance } from "node:perf_hooks";
import { AppError, type ErrorCode } from "../errors.ts";
import { type ChatCaller, GatewayBlockedError } from "./chat-caller.ts";
import { completeNonStream } from "./chat-nonstream.ts";
import type { GatewayService } from "./gateway-service.ts";
import { OpenAIHttpError } from "./openai-errors.ts";
import type { ChatCompletionRequestBody } from "./openai-types.ts";
import { chatRequestSchema } from "./schemas.ts";

function appErrorCode(status: number): ErrorCode {
  if (status === 404) return "not_found";
  if (status === 413) return "payload_too_large";
  if (status === 429) return "rate_limited";
  if (status === 503) return "unavailable";
  if (status >= 500) return "upstream_error";
  return "invalid_request";
}

export function createChatCaller(svc: GatewayService): ChatCaller {
  return {
    async complete(body, ctx, signal) {
      const startedAt = performance.now();
      const parsed = chatRequestSchema.safeParse(body);
      if (!parsed.success) throw new AppError("invalid_request", `invalid chat request: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"} ${i.message}`).join("; ")}`);
      const request = { ...(parsed.data as ChatCompletionRequestBody), stream: false };
      delete request.stream_options;
      try {
        const prepared = await svc.prepare(request, undefined, { ...ctx, startedAt });
        const result = await completeNonStream(svc, prepared, signal);
        result.record();
        return result.parsed;
      } catch (err) {
        if (!(err instanceof OpenAIHttpError)) throw err;
        if (err.code === "shield_blocked") {
          const direction = err.extra.direction === "outbound" ? "outbound" : "inbound";
          throw new GatewayBlockedError(direction, String(err.extra.scan_id ?? ""), Array.isArray(err.extra.rule_ids) ? err.extra.rule_ids.map(String) : []);
        }
        throw new AppError(appErrorCode(err.status), err.message, { details: { status: err.status, code: err.code, ...err.extra } });
      }
    },
  };
}
