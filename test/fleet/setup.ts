// A ClawNex server wired to a local fake OpenAI-compatible upstream, as the task tests need it:
// one provider route for every model, a known price for "task-model", and BLOCK mode so a
// blocked prompt is enforced. Restartable: the data dir survives close() until dispose().
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { createServices, type Services } from "../../src/app/services.ts";
import type { Scope } from "../../src/auth/scopes.ts";
import { loadConfig } from "../../src/config/config.ts";
import { buildServer } from "../../src/http/server.ts";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream.ts";
import { TEST_BLOCK_RULE, type TestServer } from "../helpers/server.ts";
import type { Backend, BackendDatabase } from "./backends.ts";

/** USD per million tokens for "task-model": the fake upstream's usage (123 in, 17 out) costs 0.157. */
export const TASK_MODEL_PRICE = { inputPerMillion: 1000, outputPerMillion: 2000 };
export const TASK_MODEL_COST = 0.157;

export interface FleetWorld {
  upstream: FakeUpstream;
  dataDir: string;
  server: TestServer;
  /** Starts a fresh server process-equivalent on the same data dir (after close()). */
  restart(): Promise<TestServer>;
  dispose(): Promise<void>;
}

export function configFor(upstream: FakeUpstream, fleet: Record<string, unknown> = {}) {
  return {
    providers: [{ id: "local", kind: "openai-compatible", baseUrl: upstream.baseUrl, apiKeyEnv: "LOCAL_KEY", models: ["*"] }],
    gateway: { prices: { "task-model": TASK_MODEL_PRICE }, maxRetries: 0 },
    fleet,
  };
}

async function boot(dataDir: string, env: NodeJS.ProcessEnv): Promise<TestServer> {
  const services: Services = await createServices(loadConfig(env));
  const app: FastifyInstance = await buildServer(services, { logger: false });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  for (const module of services.modules) await module.start?.(app);
  let closed = false;
  return {
    url,
    dataDir,
    env,
    services,
    app,
    async createKey(scopes: Scope[], options = {}) {
      const { key, record } = await services.keys.create({ name: "test", scopes, ...options }, "test");
      return { key, id: record.id };
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await services.close();
    },
  };
}

export async function startFleetWorld(options: { fleet?: Record<string, unknown>; env?: NodeJS.ProcessEnv; backend?: Backend } = {}): Promise<FleetWorld> {
  const database: BackendDatabase = options.backend ? await options.backend.open() : { env: {}, drop: async () => {} };
  const upstream = await startFakeUpstream();
  const dataDir = mkdtempSync(join(tmpdir(), "clawnex-fleet-"));
  writeFileSync(join(dataDir, "clawnex.config.json"), JSON.stringify(configFor(upstream, options.fleet)));
  mkdirSync(join(dataDir, "rules"), { recursive: true });
  writeFileSync(join(dataDir, "rules", "testing.yaml"), TEST_BLOCK_RULE);
  const env: NodeJS.ProcessEnv = { CLAWNEX_DATA_DIR: dataDir, CLAWNEX_PORT: "0", CLAWNEX_LOG_LEVEL: "silent", CLAWNEX_SHIELD_MODE: "BLOCK", LOCAL_KEY: "sk-local-test", ...database.env, ...options.env };
  const world: FleetWorld = {
    upstream,
    dataDir,
    server: await boot(dataDir, env),
    async restart() {
      await world.server.close();
      world.server = await boot(dataDir, env);
      return world.server;
    },
    async dispose() {
      await world.server.close();
      await upstream.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return world;
}
