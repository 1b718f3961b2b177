// Builds the real openclaw services on a real ClawNex store (SQLite file, or PostgreSQL through
// forEachBackend) with the real Shield engine and scan service, for watcher and fleet tests.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCoreServices, type CoreServices } from "../../src/app/services.ts";
import { loadConfig } from "../../src/config/config.ts";
import { createOpenClawServices, type OpenClawServices } from "../../src/openclaw/services.ts";
import type { PassSummary } from "../../src/openclaw/watcher/pass.ts";
import { tempDir } from "../fixtures/openclaw/state-dir-writer.ts";

export interface Harness {
  core: CoreServices;
  oc: OpenClawServices;
  /** Registers a state dir as an instance (once) and runs one watcher pass over it. */
  watch(stateDir: string, name?: string, options?: { rescan?: boolean }): Promise<PassSummary>;
  scans(): Promise<Array<{ id: string; source: string; direction: string; verdict: string; metadata: Record<string, unknown>; detections: Array<{ rule_id: string }> }>>;
  close(): Promise<void>;
}

export async function harness(options: { env?: NodeJS.ProcessEnv; configFile?: unknown } = {}): Promise<Harness> {
  const dataDir = options.env?.CLAWNEX_DATA_DIR ?? tempDir("clawnex-oc-");
  if (options.configFile !== undefined) writeFileSync(join(dataDir, "clawnex.config.json"), JSON.stringify(options.configFile));
  const core = await createCoreServices(loadConfig({ CLAWNEX_DATA_DIR: dataDir, CLAWNEX_LOG_LEVEL: "silent", ...options.env }));
  const oc = createOpenClawServices(core);
  await oc.syncConfig();
  return {
    core,
    oc,
    async watch(stateDir, name = "test", watchOptions = {}) {
      const instance = (await oc.instances.find("default", name)) ?? (await oc.instances.add({ name, stateDir }, "cli"));
      return oc.watcher.passOnce(oc.target(instance), watchOptions);
    },
    async scans() {
      const rows = await core.store.db.selectFrom("scans").selectAll().where("source", "=", "watcher").orderBy("ts").execute();
      return rows.map((r) => ({ id: r.id, source: r.source, direction: r.direction, verdict: r.verdict, metadata: JSON.parse(r.metadata ?? "{}") as Record<string, unknown>, detections: JSON.parse(r.detections) as Array<{ rule_id: string }> }));
    },
    async close() {
      await oc.watcher.stop();
      await oc.poller.stop();
      await core.store.close();
    },
  };
}
