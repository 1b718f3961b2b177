// The delivery worker: polls the database for due deliveries (so queued and retried deliveries
// survive restarts), claims each with a lease, sends it, and records the attempt with the
// delivery's next state. Time comes from an injected clock, so tests can walk the whole retry
// schedule by moving the clock and calling runDue(), without waiting hours.
import type { SecretBox } from "../secret-box.ts";
import { signatureHeaders } from "../signing.ts";
import type { DeliveryRow, DeliveryStatus, DeliveryStore } from "../store/delivery-store.ts";
import type { WebhookRow, WebhookStore } from "../store/webhook-store.ts";
import { newIdAt } from "../../store/ids.ts";
import { nextRetry } from "./retry-schedule.ts";
import type { Sender } from "./sender.ts";

export interface WorkerLog {
  warn(details: Record<string, unknown>, message: string): void;
  debug(details: Record<string, unknown>, message: string): void;
}

export interface DeliveryWorkerOptions {
  deliveries: DeliveryStore;
  webhooks: WebhookStore;
  secrets: SecretBox;
  sender: Sender;
  clock: () => Date;
  retryScheduleSeconds: readonly number[];
  concurrency: number;
  pollIntervalMs: number;
  /** How long a claim lasts: longer than one attempt can take, so only a crashed worker's lapses. */
  leaseMs: number;
  retentionDays: number;
  log?: WorkerLog;
  /** Disables a webhook whose receiver answered 410 Gone (the module also audits it). */
  disableWebhook?: (webhook: WebhookRow, reason: string, at: string) => Promise<void>;
}

const PURGE_EVERY_MS = 3600_000;
const silent: WorkerLog = { warn() {}, debug() {} };

export class DeliveryWorker {
  readonly #o: DeliveryWorkerOptions;
  #log: WorkerLog;
  #running = false;
  #loop: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #wakeUp: (() => void) | null = null;
  #woken = false;
  #lastPurge = 0;

  constructor(options: DeliveryWorkerOptions) {
    this.#o = options;
    this.#log = options.log ?? silent;
  }

