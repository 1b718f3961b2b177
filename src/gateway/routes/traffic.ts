// Traffic records and cost summaries (scope fleet:read), scoped to the key's workspace.
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { CoreServices } from "../../app/services.ts";
import { authErrors } from "../../http/schemas/common.ts";
import { costQuerySchema, costSummarySchema, trafficPageSchema, trafficQuerySchema } from "../schemas.ts";
import type { TrafficQueries } from "../traffic-queries.ts";
import type { TrafficRecorder } from "../traffic-recorder.ts";

export function trafficRoutes(core: CoreServices, queries: TrafficQueries, recorder: TrafficRecorder): FastifyPluginAsyncZod {
  const auth = core.requireScope("fleet:read");
  return async (app) => {
    app.get(
      "/api/v1/traffic",
      {
        preHandler: auth,
        schema: { summary: "Gateway traffic records, newest first (cursor pagination)", tags: ["gateway"], security: [{ apiKey: [] }], querystring: trafficQuerySchema, response: { 200: trafficPageSchema, ...authErrors } },
      },
      async (request) => {
        const q = request.query;
        // Records are written in batches every few milliseconds: a reader sees its own calls.
        await recorder.flush();
        return queries.list(request.apiKey?.workspace ?? "default", { since: q.since, until: q.until, model: q.model, verdict: q.verdict, keyId: q.key_id, agentId: q.agent_id, route: q.route, outcome: q.outcome }, q.limit, q.cursor);
      },
    );
    app.get(
      "/api/v1/costs/summary",
      {
        preHandler: auth,
        schema: { summary: "Tokens and cost by day, model, provider and key", tags: ["gateway"], security: [{ apiKey: [] }], querystring: costQuerySchema, response: { 200: costSummarySchema, ...authErrors } },
      },
      async (request) => {
        await recorder.flush();
        return queries.costSummary(request.apiKey?.workspace ?? "default", request.query.since, request.query.until);
      },
    );
  };
}
