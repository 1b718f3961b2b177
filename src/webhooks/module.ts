// The webhooks module: signed, durable, retried deliveries of fleet and security events, and the
// API to manage them (production and sandbox). Wiring only; the parts live in their own files.
import type { AppModule } from "../app/module.ts";
import type { CoreServices } from "../app/services.ts";
import { DeliveryWorker } from "./delivery/delivery-worker.ts";
import { HttpSender, type Sender } from "./delivery/sender.ts";
import type { Resolver } from "./delivery/url-policy.ts";
import { subscribeWebhookEvents } from "./event-router.ts";
import { webhookRoutes } from "./http/routes.ts";
import { SecretBox } from "./secret-box.ts";
import { DeliveryStore } from "./store/delivery-store.ts";
import { WebhookStore } from "./store/webhook-store.ts";
import { WebhookService } from "./webhook-service.ts";

/** Test seams: a clock to move through the retry schedule, a sender to stand in for the network. */
export interface WebhooksModuleOptions {
  clock?: () => Date;
  sender?: Sender;
  /** Host name resolution for URL checks at registration and delivery (the system's by default). */
  resolver?: Resolver;
}

export interface WebhooksModule extends AppModule {
  service: WebhookService;
  worker: DeliveryWorker;
}

/** The core services this module uses. */
export type WebhooksCore = Pick<CoreServices, "config" | "store" | "audit" | "cursors" | "events" | "requireScope">;

export async function createWebhooksModule(core: WebhooksCore, options: WebhooksModuleOptions = {}): Promise<WebhooksModule> {
  const config = core.config.webhooks;
  const clock = options.clock ?? (() => new Date());
  const policy = { allowPrivate: core.config.env.webhookAllowPrivate ?? false };
  const webhooks = new WebhookStore(core.store.db);
  const deliveries = new DeliveryStore(core.store.db);
  const secrets = SecretBox.fromDataDir(core.config.dataDir);
  const sender = options.sender ?? new HttpSender({ timeoutMs: config.timeoutMs, policy, connections: config.concurrency, resolver: options.resolver });
  const worker: DeliveryWorker = new DeliveryWorker({
    deliveries,
    webhooks,
    secrets,
    sender,
    clock,
    retryScheduleSeconds: config.retryScheduleSeconds,
    concurrency: config.concurrency,
    pollIntervalMs: config.pollIntervalMs,
    leaseMs: config.timeoutMs * 2 + 30_000,
    retentionDays: config.retentionDays,
    disableWebhook: (webhook, reason, at) =>
      core.audit.transaction(async (trx, append) => {
        await new WebhookStore(trx).update({ workspace: webhook.workspace, sandbox: webhook.sandbox === 1 }, webhook.id, { enabled: 0, disabled_reason: reason }, at);
        await append({ actor: "system:webhooks", action: "webhook.disabled", target: webhook.id, workspace: webhook.workspace, details: { webhook_id: webhook.id, reason } });
      }),
  });
  const service = new WebhookService({
    db: core.store.db,
    secrets,
    audit: core.audit,
    cursors: core.cursors,
    policy,
    maxPerWorkspace: config.maxPerWorkspace,
    clock,
    onQueued: () => worker.wake(),
    resolver: options.resolver,
  });
  const unsubscribe = subscribeWebhookEvents(core.events, service);

  return {
    name: "webhooks",
    service,
    worker,
    routes: async (app) => {
      await app.register(webhookRoutes(core, service, secrets, false));
      await app.register(webhookRoutes(core, service, secrets, true));
    },
    async start(app) {
      worker.setLog(app.log.child({ module: "webhooks" }));
      worker.start();
    },
    async close() {
      unsubscribe();
      await worker.stop();
      await sender.close();
    },
  };
}
