// Builds the Fastify server: zod schemas in and out, one error envelope, request ids, secrets
// redacted from logs, OpenAPI generated from the route schemas. Routes live in ./routes.
import { randomUUID } from "node:crypto";
import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { Services } from "../app/services.ts";
import { notFound } from "../errors.ts";
import { AccessLogController } from "./access-log.ts";
import { sendError } from "./error-mapper.ts";
import { idempotencyPlugin } from "./idempotency.ts";
import { markOptionalBodies } from "./openapi-optional-bodies.ts";
import { healthRoutes } from "./routes/health.ts";
import { shieldRoutes } from "./routes/shield.ts";

export const REDACTED_LOG_PATHS = ["req.headers.authorization", "req.headers['x-clawnex-key']", "req.headers['x-api-key']", "req.headers.cookie"];

export interface ServerOptions {
  /** pino options, or false to log nothing (tests) */
  logger?: boolean | { level: string };
}

export async function buildServer(services: Services, options: ServerOptions = {}): Promise<FastifyInstance> {
  const { config } = services;
  const logger = options.logger === false ? false : { level: typeof options.logger === "object" ? options.logger.level : config.logLevel, redact: { paths: REDACTED_LOG_PATHS, censor: "[redacted]" } };
  const app = Fastify({
    logger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : `req_${randomUUID().replace(/-/g, "")}`;
    },
    return503OnClosing: true,
    logController: new AccessLogController(),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest("apiKey", null);
  // Callback style, not async: every request runs it, and an async hook costs a promise and a turn.
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    done();
  });
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  app.setNotFoundHandler((request, reply) => sendError(request, reply, notFound(`route ${request.method} ${request.url.split("?")[0]}`)));

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "ClawNex API", version: "1", description: "Security operations for AI agent fleets: Shield scanning, gateway, fleet." },
      components: { securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "X-ClawNex-Key" }, bearer: { type: "http", scheme: "bearer" } } },
    },
    transform: jsonSchemaTransform,
    // Emits the named (.meta({ id })) schemas into components.schemas, which the paths $ref.
    transformObject: (input) => markOptionalBodies(jsonSchemaTransformObject(input)),
  });

  // Before any route: it hooks route registration for routes with config.idempotent.
  await app.register(idempotencyPlugin, { db: services.store.db });
  await app.register(healthRoutes);
  await app.register(shieldRoutes(services));
  for (const module of services.modules) if (module.routes) await app.register(module.routes);

  app.get("/api/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  return app;
}
