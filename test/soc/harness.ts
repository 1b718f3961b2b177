// A SOC on a real store (fresh SQLite file, or PostgreSQL via forEachBackend), with a clock the
// test sets, for replaying recorded event sequences through the real pipeline.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { EventBus } from "../../src/app/events.ts";
import { AuditLog } from "../../src/audit/audit-log.ts";
import { createSocEngine, type SocEngine } from "../../src/soc/engine.ts";
import type { SocEventInput } from "../../src/soc/model.ts";
import { BUILTIN_SOC_RULES_DIR, loadSocRules, type SocRuleSet } from "../../src/soc/rulebook/load.ts";
import { openStore, type Store } from "../../src/store/database.ts";

export interface SocHarness {
  store: Store;
  audit: AuditLog;
  bus: EventBus;
  engine: SocEngine;
  clock: { now: Date };
  errors: unknown[];
  close(): Promise<void>;
}

export async function openSoc(options: { store?: Store; rules?: SocRuleSet; batchSize?: number } = {}): Promise<SocHarness> {
  let dir: string | undefined;
  let store = options.store;
  if (!store) {
    dir = mkdtempSync(join(tmpdir(), "clawnex-soc-"));
    store = await openStore({ dataDir: dir });
  }
  const clock = { now: new Date("2025-03-01T10:00:00.000Z") };
  const audit = new AuditLog(store.db, () => clock.now);
  const bus = new EventBus();
  const errors: unknown[] = [];
  const engine = createSocEngine({
    db: store.db,
    audit,
    bus,
    rules: options.rules ?? loadSocRules(undefined),
    execTools: ["exec", "bash", "shell"],
    batchSize: options.batchSize ?? 500,
    clock: () => clock.now,
    onError: (err) => errors.push(err),
  });
  const owned = !options.store;
  const opened = store;
  return {
    store: opened,
    audit,
    bus,
    engine,
    clock,
    errors,
    async close() {
      await engine.pipeline.close();
      if (owned) await opened.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface FixtureEvent extends SocEventInput {
  at: string;
}

export interface Fixture {
  name: string;
  description?: string;
  events: FixtureEvent[];
  expect: {
    alerts: Array<{ rule: string; count: number; severity: string; agent?: string | null }>;
    incidents: Array<{ rule: string; score: number; events: number; group: Record<string, string | null>; explanation: string }>;
  };
  file: string;
}

export const FIXTURES_DIR = join(BUILTIN_SOC_RULES_DIR, "fixtures");

export function loadFixtures(): Fixture[] {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((file) => ({ ...(parseYaml(readFileSync(join(FIXTURES_DIR, file), "utf8")) as Omit<Fixture, "file">), file }));
}

/** Feeds a recorded sequence one event at a time, the clock at each event's time. */
export async function replay(soc: SocHarness, events: FixtureEvent[]): Promise<void> {
  for (const { at, ...event } of events) {
    soc.clock.now = new Date(at);
    await soc.engine.pipeline.ingestEvent({ ...event, ts: at });
  }
}
