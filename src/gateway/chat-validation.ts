// The chat route's body validation. The zod schema (chatRequestSchema in schemas.ts, which also
// documents the API) copies the request as it checks it: the body, every message and every tool
// definition, about 20 µs for a 60 KB agent request with a dozen tools, on every call. This check
// accepts only bodies that schema accepts (a strict subset of it) and keeps the parsed body as it
// is; anything else goes to zod, so an invalid request gets exactly the error it got before.
// Keep the two in step: a rule added to the schema needs its check here, or bodies it should
// reject would pass.
import type { FastifySchemaCompiler } from "fastify";
import { validatorCompiler } from "fastify-type-provider-zod";
import { isRecord } from "../json-record.ts";

type Zod = Parameters<typeof validatorCompiler>[0]["schema"];

function isBoundedString(value: unknown, min: number, max: number): boolean {
  return typeof value === "string" && value.length >= min && value.length <= max;
}

function isMessage(value: unknown): boolean {
  if (!isRecord(value) || !isBoundedString(value.role, 1, 64)) return false;
  const { content } = value;
  if (content === undefined || content === null || typeof content === "string") return true;
  if (!Array.isArray(content)) return false;
  for (const part of content) if (!isRecord(part) || typeof part.type !== "string") return false;
  return true;
}

/** True only for bodies chatRequestSchema accepts unchanged. */
export function isPlainChatRequest(body: unknown): boolean {
  if (!isRecord(body) || !isBoundedString(body.model, 1, 256)) return false;
  const { messages, stream, stream_options: options, tools } = body;
  if (!Array.isArray(messages) || messages.length < 1 || messages.length > 100_000) return false;
  for (const m of messages) if (!isMessage(m)) return false;
  if (stream !== undefined && stream !== null && typeof stream !== "boolean") return false;
  if (options !== undefined && options !== null) {
    if (!isRecord(options) || (options.include_usage !== undefined && typeof options.include_usage !== "boolean")) return false;
  }
  if (tools !== undefined) {
    if (!Array.isArray(tools) || tools.length > 10_000) return false;
    for (const t of tools) if (!isRecord(t)) return false;
  }
  return true;
}

/** The route's validator: the check above, then zod for whatever it does not accept. */
export const chatValidatorCompiler: FastifySchemaCompiler<Zod> = (route) => {
  const zod = validatorCompiler(route);
  return (data: unknown) => (route.httpPart === "body" && isPlainChatRequest(data) ? { value: data } : zod(data));
};
