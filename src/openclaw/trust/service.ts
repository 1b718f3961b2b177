// The trust audit for registered instances: audits the instance's state dir on demand and merges
// the last `openclaw security audit --json` output an operator uploaded for it.
import type { Config } from "../../config/config.ts";
import { AppError } from "../../errors.ts";
import type { SettingsStore } from "../../settings/settings-store.ts";
import type { Instance } from "../fleet/instance-store.ts";
import { parseOpenclawAudit, runTrustAudit, type TrustReport } from "./audit.ts";

const AUDIT_SETTING = (instanceId: string) => `openclaw.security_audit.${instanceId}`;
const MAX_AUDIT_FINDINGS = 2000;

/** Where ClawNex's own gateway answers: providers pointing there go through the Shield. */
export function clawnexOrigins(config: Config): string[] {
  const origins = new Set<string>();
  if (config.client.url) origins.add(config.client.url);
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host.includes(":") ? `[${config.host}]` : config.host;
  origins.add(`http://${host}:${config.port}`);
  return [...origins];
}

export class TrustService {
  readonly #config: Config;
  readonly #settings: SettingsStore;
  /** Extra origins (the test server's ephemeral port, a reverse proxy) also count as ClawNex. */
  readonly extraOrigins: string[] = [];

  constructor(config: Config, settings: SettingsStore) {
    this.#config = config;
    this.#settings = settings;
  }

  async report(instance: Instance): Promise<TrustReport> {
    if (!instance.stateDir) throw new AppError("unprocessable", `instance ${instance.name} has no state dir to audit (register it with stateDir)`);
    const stored = await this.#settings.get<unknown>(AUDIT_SETTING(instance.id));
    return runTrustAudit({
      stateDir: instance.stateDir,
      env: (name) => this.#config.secretFromEnv(name),
      clawnexOrigins: [...clawnexOrigins(this.#config), ...this.extraOrigins],
      openclawAudit: stored,
    });
  }

  /** Stores OpenClaw's own audit output for the instance (validated: it must have findings). */
  async storeOpenclawAudit(instance: Instance, output: unknown): Promise<number> {
    const parsed = parseOpenclawAudit(output);
    if (parsed.problems.length > 0) throw new AppError("invalid_request", parsed.problems.join("; "));
    if (parsed.findings.length > MAX_AUDIT_FINDINGS) throw new AppError("invalid_request", `more than ${MAX_AUDIT_FINDINGS} findings`);
    await this.#settings.set(AUDIT_SETTING(instance.id), { findings: parsed.findings.map((f) => ({ checkId: f.checkId, severity: f.severity === "medium" ? "warn" : f.severity, title: f.title, detail: f.detail, remediation: f.remediation })) });
    return parsed.findings.length;
  }
}
