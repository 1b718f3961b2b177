// The fleet module: agents, tasks and their runner, files, the sandbox mirror and the API
// reference page, built on the core services. The task runner reaches models through the
// gateway's ChatCaller, looked up at call time (the gateway registers it on the core services).
import type { AppModule } from "../app/module.ts";
import type { CoreServices } from "../app/services.ts";
import { chatCallerFor } from "../gateway/chat-caller.ts";
import { IdempotencyStore } from "../http/idempotency.ts";
import { AgentService } from "./agents/agent-service.ts";
import { AgentStore } from "./agents/agent-store.ts";
import { FileScanner } from "./files/file-scanner.ts";
import { shieldReach } from "./files/text-windows.ts";
import { FileService } from "./files/file-service.ts";
import { FileStore } from "./files/file-store.ts";
import { FileStorage } from "./files/storage.ts";
import { fleetRoutes } from "./http/fleet-routes.ts";
import type { FleetApi } from "./http/route-kit.ts";
import { Maintenance } from "./maintenance.ts";
import { Paginator } from "./shared/pagination.ts";
import { gatewayModel } from "./tasks/model.ts";
import { RecordedCosts } from "./tasks/recorded-cost.ts";
import { SimulatedModel } from "./tasks/simulated-model.ts";
import { TaskEvents } from "./tasks/task-events.ts";
import { TaskRunner } from "./tasks/task-runner.ts";
import { TaskService } from "./tasks/task-service.ts";
import { TaskStore } from "./tasks/task-store.ts";

export interface FleetModule extends AppModule {
  name: "fleet";
  api: FleetApi;
  /** The task runner, once start() has run. */
  runner(): TaskRunner | undefined;
  maintenance(): Maintenance | undefined;
}

export function isFleetModule(module: AppModule): module is FleetModule {
  return module.name === "fleet" && "api" in module;
}

export async function createFleetModule(core: CoreServices): Promise<FleetModule> {
  const config = core.config.fleet;
  const db = core.store.db;
  const paginator = new Paginator(core.cursors);
  const agentStore = new AgentStore(db);
  const taskStore = new TaskStore(db);
  const fileStore = new FileStore(db);
  const storage = new FileStorage(core.config.dataDir);
  const clamdAddress = core.config.env.clamd;
  const scanner = new FileScanner({
    scans: core.scans,
    clamd: clamdAddress ? { address: clamdAddress, timeoutMs: config.files.clamdTimeoutMs } : undefined,
    quarantineKinds: config.files.quarantineKinds,
    reachChars: () => shieldReach(core.engine),
  });
  const files = new FileService({ store: fileStore, storage, scanner, paginator, maxBytes: config.files.maxBytes });
  const taskEvents = new TaskEvents(core.events, taskStore);
  let runner: TaskRunner | undefined;
  let maintenance: Maintenance | undefined;
  const tasks = new TaskService({
    store: taskStore,
    agents: agentStore,
    files,
    events: taskEvents,
    paginator,
    runner: { wake: () => runner?.wake(), abort: (id, reason) => runner?.abort(id, reason) },
  });
  const costs = new RecordedCosts(core.events);
  const agents = new AgentService({ store: agentStore, audit: core.audit, events: core.events, paginator });
  const api: FleetApi = { agents, tasks, files };

  return {
    name: "fleet",
    api,
    runner: () => runner,
    maintenance: () => maintenance,
    routes: fleetRoutes(api, core, config.files.maxBytes),
    async start(app) {
      await storage.sweepTemp();
      maintenance = new Maintenance(taskStore, new IdempotencyStore({ db }), core.config.env.taskRetentionDays ?? config.taskRetentionDays, app.log);
      maintenance.start();
      runner = new TaskRunner({
        tasks: taskStore,
        agents: agentStore,
        files: fileStore,
        storage,
        events: taskEvents,
        production: gatewayModel(() => chatCallerFor(core)),
        sandbox: new SimulatedModel(core.scans),
        costs,
        options: config.runner,
        log: app.log,
      });
      if (config.runner.enabled) await runner.start();
    },
    async close() {
      maintenance?.stop();
      await runner?.close();
    },
  };
}
