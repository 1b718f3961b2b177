// Webhook delivery throughput: events queued through the real event bus (each delivery row
// inserted before emit() returns), delivered by the real worker over HTTP to a local receiver
// that answers 200, signatures included. Reports deliveries/s end to end and the enqueue rate.
//   npm run bench:webhooks [-- --events 2000 --webhooks 2 --database-url postgres://... --json]
// bench/fleet.ts may import benchWebhookDeliveries() to include the figure in its report.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createServices } from "../src/app/services.ts";
import { loadConfig } from "../src/config/config.ts";
import { buildServer } from "../src/http/server.ts";
import type { WebhooksModule } from "../src/webhooks/module.ts";

export interface WebhookBenchResult {
  events: number;
  webhooks: number;
  deliveries: number;
  enqueuePerSecond: number;
  deliveriesPerSecond: number;
  elapsedMs: number;
  database: string;
}

export async function benchWebhookDeliveries(options: { events?: number; webhooks?: number; databaseUrl?: string } = {}): Promise<WebhookBenchResult> {
  const events = options.events ?? 2000;
  const webhookCount = options.webhooks ?? 2;
  const expected = events * webhookCount;
  let received = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200).end();
      if (++received === expected) done();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as AddressInfo).port;

  const dataDir = mkdtempSync(join(tmpdir(), "clawnex-bench-webhooks-"));
  const env: NodeJS.ProcessEnv = { CLAWNEX_DATA_DIR: dataDir, CLAWNEX_LOG_LEVEL: "silent", CLAWNEX_WEBHOOK_ALLOW_PRIVATE: "true", ...(options.databaseUrl ? { CLAWNEX_DATABASE_URL: options.databaseUrl } : {}) };
  const services = await createServices(loadConfig(env));
  const app = await buildServer(services, { logger: false });
  const module = services.modules.find((m) => m.name === "webhooks") as WebhooksModule;
  try {
    const space = { workspace: "bench", sandbox: false };
    for (let i = 0; i < webhookCount; i++) await module.service.create(space, { url: `http://127.0.0.1:${port}/hook/${i}`, events: ["task.completed"] }, "bench");
    await module.start?.(app);
    const started = performance.now();
    for (let i = 0; i < events; i++) {
      await services.events.emit("task.completed", { workspace: "bench", data: { id: `task_${i}`, state: "completed", output: "x".repeat(200) }, occurredAt: new Date().toISOString(), sandbox: false });
    }
    const enqueued = performance.now();
    await finished;
    const elapsed = performance.now() - started;
    return {
      events,
      webhooks: webhookCount,
      deliveries: expected,
      enqueuePerSecond: Math.round(events / ((enqueued - started) / 1000)),
      deliveriesPerSecond: Math.round(expected / (elapsed / 1000)),
      elapsedMs: Math.round(elapsed),
      database: services.store.dialect,
    };
  } finally {
    await app.close();
    await services.close();
    receiver.closeAllConnections();
    receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { events: { type: "string", default: "2000" }, webhooks: { type: "string", default: "2" }, "database-url": { type: "string" }, json: { type: "boolean", default: false } },
  });
  const result = await benchWebhookDeliveries({ events: Number(values.events), webhooks: Number(values.webhooks), databaseUrl: values["database-url"] });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    process.stdout.write(
      [
        `webhook deliveries (${result.database}): ${result.events} events x ${result.webhooks} webhooks = ${result.deliveries} signed deliveries to a local receiver`,
        `  enqueue (rows inserted before emit() returns): ${result.enqueuePerSecond} events/s`,
        `  delivered end to end: ${result.deliveriesPerSecond} deliveries/s (${result.elapsedMs} ms)`,
      ].join("\n") + "\n",
    );
  }
}
