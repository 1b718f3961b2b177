import { serve } from "../../app/serve.ts";
import { loadConfig } from "../../config/config.ts";
import { closeServer } from "../../http/shutdown.ts";
import type { Command } from "../main.ts";
import { parseCommandArgs } from "../io.ts";

export const command: Command = {
  summary: "run the ClawNex server (dashboard, API and gateway)",
  usage: "usage: clawnex start\n\nConfigured by CLAWNEX_HOST, CLAWNEX_PORT, CLAWNEX_DATA_DIR, CLAWNEX_DATABASE_URL and clawnex.config.json in the data dir.",
  async run(args, io) {
    parseCommandArgs(args, {}, false);
    const config = loadConfig(io.env);
    const { app, services, address } = await serve(config);
    app.log.info({ store: services.store.dialect, location: services.store.location, mode: await services.modes.current(), rules: services.engine.rules.length }, `ClawNex listening on ${address}`);
    io.stderr(`ClawNex listening on ${address} (store: ${services.store.location})\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await closeServer(app, config.shutdownGraceMs);
    await services.close();
    return 0;
  },
};
