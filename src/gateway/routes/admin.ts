// Operator controls (scope admin): per-key Shield mode overrides and break-glass. Both audited.
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { CoreServices } from "../../app/services.ts";
import { authErrors } from "../../http/schemas/common.ts";
import type { BreakGlassService } from "../breakglass.ts";
import type { KeyModeStore } from "../key-modes.ts";
import { breakGlassEndSchema, breakGlassStartSchema, breakGlassStateSchema, breakGlassStatusSchema, keyModeBodySchema, keyModeChangeSchema, keyModeSchema } from "../schemas.ts";

const errors = { ...authErrors, 404: authErrors[400], 409: authErrors[400] };

export function adminRoutes(core: CoreServices, keyModes: KeyModeStore, breakGlass: BreakGlassService): FastifyPluginAsyncZod {
  const admin = core.requireScope("admin");
  const actor = (id: string | undefined) => `key:${id ?? "unknown"}`;
  return async (app) => {
    app.get(
      "/api/v1/gateway/key-modes",
      { preHandler: admin, schema: { summary: "Per-key Shield mode overrides", tags: ["gateway"], security: [{ apiKey: [] }], response: { 200: z.object({ data: z.array(keyModeSchema) }), ...errors } } },
      async (request) => ({ data: await keyModes.list(request.apiKey?.workspace ?? "default") }),
    );
    app.put(
      "/api/v1/gateway/key-modes/:keyId",
      {
        preHandler: admin,
        schema: { summary: "Set (or with mode null clear) a key's Shield mode override (audited)", tags: ["gateway"], security: [{ apiKey: [] }], params: z.object({ keyId: z.string().max(100) }), body: keyModeBodySchema, response: { 200: keyModeChangeSchema, ...errors } },
      },
      async (request) => {
        const change = await keyModes.set(request.apiKey?.workspace ?? "default", request.params.keyId, request.body.mode, actor(request.apiKey?.id), request.body.reason);
        return { key_id: request.params.keyId, ...change };
      },
    );
    app.get(
      "/api/v1/gateway/breakglass",
      { preHandler: admin, schema: { summary: "The break-glass window in force, if any", tags: ["gateway"], security: [{ apiKey: [] }], response: { 200: breakGlassStatusSchema, ...errors } } },
      async () => ({ active: await breakGlass.active(), max_minutes: breakGlass.maxMinutes }),
    );
    app.post(
      "/api/v1/gateway/breakglass",
      {
        preHandler: admin,
        schema: { summary: "Start break-glass: Shield verdicts are not enforced for N minutes (audited)", tags: ["gateway"], security: [{ apiKey: [] }], body: breakGlassStartSchema, response: { 201: breakGlassStateSchema, ...errors } },
      },
      async (request, reply) => reply.status(201).send(await breakGlass.start(request.body.minutes, request.body.reason, actor(request.apiKey?.id))),
    );
    app.delete(
      "/api/v1/gateway/breakglass",
      {
        preHandler: admin,
        schema: { summary: "End break-glass now (audited)", tags: ["gateway"], security: [{ apiKey: [] }], querystring: breakGlassEndSchema, response: { 200: z.object({ ended: breakGlassStateSchema.nullable() }), ...errors } },
      },
      async (request) => ({ ended: await breakGlass.end(actor(request.apiKey?.id), request.query.reason) }),
    );
  };
}
