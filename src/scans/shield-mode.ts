// The Shield mode in force: the config's default, unless an operator changed it at run time
// (stored in settings, audited). Cached briefly so the hot path doesn't hit the database on
// every request; changes made through this process apply at once, the CLI's within a second.
import type { AuditLog } from "../audit/audit-log.ts";
import type { ShieldMode } from "../config/config.ts";
import type { SettingsStore } from "../settings/settings-store.ts";

const SETTING_KEY = "shield.mode";
const CACHE_MS = 1000;

export class ShieldModeService {
  readonly #settings: SettingsStore;
  readonly #audit: AuditLog;
  readonly #defaultMode: ShieldMode;
  #cached: { mode: ShieldMode; at: number } | undefined;

  constructor(settings: SettingsStore, audit: AuditLog, defaultMode: ShieldMode) {
    this.#settings = settings;
    this.#audit = audit;
    this.#defaultMode = defaultMode;
  }

  /** The mode while the cache is fresh, else undefined (then current() reads it). */
  cached(): ShieldMode | undefined {
    return this.#cached && Date.now() - this.#cached.at < CACHE_MS ? this.#cached.mode : undefined;
  }

  async current(): Promise<ShieldMode> {
    const now = Date.now();
    if (this.#cached && now - this.#cached.at < CACHE_MS) return this.#cached.mode;
    const stored = await this.#settings.get<ShieldMode>(SETTING_KEY);
    const mode = stored ?? this.#defaultMode;
    this.#cached = { mode, at: now };
    return mode;
  }

  async set(mode: ShieldMode, actor: string, reason?: string): Promise<{ previous: ShieldMode; mode: ShieldMode }> {
    this.#cached = undefined;
    const previous = await this.current();
    await this.#settings.set(SETTING_KEY, mode);
    this.#cached = { mode, at: Date.now() };
    await this.#audit.append({ actor, action: "shield.mode_changed", target: "shield.mode", details: { previous, mode, ...(reason ? { reason } : {}) } });
    return { previous, mode };
  }
}
