// GET /api/v1/alerts (feed), GET /api/v1/alerts/export.ndjson, GET and PATCH /api/v1/alerts/{id}.
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { invalidRequest, unauthorized } from "../../errors.ts";
import { withExcerpts } from "../export/excerpts.ts";
import { ndjsonStream } from "../export/ndjson.ts";
import { isoParam, listParam } from "../feed.ts";
import { STATUSES } from "../lifecycle.ts";
import { SOC_SEVERITIES } from "../model.ts";
import type { SocApi } from "./routes.ts";
import { alertExportQuerySchema, alertPageSchema, alertQuerySchema, alertSchema, idParams, socErrors, statusChangeSchema } from "./schemas.ts";

/** How long a read waits for events already submitted to be processed. */
export const FLUSH_WAIT_MS = 2000;

export const SECURITY: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];

export function workspaceOf(request: FastifyRequest): string {
  if (!request.apiKey) throw unauthorized();
  return request.apiKey.workspace;
}

export function actorOf(request: FastifyRequest): string {
  return `key:${request.apiKey?.id ?? "unknown"}`;
}

/** `since` and `cursor` are two names for the same position; both at once must agree. */
export function positionOf(query: { since?: string | undefined; cursor?: string | undefined }): string | undefined {
  if (query.since !== undefined && query.cursor !== undefined && query.since !== query.cursor) throw invalidRequest("give since or cursor, not two different positions");
  return query.since ?? query.cursor;
}

function alertFilter(q: { from?: string | undefined; to?: string | undefined; severity?: string | undefined; status?: string | undefined; agent?: string | undefined; rule_id?: string | undefined }) {
  return { from: isoParam(q.from, "from"), to: isoParam(q.to, "to"), severity: listParam(q.severity, SOC_SEVERITIES, "severity"), status: listParam(q.status, STATUSES, "status"), agent: q.agent, rule_id: q.rule_id };
}

export function alertRoutes(api: SocApi): FastifyPluginAsyncZod {
  const read = api.core.requireScope("alerts:read");
  const write = api.core.requireScope("alerts:write");
  return async (app) => {
    app.get(
      "/api/v1/alerts",
      {
        preHandler: read,
        schema: {
          summary: "Alerts, oldest first: poll with since=next_cursor to get each alert exactly once",
          operationId: "listAlerts",
          tags: ["soc"],
          security: SECURITY,
          querystring: alertQuerySchema,
          response: { 200: alertPageSchema, ...socErrors },
        },
      },
      async (request) => {
        const q = request.query;
        // Events already submitted are processed first, so a caller sees the alerts its own calls raised.
        await api.pipeline.settle(FLUSH_WAIT_MS);
        return api.alerts.list(workspaceOf(request), alertFilter(q), { limit: q.limit, order: q.order, cursor: positionOf(q) });
      },
    );

    app.get(
      "/api/v1/alerts/export.ndjson",
      {
        preHandler: read,
        schema: {
          summary: "Alerts as NDJSON (one JSON alert per line), streamed",
          operationId: "exportAlerts",
          description: "Same filters as GET /api/v1/alerts. The X-ClawNex-Next-Cursor header is the position after the last alert in this export: pass it as since next time.",
          tags: ["soc"],
          security: SECURITY,
          querystring: alertExportQuerySchema,
          produces: ["application/x-ndjson"],
          response: { 200: z.string().describe("application/x-ndjson"), ...socErrors },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const workspace = workspaceOf(request);
        await api.pipeline.settle(FLUSH_WAIT_MS);
        const after = api.alerts.cursor.decode({ limit: q.limit, order: "asc", cursor: positionOf(q) }) ?? 0;
        const filter = alertFilter(q);
        const until = await api.alerts.boundFor(workspace, filter, after, q.limit);
        reply.header("x-clawnex-next-cursor", api.alerts.cursor.encode("asc", Math.max(until, after)));
        reply.type("application/x-ndjson; charset=utf-8");
        // A stream bypasses the response serializer; the 200 schema only documents the type.
        return reply.send(ndjsonStream(api.alerts.iterate(workspace, filter, after, until), (batch) => withExcerpts(api.core.store.db, batch, api.includePromptText)) as unknown as string);
      },
    );

    app.get(
      "/api/v1/alerts/:id",
      { preHandler: read, schema: { summary: "One alert", operationId: "getAlert", tags: ["soc"], security: SECURITY, params: idParams, response: { 200: alertSchema, ...socErrors } } },
      async (request) => api.alerts.get(workspaceOf(request), request.params.id),
    );

    app.patch(
      "/api/v1/alerts/:id",
      {
        preHandler: write,
        schema: {
          summary: "Change an alert's status: acknowledged, resolved, suppressed (with reason and expiry) or open (audited)",
          operationId: "updateAlert",
          tags: ["soc"],
          security: SECURITY,
          params: idParams,
          body: statusChangeSchema,
          response: { 200: alertSchema, ...socErrors },
        },
      },
      async (request) => api.alerts.update(workspaceOf(request), request.params.id, request.body, actorOf(request)),
    );
  };
}
