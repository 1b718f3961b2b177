// Runs SQLite WAL checkpoints on its own connection and thread. A checkpoint copies the WAL back
// into the database file and fsyncs it; SQLite's automatic one runs inside whichever commit crosses
// the threshold, which on the server's single event loop stalled every request in flight for up
// to ~250 ms. PASSIVE never blocks the server's readers or writer; it just does what it can.
import { DatabaseSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new DatabaseSync(path);
db.exec("PRAGMA busy_timeout = 5000;");
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");

const timer = setInterval(() => {
  try {
    checkpoint.get();
  } catch (err) {
    parentPort?.postMessage({ error: (err as Error).message });
  }
}, intervalMs);

parentPort?.on("message", (message: unknown) => {
  if (message !== "stop") return;
  clearInterval(timer);
  try {
    checkpoint.get();
  } finally {
    db.close();
    parentPort?.postMessage("stopped");
  }
});
