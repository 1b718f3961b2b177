// The fleet API under /api/v1 and its sandbox mirror under /api/v1/sandbox (same routes, same
// keys, isolated data), plus the API reference page.
import multipart from "@fastify/multipart";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { CoreServices } from "../../app/services.ts";
import { docsRoutes } from "../../http/routes/docs.ts";
import { agentRoutes } from "./agents-routes.ts";
import { fileRoutes } from "./files-routes.ts";
import type { FleetApi } from "./route-kit.ts";
import { taskRoutes } from "./tasks-routes.ts";

export function fleetRoutes(api: FleetApi, core: Pick<CoreServices, "requireScope">, maxUploadBytes: number): FastifyPluginAsyncZod {
  return async (app) => {
    // Multipart is parsed only in this plugin's context, as a stream (never buffered); the
    // upload route enforces the size itself, so busboy's limit sits one byte above it.
    await app.register(multipart, { throwFileSizeLimit: false, limits: { fileSize: maxUploadBytes + 1, files: 1, fields: 10, parts: 20, fieldSize: 4096, headerPairs: 100 } });
    for (const sandbox of [false, true]) {
      const kit = { api, scope: core.requireScope, sandbox };
      const prefix = sandbox ? "/api/v1/sandbox" : "/api/v1";
      await app.register(agentRoutes(kit), { prefix });
      await app.register(taskRoutes(kit), { prefix });
      await app.register(fileRoutes(kit), { prefix });
    }
    await app.register(docsRoutes());
  };
}
