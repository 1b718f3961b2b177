// The host posture module: scheduled local security checks, exposed at GET /api/v1/posture.
import type { AppModule } from "../../app/module.ts";
import type { CoreServices } from "../../app/services.ts";

export async function createPostureModule(core: CoreServices): Promise<AppModule> {
  void core;
  return { name: "posture" };
}