  /** The server's logger, once it exists (the worker is built before the server). */
  setLog(log: WorkerLog): void {
    this.#log = log;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Polls now instead of at the next interval (called after deliveries are queued). */
  wake(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  /** Stops polling and waits for attempts in flight to be recorded. */
  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    await this.#loop;
    this.#loop = null;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let batchWasFull = false;
      try {
        batchWasFull = await this.#runBatch();
        await this.#maybePurge();
      } catch (err) {
        this.#log.warn({ err: errorSummary(err) }, "webhook delivery poll failed");
      }
      if (!this.#running) break;
      if (batchWasFull || this.#woken) {
        this.#woken = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        this.#wakeUp = resolve;
        // Unref'd: a worker whose close() was never called must not keep the process alive.
        this.#timer = setTimeout(resolve, this.#o.pollIntervalMs).unref();
      });
      if (this.#timer) clearTimeout(this.#timer);
      this.#wakeUp = null;
      this.#woken = false;
    }
  }

  /** Attempts every delivery due now (repeating until none is left); returns the attempts made. */
  async runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const before = total;
      const full = await this.#runBatch((n) => (total += n));
      if (!full || total === before) return total;
    }
  }

  /** One poll: up to a few rounds of `concurrency` deliveries; true when more may be due. */
  async #runBatch(count: (n: number) => void = () => {}): Promise<boolean> {
    const o = this.#o;
    const limit = o.concurrency * 4;
    const now = o.clock();
    const due = await o.deliveries.due(now.toISOString(), limit);
    const claimed = await o.deliveries.claimMany(due, now.toISOString(), new Date(now.getTime() + o.leaseMs).toISOString());
    const mine = due.filter((row) => claimed.has(row.id));
    // One read per webhook per batch: every delivery of the batch sees the same row.
    const webhooks = new Map<string, Promise<WebhookRow | undefined>>();
    const webhookOf = (id: string) => {
      let found = webhooks.get(id);
      if (!found) webhooks.set(id, (found = o.webhooks.getById(id)));
      return found;
    };
    let next = 0;
    const lane = async () => {
      while (next < mine.length) {
        const row = mine[next++] as DeliveryRow;
        try {
          if (await this.#attempt(row, await webhookOf(row.webhook_id))) count(1);
        } catch (err) {
          // The claim lapses after the lease and the attempt is made again: at least once.
          this.#log.warn({ delivery_id: row.id, err: errorSummary(err) }, "webhook attempt could not be recorded");
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, mine.length) }, lane));
    return due.length === limit;
  }

  /** One claimed attempt; false when the delivery was ended without one. */
  async #attempt(delivery: DeliveryRow, webhook: WebhookRow | undefined): Promise<boolean> {
    const o = this.#o;
    const claimedAt = o.clock();
    if (!webhook || webhook.enabled !== 1) {
      await o.deliveries.abandon(delivery, webhook ? `webhook disabled${webhook.disabled_reason ? `: ${webhook.disabled_reason}` : ""}` : "webhook deleted", claimedAt.toISOString());
      return false;
    }
    const attemptNumber = delivery.attempt_count + 1;
    const startedAt = o.clock();
    let outcome: Awaited<ReturnType<Sender["send"]>>;
    let secrets: string[] | null = null;
    try {
      secrets = activeSecrets(webhook, startedAt).map((sealed) => o.secrets.open(sealed, webhook.id));
    } catch {
      this.#log.warn({ webhook_id: webhook.id }, "webhook secret cannot be decrypted: is this the data dir's webhook-secrets.key?");
    }
    if (secrets === null) {
      outcome = { ok: false, statusCode: null, latencyMs: 0, error: "signing secret unavailable on this server (webhook-secrets.key mismatch); not sent", gone: false };
    } else {
      outcome = await o.sender.send({ url: webhook.url, body: delivery.payload, headers: { ...signatureHeaders(secrets, delivery.event_id, delivery.payload, startedAt) } }, startedAt);
    }
    const finishedAt = o.clock();
    let status: DeliveryStatus;
    let nextAttemptAt: string | null = null;
    if (outcome.ok) {
      status = "succeeded";
    } else if (outcome.gone) {
      status = "failed";
    } else {
      nextAttemptAt = nextRetry(o.retryScheduleSeconds, attemptNumber, finishedAt, outcome.retryAfterSeconds).nextAttemptAt;
      status = nextAttemptAt ? "pending" : "failed";
    }
    await o.deliveries.record(delivery, {
      attempt: {
        id: newIdAt("wha", startedAt),
        delivery_id: delivery.id,
        webhook_id: webhook.id,
        workspace: delivery.workspace,
        attempt: attemptNumber,
        started_at: startedAt.toISOString(),
        status_code: outcome.statusCode,
        latency_ms: outcome.latencyMs,
        error: outcome.error,
        succeeded: outcome.ok ? 1 : 0,
      },
      status,
      nextAttemptAt,
      at: finishedAt.toISOString(),
    });
    this.#log.debug({ webhook_id: webhook.id, delivery_id: delivery.id, attempt: attemptNumber, status_code: outcome.statusCode, status }, "webhook attempt");
    if (outcome.gone) {
      const reason = "the receiver answered 410 Gone";
      if (o.disableWebhook) await o.disableWebhook(webhook, reason, finishedAt.toISOString());
      else await o.webhooks.update({ workspace: webhook.workspace, sandbox: webhook.sandbox === 1 }, webhook.id, { enabled: 0, disabled_reason: reason }, finishedAt.toISOString());
    }
    return true;
  }

  async #maybePurge(): Promise<void> {
    const now = this.#o.clock().getTime();
    if (now - this.#lastPurge < PURGE_EVERY_MS) return;
    this.#lastPurge = now;
    const removed = await this.#o.deliveries.purgeFinished(new Date(now - this.#o.retentionDays * 86400_000).toISOString());
    if (removed > 0) this.#log.debug({ removed }, "purged old webhook deliveries");
  }
}

/** The sealed secrets that sign an attempt at `at`: the current one, then the replaced one until it expires. */
function activeSecrets(webhook: WebhookRow, at: Date): string[] {
  const previous = webhook.previous_secret_encrypted;
  const expires = webhook.previous_secret_expires_at;
  return previous && expires && Date.parse(expires) > at.getTime() ? [webhook.secret_encrypted, previous] : [webhook.secret_encrypted];
}

function errorSummary(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
