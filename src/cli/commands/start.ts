import type { FastifyBaseLogger } from "fastify";
import { createServices } from "../../app/services.ts";
import { loadConfig } from "../../config/config.ts";
import { buildServer } from "../../http/server.ts";
import { closeServer } from "../../http/shutdown.ts";
import { warmUpEngine } from "../../shield/warm-up.ts";
import type { Command } from "../main.ts";
import { parseCommandArgs } from "../io.ts";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export const command: Command = {
  summary: "run the ClawNex server (dashboard, API and gateway)",
  usage: "usage: clawnex start\n\nConfigured by CLAWNEX_HOST, CLAWNEX_PORT, CLAWNEX_DATA_DIR, CLAWNEX_DATABASE_URL and clawnex.config.json in the data dir.",
  async run(args, io) {
    parseCommandArgs(args, {}, false);
    const config = loadConfig(io.env);
    let log: FastifyBaseLogger | undefined;
    const services = await createServices(config, (type, err) => log?.error({ err, event: type }, "event handler failed"));
    const app = await buildServer(services);
    log = app.log;
    if (!LOOPBACK.test(config.host)) {
      app.log.warn({ host: config.host }, "listening beyond loopback: put ClawNex behind TLS and keep API keys scoped");
    }
    // Before listening, so the first request does not pay for compiling every rule (~0.3 s).
    warmUpEngine(services.engine);
    services.store.checkpointInBackground?.(1000, (message) => app.log.warn({ message }, "WAL checkpoint worker failed; SQLite checkpoints in-line again"));
    const address = await app.listen({ host: config.host, port: config.port });
    for (const module of services.modules) await module.start?.(app);
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
