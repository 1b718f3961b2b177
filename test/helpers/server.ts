// Starts the real ClawNex server (same composition as `clawnex start`) on an ephemeral loopback
// port with its own data dir, for integration tests that talk HTTP to it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { createServices, type Services } from "../../src/app/services.ts";
import type { Scope } from "../../src/auth/scopes.ts";
import { loadConfig } from "../../src/config/config.ts";
import { buildServer } from "../../src/http/server.ts";
import { closeServer } from "../../src/http/shutdown.ts";
import { type Reply, sendJson } from "./http.ts";

export interface TestServer {
  url: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  services: Services;
  app: FastifyInstance;
  createKey(scopes: Scope[], options?: { expiresInMs?: number; workspace?: string }): Promise<{ key: string; id: string }>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to clawnex.config.json in the data dir. */
  configFile?: unknown;
  /** Custom rule files (name → YAML text) written to the data dir's rules/ folder. */
  rules?: Record<string, string>;
}

/** A custom rule that BLOCKs any text containing "zz-block-me": deterministic tests need not depend on rule tuning. */
export const TEST_BLOCK_RULE = `family: testing
defaults: { category: test, direction: both }
rules:
  - id: testing.block-marker
    title: Test marker that must be blocked
    severity: critical
    confidence: 1
    keywords: [zz-block-me]
    must_match: ["please zz-block-me now"]
    must_not_match: ["nothing here"]
  - id: testing.review-marker
    title: Test marker that needs review
    severity: medium
    confidence: 1
    keywords: [zz-review-me]
    must_match: ["zz-review-me"]
    must_not_match: ["nothing here"]
  - id: testing.fake-token
    title: Test credential
    severity: critical
    confidence: 1
    sensitive: true
    keywords: [zzsecret_]
    patterns: ['zzsecret_[A-Za-z0-9]{20}']
    must_match: ["zzsecret_abcdefghij0123456789"]
    must_not_match: ["zzsecret_short"]
`;

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "clawnex-server-"));
  if (options.configFile !== undefined) writeFileSync(join(dataDir, "clawnex.config.json"), JSON.stringify(options.configFile));
  const rules = options.rules ?? { "testing.yaml": TEST_BLOCK_RULE };
  mkdirSync(join(dataDir, "rules"), { recursive: true });
  for (const [name, text] of Object.entries(rules)) writeFileSync(join(dataDir, "rules", name), text);
  const env: NodeJS.ProcessEnv = { CLAWNEX_DATA_DIR: dataDir, CLAWNEX_PORT: "0", CLAWNEX_LOG_LEVEL: "silent", ...options.env };
  const services = await createServices(loadConfig(env));
  const app = await buildServer(services, { logger: false });
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  for (const module of services.modules) await module.start?.(app);
  return {
    url: address,
    dataDir,
    env,
    services,
    app,
    async createKey(scopes, keyOptions = {}) {
      const { key, record } = await services.keys.create({ name: "test", scopes, ...keyOptions }, "test");
      return { key, id: record.id };
    },
    async close() {
      // As `clawnex start` stops, with a shorter grace: a test's client may leave a connection open.
      await closeServer(app, 500);
      await services.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return sendJson(url, "POST", { body, headers });
}
