// The OpenAI-compatible endpoints: POST /api/v1/chat/completions (and /v1/chat/completions, so
// an OpenAI client works with baseURL http://host:5001/v1) and GET /v1/models. Errors here take
// OpenAI's shape. The key is checked before the body is read, and the body is kept as received so
// an unchanged request is relayed upstream without re-serialising it.
import { performance } from "node:perf_hooks";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { CoreServices } from "../../app/services.ts";
import { completeNonStream } from "../chat-nonstream.ts";
import { relayStream } from "../chat-stream.ts";
import { chatValidatorCompiler } from "../chat-validation.ts";
import type { CallContext, GatewayService } from "../gateway-service.ts";
import { OpenAIHttpError, sendOpenAIError, toOpenAIError } from "../openai-errors.ts";
import type { ChatCompletionRequestBody } from "../openai-types.ts";
import { chatRequestSchema, chatResponseSchema, modelListSchema, openAIErrors } from "../schemas.ts";
import { abortWhenClientLeaves } from "./client-gone.ts";
import { ResponseSink } from "./response-sink.ts";

const SECURITY: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];
const AGENT_ID = /^[A-Za-z0-9._:@/-]{1,128}$/;

declare module "fastify" {
  interface FastifyRequest {
    /** performance.now() when the request arrived: auth and body parsing count as overhead. */
    clawnexArrivedAt: number;
    /** The body as received, relayed unchanged when nothing in it must change. */
    clawnexRawBody: Buffer | null;
  }
}

function contextOf(request: FastifyRequest): CallContext {
  const key = request.apiKey;
  const agent = request.headers["x-clawnex-agent-id"];
  return {
    workspace: key?.workspace ?? "default",
    keyId: key?.id ?? null,
    source: "gateway",
    agentId: typeof agent === "string" && AGENT_ID.test(agent) ? agent : undefined,
    requestId: request.id,
    startedAt: request.clawnexArrivedAt || performance.now(),
  };
}

async function streamReply(svc: GatewayService, request: FastifyRequest, reply: FastifyReply, prepared: Awaited<ReturnType<GatewayService["prepare"]>>): Promise<void> {
  const controller = new AbortController();
  reply.hijack();
  const res = reply.raw;
  // No closures over this scope here (see response-sink.ts).
  const sink = new ResponseSink(res, request.id, controller);
  try {
    await relayStream(svc, prepared, sink, controller.signal);
  } catch (err) {
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
      return;
    }
    const e = toOpenAIError(err);
    if (e.status >= 500 && !(err instanceof OpenAIHttpError)) request.log.error({ err }, "stream failed");
    res.writeHead(e.status, { "content-type": "application/json", "x-request-id": request.id, "x-clawnex-scan-id": prepared.inboundScanId, ...e.headers });
    res.end(JSON.stringify(e.body(request.id)));
  }
}

export function chatRoutes(core: CoreServices, svc: GatewayService): FastifyPluginAsyncZod {
  const auth = core.requireScope("chat");
  const bodyLimit = svc.deps.config.bodyLimitBytes;
  return async (app) => {
    // Fields of the request, not WeakMaps keyed by it: each request would add an entry that every
    // young-generation collection has to visit.
    app.decorateRequest("clawnexArrivedAt", 0);
    app.decorateRequest("clawnexRawBody", null);
    app.addHook("onRequest", (request, _reply, done) => {
      request.clawnexArrivedAt = performance.now();
      done();
    });
    app.setErrorHandler((error, request, reply) => {
      const arrived = request.clawnexArrivedAt;
      if (!reply.hasHeader("x-clawnex-overhead-ms") && arrived > 0) reply.header("x-clawnex-overhead-ms", (performance.now() - arrived).toFixed(3));
      return sendOpenAIError(request, reply, error);
    });
    // This plugin's routes only: a chat body zod would accept unchanged is not copied by it.
    app.setValidatorCompiler(chatValidatorCompiler);
    app.removeContentTypeParser("application/json");
    app.addContentTypeParser("application/json", { parseAs: "buffer", bodyLimit }, (request, body, done) => {
      try {
        const parsed: unknown = JSON.parse((body as Buffer).toString("utf8"));
        request.clawnexRawBody = body as Buffer;
        done(null, parsed);
      } catch {
        done(new OpenAIHttpError(400, "request body is not valid JSON", { code: "invalid_json" }), undefined);
      }
    });

    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const ctx = contextOf(request);
      const body = request.body as ChatCompletionRequestBody;
      const prepared = await svc.prepare(body, request.clawnexRawBody ?? undefined, ctx);
      request.clawnexRawBody = null;
      if (body.stream === true) return streamReply(svc, request, reply, prepared);
      const controller = new AbortController();
      const stopWatching = abortWhenClientLeaves(reply.raw, controller);
      try {
        const result = await completeNonStream(svc, prepared, controller.signal);
        reply.headers(result.headers).type("application/json").send(result.body);
        result.record();
        return reply;
      } catch (err) {
        if (err instanceof OpenAIHttpError) err.headers["x-clawnex-scan-id"] ??= prepared.inboundScanId;
        throw err;
      } finally {
        stopWatching();
      }
    };
    const schema = {
      summary: "Chat completions through the Shield (OpenAI-compatible; stream: true for SSE)",
      tags: ["gateway"],
      security: SECURITY,
      body: chatRequestSchema,
      response: { 200: chatResponseSchema, ...openAIErrors },
    };
    // An answered call has its traffic record: its access line goes at debug (see http/access-log.ts).
    const config = { accessLog: "debug" as const };
    app.post("/api/v1/chat/completions", { onRequest: auth, bodyLimit, schema, config }, handler);
    app.post("/v1/chat/completions", { onRequest: auth, bodyLimit, schema: { ...schema, hide: true }, config }, handler);

    const models = async () => ({ object: "list" as const, data: svc.deps.router.listedModels().map((m) => ({ id: m.id, object: "model" as const, created: 0, owned_by: m.owned_by })) });
    const modelsSchema = { summary: "Models with an explicit provider route (OpenAI-compatible)", tags: ["gateway"], security: SECURITY, response: { 200: modelListSchema, ...openAIErrors } };
    app.get("/api/v1/models", { onRequest: auth, schema: modelsSchema }, models);
    app.get("/v1/models", { onRequest: auth, schema: { ...modelsSchema, hide: true } }, models);
  };
}
