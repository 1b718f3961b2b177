// Wires the product from a Config: the core services (store, keys, audit, Shield, scans, events)
// and the modules built on them (gateway, fleet, openclaw, soc). The HTTP server, the CLI and the
// tests all build on this, so they share one composition.
import type { Config } from "../config/config.ts";
import { AuditLog } from "../audit/audit-log.ts";
import { KeyService } from "../auth/keys.ts";
import type { Scope } from "../auth/scopes.ts";
import { createFleetModule } from "../fleet/module.ts";
import { createGatewayModule } from "../gateway/module.ts";
import { requireScope } from "../http/auth.ts";
import { CursorCodec } from "../http/cursor.ts";
import { RateLimiter } from "../http/rate-limit.ts";
import { createMcpModule } from "../mcp/module.ts";
import { createOpenClawModule } from "../openclaw/module.ts";
import { ScanService } from "../scans/scan-service.ts";
import { ScanStore } from "../scans/scan-store.ts";
import { ShieldModeService } from "../scans/shield-mode.ts";
import { SettingsStore } from "../settings/settings-store.ts";
import { ShieldEngine } from "../shield/engine.ts";
import { loadRules } from "../shield/rule-files.ts";
import { createSocModule } from "../soc/module.ts";
import { createPostureModule } from "../soc/posture/module.ts";
import { openStore, type Store } from "../store/database.ts";
import { createWebhooksModule } from "../webhooks/module.ts";
import { EventBus } from "./events.ts";
import type { AppModule } from "./module.ts";

export interface CoreServices {
  config: Config;
  store: Store;
  audit: AuditLog;
  keys: KeyService;
  settings: SettingsStore;
  modes: ShieldModeService;
  engine: ShieldEngine;
  scans: ScanService;
  scanStore: ScanStore;
  events: EventBus;
  limiter: RateLimiter;
  cursors: CursorCodec;
  /** Fastify onRequest hook (before the body is parsed): authenticates the key, applies the rate limit, checks the scope. */
  requireScope(scope: Scope): ReturnType<typeof requireScope>;
}

export interface Services extends CoreServices {
  modules: AppModule[];
  close(): Promise<void>;
}

/** Builds the Shield engine for a config; throws RuleLoadError on an invalid custom rule. */
export function buildEngine(config: Config): ShieldEngine {
  const rules = loadRules(config.shield.rulesDir);
  return new ShieldEngine(rules, {
    thresholds: config.shield.thresholds,
    disabledRules: config.shield.disabledRules,
    ruleActions: config.shield.ruleActions,
    canaries: config.shield.canaries,
  });
}

export async function createCoreServices(config: Config, onEventError: (type: string, err: unknown) => void = () => {}): Promise<CoreServices> {
  const engine = buildEngine(config);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const audit = new AuditLog(store.db);
  const keys = new KeyService(store.db, audit, undefined, store.externalChanges);
  const settings = new SettingsStore(store.db);
  const modes = new ShieldModeService(settings, audit, config.shield.mode);
  const scanStore = new ScanStore(store.db);
  const events = new EventBus(onEventError);
  const sink = {
    async record(record: Parameters<ScanStore["record"]>[0]) {
      await scanStore.record(record);
      // Awaited: webhook deliveries (shield.blocked) are queued before the scan is answered.
      await events.emit("scan.completed", { scan: record, workspace: record.workspace, keyId: record.key_id, source: record.source });
    },
  };
  const scans = new ScanService({ engine: () => engine, modes, sink, storeRawText: config.shield.storeRawText });
  const limiter = new RateLimiter(config.rateLimit.perMinute, config.rateLimit.burst);
  const cursors = await CursorCodec.fromSettings(settings);
  return { config, store, audit, keys, settings, modes, engine, scans, scanStore, events, limiter, cursors, requireScope: (scope) => requireScope(keys, limiter, scope, (denied) => void events.emit("access.denied", { ...denied, at: new Date().toISOString() })) };
}

export async function createServices(config: Config, onEventError?: (type: string, err: unknown) => void): Promise<Services> {
  const core = await createCoreServices(config, onEventError);
  const modules: AppModule[] = [];
  try {
    for (const create of [createGatewayModule, createFleetModule, createWebhooksModule, createOpenClawModule, createSocModule, createPostureModule, createMcpModule]) modules.push(await create(core));
  } catch (err) {
    await core.store.close();
    throw err;
  }
  return {
    ...core,
    modules,
    async close() {
      for (const m of [...modules].reverse()) await m.close?.();
      await core.store.close();
    },
  };
}
