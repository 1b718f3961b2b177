// HTTP routes of the openclaw module. Thin: schema in, one service call, schema out. Every lookup
// is scoped to the caller's workspace (another workspace's instance answers 404). Reading needs
// `fleet:read`; registering instances, running the watcher and uploading audits need `admin`.
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { CoreServices } from "../../app/services.ts";
import { AppError } from "../../errors.ts";
import { authErrors, errorEnvelopeSchema } from "../../http/schemas/common.ts";
import type { Instance } from "../fleet/instance-store.ts";
import { fleetStatus } from "../fleet/status.ts";
import type { OpenClawServices } from "../services.ts";
import type { TrustReport } from "../trust/audit.ts";
import { listSessions } from "../watcher/sessions-query.ts";
import {
  auditUploadResponseSchema, blastRadiusResponseSchema, fleetStatusSchema, instanceListSchema, findingsResponseSchema, idParams, instanceCreateSchema, instanceRefQuery, instanceSchema,
  matrixResponseSchema, openclawAuditBodySchema, passSummarySchema, sessionsQuery, sessionsResponseSchema,
} from "./schemas.ts";

const security = [{ apiKey: [] }];
const errors = { ...authErrors, 404: errorEnvelopeSchema, 409: errorEnvelopeSchema, 422: errorEnvelopeSchema };

function publicInstance(i: Instance) {
  const { gatewayStatus, consecutiveFailures, ...rest } = i;
  void gatewayStatus;
  void consecutiveFailures;
  return rest;
}

function head(instance: Instance, report: TrustReport) {
  return { instance: instance.name, stateDir: report.stateDir, configPath: report.configPath, generatedAt: report.generatedAt, problems: report.problems };
}

