// The openclaw module: its services, routes and background work, built on the core services.
import type { AppModule } from "../app/module.ts";
import type { CoreServices } from "../app/services.ts";

export async function createOpenClawModule(core: CoreServices): Promise<AppModule> {
  void core;
  return { name: "openclaw" };
}
