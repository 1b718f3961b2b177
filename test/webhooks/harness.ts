// The webhooks module built on a real store (SQLite or PostgreSQL) with a movable clock and no
// polling loop: tests call worker.runDue() after moving the clock, so the whole retry schedule
// (hours) runs in milliseconds against a real HTTP receiver.
import { EventBus } from "../../src/app/events.ts";
import { AuditLog } from "../../src/audit/audit-log.ts";
import { KeyService } from "../../src/auth/keys.ts";
import { loadConfig } from "../../src/config/config.ts";
import { requireScope } from "../../src/http/auth.ts";
import { CursorCodec } from "../../src/http/cursor.ts";
import { RateLimiter } from "../../src/http/rate-limit.ts";
import { SettingsStore } from "../../src/settings/settings-store.ts";
import { openStore } from "../../src/store/database.ts";
import type { Resolver } from "../../src/webhooks/delivery/url-policy.ts";
import { createWebhooksModule, type WebhooksCore, type WebhooksModule } from "../../src/webhooks/module.ts";
import type { WebhooksConfig } from "../../src/webhooks/config-schema.ts";
import type { TestBackend, TestStore } from "../helpers/pg.ts";

export class ManualClock {
  #ms: number;

  constructor(start = Date.parse("2026-03-01T12:00:00.000Z")) {
    this.#ms = start;
  }

  now = (): Date => new Date(this.#ms);

  advance(seconds: number): void {
    this.#ms += seconds * 1000;
  }
}

export interface Harness {
  core: WebhooksCore;
  module: WebhooksModule;
  clock: ManualClock;
  close(): Promise<void>;
}

export interface HarnessOptions {
  allowPrivate?: boolean;
  webhooks?: Partial<WebhooksConfig>;
  resolver?: Resolver;
  clock?: ManualClock;
  /** Delete every webhook, delivery and attempt first (default true). */
  reset?: boolean;
}

export async function buildHarness(testStore: TestStore, options: HarnessOptions = {}): Promise<Harness> {
  const config = loadConfig({ ...testStore.env, CLAWNEX_WEBHOOK_ALLOW_PRIVATE: options.allowPrivate === false ? "false" : "true", CLAWNEX_LOG_LEVEL: "silent" });
  config.webhooks = { ...config.webhooks, ...options.webhooks };
  // The core services the module uses, without the Shield engine (slow to build, not needed here).
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const audit = new AuditLog(store.db);
  const keys = new KeyService(store.db, audit);
  const limiter = new RateLimiter(1000, 3000);
  const core: WebhooksCore = {
    config,
    store,
    audit,
    cursors: await CursorCodec.fromSettings(new SettingsStore(store.db)),
    events: new EventBus(),
    requireScope: (scope) => requireScope(keys, limiter, scope),
  };
  if (options.reset !== false) {
    // Suites share one database (a fresh PostgreSQL database per test costs seconds): start empty.
    for (const table of ["webhook_attempts", "webhook_deliveries", "webhooks"] as const) await core.store.db.deleteFrom(table).execute();
  }
  const clock = options.clock ?? new ManualClock();
  const module = await createWebhooksModule(core, { clock: clock.now, resolver: options.resolver });
  return {
    core,
    module,
    clock,
    async close() {
      await module.close?.();
      await core.store.close();
    },
  };
}

export const live = { workspace: "default", sandbox: false };
export const actor = "test";

/** One database for a whole suite, created on first use. */
export function sharedStore(backend: TestBackend): () => Promise<TestStore> {
  let store: Promise<TestStore> | undefined;
  return () => (store ??= backend.fresh());
}
