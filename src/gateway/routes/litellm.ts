// LiteLLM's generic guardrail API (POST /beta/litellm_basic_guardrail_api) and a receiver for its
// generic API logging callback (POST /api/v1/litellm/logs). LiteLLM authenticates with x-api-key
// (or Authorization: Bearer); both need a ClawNex key with the chat scope.
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { CoreServices } from "../../app/services.ts";
import { authErrors } from "../../http/schemas/common.ts";
import type { GatewayService } from "../gateway-service.ts";
import { guardrail, ingestLogs } from "../litellm.ts";
import { guardrailRequestSchema, guardrailResponseSchema, litellmLogBodySchema, litellmLogSchema } from "../schemas.ts";

export function litellmRoutes(core: CoreServices, svc: GatewayService): FastifyPluginAsyncZod {
  const auth = core.requireScope("chat");
  const caller = (key: { workspace: string; id: string } | null) => ({ workspace: key?.workspace ?? "default", keyId: key?.id ?? null });
  return async (app) => {
    // LiteLLM's log_format "ndjson" sends one payload per line.
    app.addContentTypeParser("application/x-ndjson", { parseAs: "string", bodyLimit: 32 * 1024 * 1024 }, (_request, body, done) => {
      try {
        done(null, (body as string).split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as unknown));
      } catch {
        done(Object.assign(new Error("body is not valid NDJSON"), { statusCode: 400 }), undefined);
      }
    });
    app.post(
      "/beta/litellm_basic_guardrail_api",
      {
        onRequest: auth,
        bodyLimit: svc.deps.config.bodyLimitBytes,
        // Called once per LiteLLM call, each answered one leaving its scan record: its access line goes at debug (see http/access-log.ts).
        config: { accessLog: "debug" },
        schema: { summary: "LiteLLM generic guardrail API: scan texts with the Shield", tags: ["litellm"], security: [{ apiKey: [] }], body: guardrailRequestSchema, response: { 200: guardrailResponseSchema, ...authErrors } },
      },
      async (request) => guardrail(svc, request.body, caller(request.apiKey)),
    );
    app.post(
      "/api/v1/litellm/logs",
      {
        onRequest: auth,
        bodyLimit: 32 * 1024 * 1024,
        schema: { summary: "LiteLLM generic API logging callback: store calls as traffic records", tags: ["litellm"], security: [{ apiKey: [] }], body: litellmLogBodySchema, response: { 202: z.object({ accepted: z.number() }), ...authErrors } },
      },
      async (request, reply) => {
        const logs = Array.isArray(request.body) ? request.body : [request.body];
        return reply.status(202).send({ accepted: await ingestLogs(svc, logs as Array<z.infer<typeof litellmLogSchema>>, caller(request.apiKey)) });
      },
    );
  };
}
