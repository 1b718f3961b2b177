// Wires the product's services from a Config: one store, one rule set, one of each service.
// The HTTP server, the CLI and the tests all build on this, so they share one composition.
import type { Config } from "../config/config.ts";
import { AuditLog } from "../audit/audit-log.ts";
import { KeyService } from "../auth/keys.ts";
import { ScanService } from "../scans/scan-service.ts";
import { ScanStore } from "../scans/scan-store.ts";
import { ShieldModeService } from "../scans/shield-mode.ts";
import { SettingsStore } from "../settings/settings-store.ts";
import { ShieldEngine } from "../shield/engine.ts";
import { loadRules } from "../shield/rule-files.ts";
import { openStore, type Store } from "../store/database.ts";

export interface Services {
  config: Config;
  store: Store;
  audit: AuditLog;
  keys: KeyService;
  settings: SettingsStore;
  modes: ShieldModeService;
  engine: ShieldEngine;
  scans: ScanService;
  scanStore: ScanStore;
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

export async function createServices(config: Config): Promise<Services> {
  const engine = buildEngine(config);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const audit = new AuditLog(store.db);
  const keys = new KeyService(store.db, audit);
  const settings = new SettingsStore(store.db);
  const modes = new ShieldModeService(settings, audit, config.shield.mode);
  const scanStore = new ScanStore(store.db);
  const scans = new ScanService({ engine: () => engine, modes, sink: scanStore, storeRawText: config.shield.storeRawText });
  return { config, store, audit, keys, settings, modes, engine, scans, scanStore, close: () => store.close() };
}
