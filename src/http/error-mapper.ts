// The one mapper from errors to the wire envelope {"error": {"code", "message", "request_id",
// "details"?}}. Known errors keep their status and message; anything unexpected becomes a generic
// 500 that names only the request id (the cause goes to the log, never to the client).
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { AppError } from "../errors.ts";

export interface ErrorEnvelope {
  error: { code: string; message: string; request_id: string; details?: unknown };
}

interface WireError {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  headers?: Record<string, string>;
}

function fastifyCodeToWire(error: FastifyError): WireError | null {
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, code: "payload_too_large", message: "request body exceeds the size limit" };
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, code: "invalid_request", message: "request body is not valid JSON" };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { status: 415, code: "unsupported_media_type", message: "send the body as application/json" };
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return { status: 400, code: "invalid_request", message: "content-length does not match the body" };
    default:
      break;
  }
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return { status: 400, code: "invalid_request", message: "request body is not valid JSON" };
  }
  return null;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof AppError) return { status: error.status, code: error.code, message: error.message, details: error.details, headers: error.headers };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((v) => ({ path: v.instancePath || "/", message: v.message ?? "invalid" }));
    const where = error.validationContext ?? "body";
    return { status: 400, code: "invalid_request", message: `invalid ${where}: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`, details: { issues } };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError && typeof fastifyError === "object" && "code" in fastifyError) {
    const mapped = fastifyCodeToWire(fastifyError);
    if (mapped) return mapped;
    if (typeof fastifyError.statusCode === "number" && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      return { status: fastifyError.statusCode, code: "invalid_request", message: fastifyError.message };
    }
  }
  return { status: 500, code: "internal_error", message: "internal error; quote the request id when reporting it" };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const wire = toWireError(error);
  if (wire.status >= 500) request.log.error({ err: error }, "request failed");
  for (const [name, value] of Object.entries(wire.headers ?? {})) reply.header(name, value);
  const body: ErrorEnvelope = { error: { code: wire.code, message: wire.message, request_id: request.id } };
  if (wire.details !== undefined) body.error.details = wire.details;
  return reply.status(wire.status).type("application/json").send(body);
}
