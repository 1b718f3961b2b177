// GET /api/v1/audit (scope audit:read) and its NDJSON export: the hash-chained audit trail of the
// key's workspace, oldest first, with the same polling cursor as the alert feed.
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ndjsonStream } from "../export/ndjson.ts";
import { isoParam } from "../feed.ts";
import { positionOf, SECURITY, workspaceOf } from "./alert-routes.ts";
import type { SocApi } from "./routes.ts";
import { auditExportQuerySchema, auditPageSchema, auditQuerySchema, socErrors } from "./schemas.ts";

export function auditRoutes(api: SocApi): FastifyPluginAsyncZod {
  const read = api.core.requireScope("audit:read");
  return async (app) => {
    app.get(
      "/api/v1/audit",
      { preHandler: read, schema: { summary: "Audit events of the key's workspace, oldest first (poll with since=next_cursor)", operationId: "listAuditEvents", tags: ["soc"], security: SECURITY, querystring: auditQuerySchema, response: { 200: auditPageSchema, ...socErrors } } },
      async (request) => {
        const q = request.query;
        return api.audit.list(workspaceOf(request), { from: isoParam(q.from, "from"), to: isoParam(q.to, "to") }, { limit: q.limit, order: "asc", cursor: positionOf(q) });
      },
    );

    app.get(
      "/api/v1/audit/export.ndjson",
      {
        preHandler: read,
        schema: {
          summary: "Audit events as NDJSON, streamed",
          operationId: "exportAuditEvents",
          description: "The X-ClawNex-Next-Cursor header is the position after this export: pass it as since next time.",
          tags: ["soc"],
          security: SECURITY,
          querystring: auditExportQuerySchema,
          produces: ["application/x-ndjson"],
          response: { 200: z.string().describe("application/x-ndjson"), ...socErrors },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const workspace = workspaceOf(request);
        const after = api.audit.cursor.decode({ limit: 1, order: "asc", cursor: positionOf(q) }) ?? 0;
        const head = await api.audit.maxSeq();
        const window = { from: isoParam(q.from, "from"), to: isoParam(q.to, "to") };
        let count = 0;
        async function* limited() {
          for await (const record of api.audit.iterate(workspace, window, after, head)) {
            if (++count > q.limit) return;
            yield record;
          }
        }
        // With a limit below the backlog the export stops early; the header then still points at
        // the chain head, so the limit is meant for sampling, not for paging (use GET /audit).
        reply.header("x-clawnex-next-cursor", api.audit.cursor.encode("asc", Math.max(head, after)));
        reply.type("application/x-ndjson; charset=utf-8");
        // A stream bypasses the response serializer; the 200 schema only documents the type.
        return reply.send(ndjsonStream(limited()) as unknown as string);
      },
    );
  };
}
