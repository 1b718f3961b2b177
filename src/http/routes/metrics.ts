// GET /metrics in the Prometheus text format. Open without a key only to a loopback peer that
// came directly (no proxy headers: behind a local reverse proxy every request would look local);
// everyone else needs a key with scope alerts:read (or admin). Registered by the soc module.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Registry } from "prom-client";
import { z } from "zod";
import type { CoreServices } from "../../app/services.ts";
import { authErrors } from "../schemas/common.ts";

const PROXY_HEADERS = ["x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-host"];

export function isDirectLoopback(request: FastifyRequest): boolean {
  const peer = request.socket.remoteAddress ?? "";
  const loopback = peer === "::1" || peer.startsWith("127.") || peer.startsWith("::ffff:127.");
  return loopback && !PROXY_HEADERS.some((h) => request.headers[h] !== undefined);
}

export function metricsRoutes(core: CoreServices, registry: Registry, options: { loopbackWithoutKey: boolean }): FastifyPluginAsyncZod {
  const keyed = core.requireScope("alerts:read");
  return async (app) => {
    app.get(
      "/metrics",
      {
        preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
          if (options.loopbackWithoutKey && isDirectLoopback(request)) return;
          await keyed(request, reply);
        },
        schema: {
          summary: "Prometheus metrics (requests, verdicts, blocks, latency, alerts, incidents, queues)",
          operationId: "getMetrics",
          description: "Text exposition format 0.0.4. Without a key from loopback only (configurable); otherwise scope alerts:read.",
          tags: ["soc"],
          security: [{}, { apiKey: [] }, { bearer: [] }],
          response: { 200: z.string(), ...authErrors },
        },
      },
      async (_request, reply) => {
        const text = await registry.metrics();
        return reply.type(registry.contentType).send(text);
      },
    );
  };
}
