// Errors on the OpenAI-compatible endpoints take OpenAI's shape,
// {"error": {"message", "type", "param", "code"}}, so OpenAI clients raise the matching exception
// (BadRequestError, AuthenticationError, RateLimitError, ...). A Shield block is a 400
// invalid_request_error with code "shield_blocked": a 403 would make OpenClaw put its provider
// key on a minute-long cooldown, taking the whole agent offline for one blocked prompt.
import type { FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { AppError } from "../errors.ts";
import { toWireError } from "../http/error-mapper.ts";
import type { OpenAIErrorBody } from "./openai-types.ts";

export class OpenAIHttpError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, options: { type?: string; code?: string | null; param?: string | null; extra?: Record<string, unknown>; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = "OpenAIHttpError";
    this.status = status;
    this.type = options.type ?? typeForStatus(status);
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }

  body(requestId?: string): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code, ...this.extra, ...(requestId ? { request_id: requestId } : {}) } };
  }
}

export function typeForStatus(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

export function shieldBlocked(direction: "inbound" | "outbound", scanId: string, rules: string[]): OpenAIHttpError {
  const what = direction === "inbound" ? "the prompt" : "the response";
  return new OpenAIHttpError(400, `${what} was blocked by ClawNex Shield (scan ${scanId})`, {
    type: "invalid_request_error",
    code: "shield_blocked",
    param: direction === "inbound" ? "messages" : null,
    extra: { scan_id: scanId, direction, rule_ids: rules },
    headers: { "x-should-retry": "false", "x-clawnex-scan-id": scanId },
  });
}

/** Any error as an OpenAIHttpError: our own, the core taxonomy, validation and Fastify errors. */
export function toOpenAIError(error: unknown): OpenAIHttpError {
  if (error instanceof OpenAIHttpError) return error;
  if (error instanceof AppError) return new OpenAIHttpError(error.status, error.message, { code: error.code, headers: error.headers });
  if (hasZodFastifySchemaValidationErrors(error)) {
    const first = error.validation[0];
    const param = first?.instancePath ? first.instancePath.replace(/^\//, "").replaceAll("/", ".") : null;
    return new OpenAIHttpError(400, `invalid request body: ${error.validation.map((v) => `${v.instancePath || "/"} ${v.message ?? "invalid"}`).join("; ")}`, { code: "invalid_request", param });
  }
  const wire = toWireError(error);
  return new OpenAIHttpError(wire.status, wire.message, { code: wire.code, ...(wire.headers ? { headers: wire.headers } : {}) });
}

export function sendOpenAIError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const e = toOpenAIError(error);
  if (e.status >= 500 && !(error instanceof OpenAIHttpError)) request.log.error({ err: error }, "request failed");
  for (const [name, value] of Object.entries(e.headers)) reply.header(name, value);
  return reply.status(e.status).type("application/json").send(JSON.stringify(e.body(request.id)));
}
