import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { CoreServices } from "../../app/services.ts";
import { notFound } from "../../errors.ts";
import { authErrors } from "../schemas/common.ts";
import { modeChangeSchema, modeSchema, ruleSummarySchema, scanRequestSchema, scanResultSchema, storedScanSchema } from "../schemas/shield.ts";

export function shieldRoutes(services: CoreServices): FastifyPluginAsyncZod {
  const scope = services.requireScope;
  return async (app) => {
    app.post(
      "/api/v1/shield/scan",
      {
        onRequest: scope("shield:scan"),
        schema: { summary: "Scan text with the Shield rules", tags: ["shield"], security: [{ apiKey: [] }], body: scanRequestSchema, response: { 200: scanResultSchema, ...authErrors } },
      },
      async (request) =>
        services.scans.scan({
          text: request.body.text,
          direction: request.body.direction,
          source: request.body.source,
          metadata: request.body.metadata,
          keyId: request.apiKey?.id ?? null,
          workspace: request.apiKey?.workspace,
        }),
    );

    app.get(
      "/api/v1/shield/scans/:id",
      {
        onRequest: scope("shield:scan"),
        schema: { summary: "A recorded scan (hash and redacted excerpts)", tags: ["shield"], security: [{ apiKey: [] }], params: z.object({ id: z.string().max(100) }), response: { 200: storedScanSchema, ...authErrors, 404: authErrors[400] } },
      },
      async (request) => {
        const scan = await services.scanStore.get(request.apiKey?.workspace ?? "default", request.params.id);
        if (!scan) throw notFound("scan");
        return scan;
      },
    );

    app.get(
      "/api/v1/shield/rules",
      { onRequest: scope("shield:scan"), schema: { summary: "The Shield rules in force", tags: ["shield"], security: [{ apiKey: [] }], response: { 200: z.object({ data: z.array(ruleSummarySchema) }), ...authErrors } } },
      async () => ({
        data: services.engine.rules.map((r) => ({
          id: r.id,
          title: r.title,
          family: r.family,
          category: r.category,
          severity: r.severity,
          confidence: r.confidence,
          direction: r.direction,
          tags: r.tags,
          origin: r.origin,
          action: services.config.shield.ruleActions[r.id] ?? r.action,
        })),
      }),
    );

    app.get(
      "/api/v1/shield/mode",
      { onRequest: scope("shield:scan"), schema: { summary: "The Shield mode in force", tags: ["shield"], security: [{ apiKey: [] }], response: { 200: modeSchema, ...authErrors } } },
      async () => ({ mode: await services.modes.current() }),
    );

    app.put(
      "/api/v1/shield/mode",
      {
        onRequest: scope("admin"),
        schema: { summary: "Change the Shield mode (audited)", tags: ["shield"], security: [{ apiKey: [] }], body: modeChangeSchema, response: { 200: modeSchema.extend({ previous: modeSchema.shape.mode }), ...authErrors } },
      },
      async (request) => services.modes.set(request.body.mode, `key:${request.apiKey?.id ?? "unknown"}`, request.body.reason),
    );
  };
}
