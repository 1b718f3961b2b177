// The soc module: its services, routes and background work, built on the core services.
import type { AppModule } from "../app/module.ts";
import type { CoreServices } from "../app/services.ts";

export async function createSocModule(core: CoreServices): Promise<AppModule> {
  void core;
  return { name: "soc" };
}
