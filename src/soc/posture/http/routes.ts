// GET /api/v1/posture (the latest host posture run; scans first if there is none) and
// POST /api/v1/posture/scan (scan now; admin, audited).
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { CoreServices } from "../../../app/services.ts";
import { authErrors } from "../../../http/schemas/common.ts";
import { severityAtLeast } from "../findings.ts";
import type { PostureService } from "../service.ts";
import type { StoredPostureRun } from "../store.ts";
import { postureQuerySchema, postureRunSchema } from "./schemas.ts";

function present(run: StoredPostureRun, minSeverity: Parameters<typeof severityAtLeast>[1] | undefined) {
  const findings = minSeverity ? run.report.findings.filter((f) => severityAtLeast(f.severity, minSeverity)) : run.report.findings;
  return { runId: run.id, trigger: run.trigger, ...run.report, findings };
}

export function postureRoutes(core: CoreServices, service: PostureService): FastifyPluginAsyncZod {
  const security = [{ apiKey: [] }];
  return async (app) => {
    app.get(
      "/api/v1/posture",
      {
        onRequest: core.requireScope("fleet:read"),
        schema: { summary: "Latest host posture scan (runs one when none exists)", tags: ["posture"], security, querystring: postureQuerySchema, response: { 200: postureRunSchema, ...authErrors } },
      },
      async (request) => present(await service.latest(), request.query.min_severity),
    );
    app.post(
      "/api/v1/posture/scan",
      {
        onRequest: core.requireScope("admin"),
        schema: { summary: "Scan the host posture now (audited)", tags: ["posture"], security, querystring: postureQuerySchema, response: { 200: postureRunSchema, ...authErrors } },
      },
      async (request) => {
        const run = await service.run("api");
        await core.audit.append({ actor: `key:${request.apiKey?.id ?? "unknown"}`, action: "posture.scan", target: run.id, workspace: request.apiKey?.workspace, details: { summary: run.report.summary } });
        return present(run, request.query.min_severity);
      },
    );
  };
}
