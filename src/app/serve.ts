// Starts ClawNex as `clawnex start` runs it: the services, the HTTP server with its production
// logger, every rule compiled and the WAL checkpointer running before the first request, then the
// modules. bench:gateway starts its ClawNex through this too, so what it measures is what users run.
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Config } from "../config/config.ts";
import { buildServer } from "../http/server.ts";
import { warmUpEngine } from "../shield/warm-up.ts";
import { createServices, type Services } from "./services.ts";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  /** The address it listens on, e.g. http://127.0.0.1:5001. */
  address: string;
}

export async function serve(config: Config): Promise<RunningServer> {
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
  return { app, services, address };
}
