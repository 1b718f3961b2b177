// Shared setup of the gateway suites: a fake upstream, the real ClawNex server in front of it
// (with the test rules), a key with the chat scope and an official OpenAI client using it.
import OpenAI from "openai";
import type { Scope } from "../../src/auth/scopes.ts";
import { startFakeUpstream, type FakeUpstream } from "../helpers/fake-upstream.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";

export const PROVIDER_KEY = "sk-provider-secret-0123456789";
export const CANARY = "CANARY-7f3a9c21-e5d4";

export interface GatewayHarness {
  server: TestServer;
  upstream: FakeUpstream;
  key: string;
  keyId: string;
  admin: string;
  client: OpenAI;
  close(): Promise<void>;
}

export interface HarnessOptions {
  mode?: "OBSERVE" | "BLOCK";
  gateway?: Record<string, unknown>;
  shield?: Record<string, unknown>;
  providers?(upstream: FakeUpstream): unknown[];
  env?: NodeJS.ProcessEnv;
  scopes?: Scope[];
}

export async function startGateway(options: HarnessOptions = {}): Promise<GatewayHarness> {
  const upstream = await startFakeUpstream();
  const providers = options.providers?.(upstream) ?? [{ id: "local", kind: "openai-compatible", baseUrl: upstream.baseUrl, apiKeyEnv: "LOCAL_KEY", models: ["*"] }];
  const server = await startTestServer({
    env: { CLAWNEX_SHIELD_MODE: options.mode ?? "BLOCK", LOCAL_KEY: PROVIDER_KEY, ...options.env },
    configFile: { providers, gateway: { maxRetries: 1, retryBaseMs: 5, ...options.gateway }, shield: { canaries: [CANARY], ...options.shield } },
  });
  const { key, id } = await server.createKey(options.scopes ?? ["chat"]);
  const { key: admin } = await server.createKey(["admin"]);
  const client = new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0, timeout: 20_000 });
  return {
    server,
    upstream,
    key,
    keyId: id,
    admin,
    client,
    async close() {
      await server.close();
      await upstream.close();
    },
  };
}

/** The traffic records of the server's workspace, newest first (flushes the write queue first). */
export async function traffic(h: GatewayHarness, query = ""): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${h.server.url}/api/v1/traffic${query}`, { headers: { "x-clawnex-key": h.admin } });
  const body = (await res.json()) as { data: Array<Record<string, unknown>> };
  return body.data;
}

export interface StoredScan {
  verdict: string;
  enforced: boolean;
  source: string;
  text_sha256: string;
  text_length: number;
}

/** A stored scan record, by id (queued records are written once the traffic API flushed them). */
export async function storedScan(h: GatewayHarness, id: unknown): Promise<StoredScan> {
  const res = await fetch(`${h.server.url}/api/v1/shield/scans/${String(id)}`, { headers: { "x-clawnex-key": h.admin } });
  return (await res.json()) as StoredScan;
}