export function openclawRoutes(core: CoreServices, services: OpenClawServices): FastifyPluginAsyncZod {
  const read = core.requireScope("fleet:read");
  const admin = core.requireScope("admin");
  const workspaceOf = (request: { apiKey: { workspace: string } | null }) => request.apiKey?.workspace ?? "default";

  /** The named instance, or the workspace's only instance with a state dir. */
  async function instanceFor(workspace: string, ref: string | undefined, needStateDir: boolean): Promise<Instance> {
    if (ref) return services.instances.get(workspace, ref);
    const candidates = (await services.instances.list(workspace)).filter((i) => !needStateDir || i.stateDir);
    if (candidates.length === 1 && candidates[0]) return candidates[0];
    throw new AppError("invalid_request", candidates.length === 0 ? "no OpenClaw instance with a state dir is registered in this workspace" : "several instances are registered: choose one with ?instance=<id or name>");
  }

  return async (app) => {
    app.get("/api/v1/fleet/status", { preHandler: read, schema: { summary: "OpenClaw fleet status: instances, agents, readiness, last seen, cost", tags: ["fleet"], security, response: { 200: fleetStatusSchema, ...errors } } }, async (request) =>
      fleetStatus(core.store.db, services.instances, services.fleetEvents, workspaceOf(request)),
    );

    app.get("/api/v1/openclaw/instances", { preHandler: read, schema: { summary: "Registered OpenClaw instances", tags: ["openclaw"], security, response: { 200: instanceListSchema, ...errors } } }, async (request) => ({
      data: (await services.instances.list(workspaceOf(request))).map(publicInstance),
    }));

    app.post("/api/v1/openclaw/instances", { preHandler: admin, schema: { summary: "Register an OpenClaw instance (audited)", tags: ["openclaw"], security, body: instanceCreateSchema, response: { 201: instanceSchema, ...errors } } }, async (request, reply) => {
      const instance = await services.instances.add({ ...request.body, workspace: workspaceOf(request) }, "api");
      await core.audit.append({ actor: `key:${request.apiKey?.id ?? "unknown"}`, action: "openclaw.instance.add", target: instance.id, workspace: instance.workspace, details: { name: instance.name, gatewayUrl: instance.gatewayUrl, stateDir: instance.stateDir } });
      reply.code(201);
      return publicInstance(instance);
    });

    app.delete("/api/v1/openclaw/instances/:id", { preHandler: admin, schema: { summary: "Unregister an OpenClaw instance (audited)", tags: ["openclaw"], security, params: idParams, response: { 200: instanceSchema, ...errors } } }, async (request) => {
      const instance = await services.instances.remove(workspaceOf(request), request.params.id);
      await core.audit.append({ actor: `key:${request.apiKey?.id ?? "unknown"}`, action: "openclaw.instance.remove", target: instance.id, workspace: instance.workspace, details: { name: instance.name } });
      return publicInstance(instance);
    });

    app.post("/api/v1/openclaw/instances/:id/poll", { preHandler: admin, schema: { summary: "Poll an instance's gateway health now", tags: ["openclaw"], security, params: idParams, response: { 200: instanceSchema, ...errors } } }, async (request) =>
      publicInstance(await services.poller.poll(await services.instances.get(workspaceOf(request), request.params.id))),
    );

    app.post("/api/v1/openclaw/instances/:id/watch", { preHandler: admin, schema: { summary: "Run a session-watcher pass over an instance now", tags: ["openclaw"], security, params: idParams, response: { 200: passSummarySchema, ...errors } } }, async (request) => {
      const instance = await services.instances.get(workspaceOf(request), request.params.id);
      if (!instance.stateDir) throw new AppError("unprocessable", `instance ${instance.name} has no state dir to watch`);
      const target = services.target(instance);
      const summary = await services.watcher.passOnce(target);
      await services.afterPass(target, summary, null);
      return summary;
    });

    app.get("/api/v1/openclaw/sessions", { preHandler: read, schema: { summary: "Per-session usage and detections read from transcripts", tags: ["openclaw"], security, querystring: sessionsQuery, response: { 200: sessionsResponseSchema, ...errors } } }, async (request) => {
      const workspace = workspaceOf(request);
      const instanceId = request.query.instance ? (await services.instances.get(workspace, request.query.instance)).id : undefined;
      return listSessions(core.store.db, core.cursors, { workspace, instanceId, limit: request.query.limit, cursor: request.query.cursor });
    });

    app.get("/api/v1/trust/findings", { preHandler: read, schema: { summary: "Trust audit findings for an instance's OpenClaw config and state", tags: ["trust"], security, querystring: instanceRefQuery, response: { 200: findingsResponseSchema, ...errors } } }, async (request) => {
      const instance = await instanceFor(workspaceOf(request), request.query.instance, true);
      const report = await services.trust.report(instance);
      return { ...head(instance, report), summary: report.summary, findings: report.findings };
    });

    app.get("/api/v1/trust/matrix", { preHandler: read, schema: { summary: "Reachability: who reaches which agent, with which tools", tags: ["trust"], security, querystring: instanceRefQuery, response: { 200: matrixResponseSchema, ...errors } } }, async (request) => {
      const instance = await instanceFor(workspaceOf(request), request.query.instance, true);
      const report = await services.trust.report(instance);
      return { ...head(instance, report), ...report.matrix };
    });

    app.get("/api/v1/trust/blast-radius", { preHandler: read, schema: { summary: "Blast radius of each principal: agents, tools and assets it reaches", tags: ["trust"], security, querystring: instanceRefQuery, response: { 200: blastRadiusResponseSchema, ...errors } } }, async (request) => {
      const instance = await instanceFor(workspaceOf(request), request.query.instance, true);
      const report = await services.trust.report(instance);
      return { ...head(instance, report), blastRadius: report.blastRadius };
    });

    app.put("/api/v1/trust/openclaw-audit", { preHandler: admin, schema: { summary: "Upload `openclaw security audit --json` output for an instance (merged into findings)", tags: ["trust"], security, querystring: instanceRefQuery, body: openclawAuditBodySchema, response: { 200: auditUploadResponseSchema, ...errors } } }, async (request) => {
      const instance = await instanceFor(workspaceOf(request), request.query.instance, false);
      const findings = await services.trust.storeOpenclawAudit(instance, request.body);
      await core.audit.append({ actor: `key:${request.apiKey?.id ?? "unknown"}`, action: "openclaw.security_audit.upload", target: instance.id, workspace: instance.workspace, details: { findings } });
      return { instance: instance.name, findings };
    });
  };
}

