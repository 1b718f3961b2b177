// The openclaw module's services, composed once from the core services: shared by the HTTP
// module (src/openclaw/module.ts) and the CLI commands, so both watch, audit and poll alike.
import type { CoreServices } from "../app/services.ts";
import { BypassMatcher } from "./bypass/matcher.ts";
import { gatewayTrafficSource } from "./bypass/gateway-traffic.ts";
import { FleetPoller } from "./fleet/poller.ts";
import { FleetEvents } from "./fleet/fleet-events.ts";
import { type Instance, type InstanceInput, type InstanceOrigin, InstanceStore } from "./fleet/instance-store.ts";
import { resolveStateDir, resolveUserPath } from "./state-dir.ts";
import { TrustService } from "./trust/service.ts";
import type { PassSummary, WatchTarget } from "./watcher/pass.ts";
import { WatchStore } from "./watcher/watch-store.ts";
import { defaultWorkerCount, WorkerScanPool } from "./watcher/scan-pool.ts";
import { SessionWatcher } from "./watcher/watcher.ts";

export interface OpenClawServices {
  instances: InstanceStore;
  watchStore: WatchStore;
  watcher: SessionWatcher;
  poller: FleetPoller;
  fleetEvents: FleetEvents;
  bypass: BypassMatcher;
  trust: TrustService;
  /** Puts the config file's instances (and the local default, when enabled) in the registry. */
  syncConfig(): Promise<void>;
  /** Instances the watcher reads: every registered instance with a state dir. */
  targets(): Promise<WatchTarget[]>;
  target(instance: Instance): WatchTarget;
  afterPass(target: WatchTarget, summary: PassSummary | null, error: unknown): Promise<void>;
}

export function configInstances(core: CoreServices): Array<InstanceInput & { origin: InstanceOrigin }> {
  const { openclaw, env } = core.config;
  const entries: Array<InstanceInput & { origin: InstanceOrigin }> = openclaw.instances.map((i) => ({
    name: i.name,
    workspace: i.workspace,
    stateDir: i.stateDir ? resolveUserPath(i.stateDir, env.openclaw) : null,
    gatewayUrl: i.gatewayUrl ?? null,
    tokenEnv: i.tokenEnv ?? null,
    pollIntervalSeconds: i.pollIntervalSeconds,
    origin: "config",
  }));
  if (openclaw.watchDefaultStateDir && !entries.some((e) => e.name === "local")) {
    entries.push({ name: "local", workspace: "default", stateDir: resolveStateDir(env.openclaw), gatewayUrl: null, tokenEnv: null, origin: "local" });
  }
  return entries;
}

/** What a scan worker needs to build the same engine as the core (see buildEngine in src/app/services.ts). */
function shieldForWorkers(core: CoreServices) {
  const { shield } = core.config;
  return { rulesDir: shield.rulesDir, options: { thresholds: shield.thresholds, disabledRules: shield.disabledRules, ruleActions: shield.ruleActions, canaries: shield.canaries } };
}

export function createOpenClawServices(core: CoreServices, log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void }): OpenClawServices {
  const workers = core.config.openclaw.watcher.scanWorkers ?? defaultWorkerCount();
  const instances = new InstanceStore(core.store.db);
  const watchStore = new WatchStore(core.store.db);
  const fleetEvents = new FleetEvents(core.store.db, core.events);
  const bypass = new BypassMatcher(core.store.db, gatewayTrafficSource(core.store.db), core.config.openclaw.watcher.bypassWindowSeconds);
  const target = (instance: Instance): WatchTarget => ({ instanceId: instance.id, instanceName: instance.name, workspace: instance.workspace, stateDir: instance.stateDir ?? "" });
  const services: OpenClawServices = {
    instances,
    watchStore,
    fleetEvents,
    bypass,
    trust: new TrustService(core.config, core.settings),
    poller: new FleetPoller({ instances, fleetEvents, db: core.store.db, options: core.config.openclaw.fleet, secret: (name) => core.config.secretFromEnv(name), log }),
    watcher: new SessionWatcher({
      store: watchStore,
      recorder: core.scans,
      evaluate: (text, direction) => core.scans.evaluate(text, direction),
      options: core.config.openclaw.watcher,
      createPool: workers > 0 ? () => new WorkerScanPool(shieldForWorkers(core), workers) : undefined,
      targets: () => services.targets(),
      afterPass: (t, summary, error) => services.afterPass(t, summary, error),
      log,
    }),
    async syncConfig() {
      await instances.syncConfig(configInstances(core));
    },
    async targets() {
      return (await instances.list()).filter((i) => i.stateDir && i.origin !== "watch").map(target);
    },
    target,
    async afterPass(t, summary, error) {
      const problem = error ? (error instanceof Error ? error.message : String(error)) : summary && summary.errors.length > 0 ? summary.errors.slice(0, 5).join("; ") : null;
      await instances.update(t.instanceId, { watch_last_pass_at: new Date().toISOString(), watch_error: problem ? problem.slice(0, 2000) : null });
      await bypass.run(t.instanceId);
    },
  };
  return services;
}
