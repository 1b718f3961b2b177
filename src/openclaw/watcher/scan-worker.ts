// Worker thread of the watcher's scan pool: builds the Shield engine from the same rule set and
// options as the core engine (see buildEngine in src/app/services.ts) and evaluates batches of
// texts, answering only for the texts with detections. Pure: no store, no network.
import { parentPort, workerData } from "node:worker_threads";
import { ShieldEngine } from "../../shield/engine.ts";
import { loadRules } from "../../shield/rule-files.ts";
import type { Direction, ShieldOptions } from "../../shield/types.ts";

export interface ScanWorkerData {
  rulesDir: string;
  options: ShieldOptions;
}

export interface ScanRequestMessage {
  id: number;
  items: Array<{ text: string; direction: Direction }>;
}

const data = workerData as ScanWorkerData;
const engine = new ShieldEngine(loadRules(data.rulesDir), data.options);

parentPort?.on("message", (message: ScanRequestMessage) => {
  const results = [];
  for (let i = 0; i < message.items.length; i++) {
    const item = message.items[i];
    if (!item) continue;
    const outcome = engine.scan({ text: item.text, direction: item.direction });
    if (outcome.detections.length > 0) results.push({ index: i, outcome });
  }
  parentPort?.postMessage({ id: message.id, results });
});
