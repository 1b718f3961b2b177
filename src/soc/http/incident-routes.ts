// GET /api/v1/incidents (feed), GET and PATCH /api/v1/incidents/{id}.
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { isoParam, listParam } from "../feed.ts";
import { STATUSES } from "../lifecycle.ts";
import { SOC_SEVERITIES } from "../model.ts";
import { actorOf, FLUSH_WAIT_MS, positionOf, SECURITY, workspaceOf } from "./alert-routes.ts";
import type { SocApi } from "./routes.ts";
import { idParams, incidentDetailSchema, incidentPageSchema, incidentQuerySchema, incidentSchema, socErrors, statusChangeSchema } from "./schemas.ts";

export function incidentRoutes(api: SocApi): FastifyPluginAsyncZod {
  const read = api.core.requireScope("alerts:read");
  const write = api.core.requireScope("alerts:write");
  return async (app) => {
    app.get(
      "/api/v1/incidents",
      { preHandler: read, schema: { summary: "Incidents opened by correlation rules, oldest first (same polling cursor as alerts)", operationId: "listIncidents", tags: ["soc"], security: SECURITY, querystring: incidentQuerySchema, response: { 200: incidentPageSchema, ...socErrors } } },
      async (request) => {
        const q = request.query;
        await api.pipeline.settle(FLUSH_WAIT_MS);
        const filter = { from: isoParam(q.from, "from"), to: isoParam(q.to, "to"), severity: listParam(q.severity, SOC_SEVERITIES, "severity"), status: listParam(q.status, STATUSES, "status"), rule_id: q.rule_id };
        return api.incidents.list(workspaceOf(request), filter, { limit: q.limit, order: q.order, cursor: positionOf(q) });
      },
    );

    app.get(
      "/api/v1/incidents/:id",
      { preHandler: read, schema: { summary: "One incident with its events in order, the rule, the score and why", operationId: "getIncident", tags: ["soc"], security: SECURITY, params: idParams, response: { 200: incidentDetailSchema, ...socErrors } } },
      async (request) => api.incidents.get(workspaceOf(request), request.params.id),
    );

    app.patch(
      "/api/v1/incidents/:id",
      {
        preHandler: write,
        schema: { summary: "Change an incident's status (audited)", operationId: "updateIncident", tags: ["soc"], security: SECURITY, params: idParams, body: statusChangeSchema, response: { 200: incidentSchema, ...socErrors } },
      },
      async (request) => api.incidents.update(workspaceOf(request), request.params.id, request.body, actorOf(request)),
    );
  };
}
