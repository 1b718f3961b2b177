// The openclaw module: the session watcher, the trust audit, fleet status for OpenClaw
// instances, and their routes, built on the core services.
import type { AppModule } from "../app/module.ts";
import type { CoreServices } from "../app/services.ts";
import "./events.ts";
import { openclawRoutes } from "./http/routes.ts";
import { createOpenClawServices } from "./services.ts";

export async function createOpenClawModule(core: CoreServices): Promise<AppModule> {
  let log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void } | undefined;
  const services = createOpenClawServices(core, {
    warn: (obj, msg) => log?.warn(obj, msg),
    info: (obj, msg) => log?.info(obj, msg),
  });
  await services.syncConfig();
  return {
    name: "openclaw",
    routes: openclawRoutes(core, services),
    async start(app) {
      log = app.log;
      if (core.config.openclaw.watcher.enabled) services.watcher.start();
      services.poller.start();
    },
    async close() {
      await services.watcher.stop();
      await services.poller.stop();
    },
  };
}
