// The SOC's HTTP surface: alerts, incidents and the audit trail as polling feeds with NDJSON
// exports, and GET /metrics. Wrapped with fastify-plugin so its request-metrics hook sees every
// route of the server, not only its own. Routes are thin: schema in, one service call, schema out.
import fp from "fastify-plugin";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { CoreServices } from "../../app/services.ts";
import { metricsRoutes } from "../../http/routes/metrics.ts";
import type { AlertService } from "../alerts/alert-service.ts";
import type { AuditFeed } from "../audit-feed.ts";
import type { IncidentService } from "../incidents/incident-service.ts";
import type { SocMetrics } from "../metrics.ts";
import type { SocPipeline } from "../pipeline/pipeline.ts";
import { alertRoutes } from "./alert-routes.ts";
import { auditRoutes } from "./audit-routes.ts";
import { incidentRoutes } from "./incident-routes.ts";

export interface SocApi {
  core: CoreServices;
  alerts: AlertService;
  incidents: IncidentService;
  audit: AuditFeed;
  pipeline: SocPipeline;
  metrics: SocMetrics;
  includePromptText: boolean;
  loopbackMetricsWithoutKey: boolean;
}

export function socRoutes(api: SocApi): FastifyPluginAsyncZod {
  const plugin: FastifyPluginAsyncZod = async (app) => {
    app.addHook("onResponse", async (request, reply) => {
      const route = request.routeOptions.url ?? "(unmatched)";
      api.metrics.httpRequests.inc({ method: request.method, route, status_code: String(reply.statusCode) });
      api.metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    });
    await app.register(alertRoutes(api));
    await app.register(incidentRoutes(api));
    await app.register(auditRoutes(api));
    await app.register(metricsRoutes(api.core, api.metrics.registry, { loopbackWithoutKey: api.loopbackMetricsWithoutKey }));
  };
  return fp(plugin, { name: "clawnex-soc" });
}
