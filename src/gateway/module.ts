// The gateway module: an OpenAI-compatible proxy in front of the configured provider routes, with
// the Shield on both directions, traffic and cost records, per-key modes, break-glass and the
// LiteLLM integration. Its AppModule carries the in-process ChatCaller (see ./chat-caller.ts).
import type { CoreServices } from "../app/services.ts";
import { BreakGlassService } from "./breakglass.ts";
import { type GatewayAppModule, registerChatCaller } from "./chat-caller.ts";
import { createChatCaller } from "./gateway-chat-caller.ts";
import { GatewayService } from "./gateway-service.ts";
import { KeyModeStore } from "./key-modes.ts";
import { PriceTable } from "./pricing.ts";
import { ProviderRouter } from "./providers.ts";
import { adminRoutes } from "./routes/admin.ts";
import { chatRoutes } from "./routes/chat.ts";
import { litellmRoutes } from "./routes/litellm.ts";
import { trafficRoutes } from "./routes/traffic.ts";
import { ScanCache } from "./scan-cache.ts";
import { holdbackPlanner } from "./stream-holdback.ts";
import { preloadTokenizer } from "./tokens.ts";
import { TrafficQueries } from "./traffic-queries.ts";
import { TrafficRecorder } from "./traffic-recorder.ts";
import { UpstreamClient } from "./upstream.ts";

/** On close, how long calls still running may take to end and queue their records. */
const SETTLE_MS = 2000;

export async function createGatewayModule(core: CoreServices): Promise<GatewayAppModule> {
  const { config } = core;
  const g = config.gateway;
  const router = ProviderRouter.fromConfig(config.providers, config.secretFromEnv, config.dataDir);
  const upstream = new UpstreamClient({ connectTimeoutMs: g.connectTimeoutMs, headersTimeoutMs: g.headersTimeoutMs, bodyTimeoutMs: g.bodyTimeoutMs });
  let log: { error(obj: unknown, msg: string): void } = { error: () => {} };
  const recorder = new TrafficRecorder(core.store.writer, { flushIntervalMs: g.traffic.flushIntervalMs, flushBatchSize: g.traffic.flushBatchSize }, new PriceTable(g.prices), core.events, (err, dropped) =>
    log.error({ err, dropped }, "gateway: writing traffic records failed; they stay queued"),
  );
  const keyModes = new KeyModeStore(core.store.db, core.audit);
  const breakGlass = new BreakGlassService(core.store.db, core.audit, config.env.breakGlassMaxMinutes ?? g.breakGlassMaxMinutes);
  const svc = new GatewayService({
    config: g,
    router,
    upstream,
    cache: new ScanCache(g.scanCacheEntries, g.scanCacheChars),
    evaluate: (text, direction) => core.scans.evaluate(text, direction),
    modes: core.modes,
    keyModes,
    breakGlass,
    recorder,
    policy: { categoryActions: g.outbound.categoryActions, thresholds: config.shield.thresholds },
    storeRawText: config.shield.storeRawText,
    holdback: g.outbound.holdbackMode === "adaptive" ? holdbackPlanner(core.engine.rules, g.outbound.holdbackChars) : undefined,
  });
  const chatCaller = createChatCaller(svc);
  registerChatCaller(core, chatCaller);
  const queries = new TrafficQueries(core.store.db, core.cursors);
  let expiryTimer: NodeJS.Timeout | undefined;

  return {
    name: "gateway",
    chatCaller,
    routes: async (app) => {
      await app.register(chatRoutes(core, svc));
      await app.register(trafficRoutes(core, queries, recorder));
      await app.register(adminRoutes(core, keyModes, breakGlass));
      await app.register(litellmRoutes(core, svc));
    },
    async start(app) {
      log = app.log;
      // Break-glass windows end by themselves; this writes their "ended" audit event on time.
      const tick = () => void breakGlass.expireDue().catch((err: unknown) => app.log.error({ err }, "gateway: closing expired break-glass failed"));
      tick();
      expiryTimer = setInterval(tick, 5_000);
      expiryTimer.unref();
      await preloadTokenizer();
    },
    async close() {
      if (expiryTimer) clearInterval(expiryTimer);
      await svc.settle(SETTLE_MS);
      await recorder.close();
      await upstream.close();
    },
  };
}
