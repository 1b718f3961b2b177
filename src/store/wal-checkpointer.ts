// Moves the SQLite WAL checkpoint off the server's event loop (see wal-checkpoint-worker.ts).
// Fail-safe: if the worker fails or exits, the connection's own automatic checkpoint is switched
// back on, so the WAL never grows without bound.
import { Worker } from "node:worker_threads";
import type { DatabaseSync } from "node:sqlite";

const SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

export interface WalCheckpointer {
  stop(): Promise<void>;
}

export function startWalCheckpointer(main: DatabaseSync, path: string, intervalMs: number, onError: (message: string) => void = () => {}): WalCheckpointer {
  main.exec("PRAGMA wal_autocheckpoint = 0;");
  const worker = new Worker(new URL("./wal-checkpoint-worker.ts", import.meta.url), { workerData: { path, intervalMs } });
  let stopping = false;
  const fallBack = () => {
    if (!main.isOpen) return;
    main.exec(`PRAGMA wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES};`);
  };
  worker.on("message", (message: unknown) => {
    if (typeof message === "object" && message !== null && "error" in message) onError(String((message as { error: unknown }).error));
  });
  worker.on("error", (err) => {
    onError(err.message);
    fallBack();
  });
  worker.on("exit", () => {
    if (!stopping) fallBack();
  });
  worker.unref();
  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      // Unref'd while idle so it never keeps a process alive; held again until it has stopped.
      worker.ref();
      const stopped = new Promise<void>((resolve) => {
        worker.once("exit", () => resolve());
        worker.on("message", (m: unknown) => {
          if (m === "stopped") void worker.terminate();
        });
      });
      worker.postMessage("stop");
      await stopped;
      fallBack();
    },
  };
}
