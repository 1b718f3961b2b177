// Webhook endpoints as the API sees them: registration (URL checked, secret generated and shown
// once), changes, secret rotation, deletion, test events, and the delivery history. Each method
// takes the caller's space (workspace + sandbox side), so isolation is decided here, once.
import type { Kysely } from "kysely";
import type { AppendFn, AuditLog } from "../audit/audit-log.ts";
import { AppError, invalidRequest, notFound } from "../errors.ts";
import type { CursorCodec } from "../http/cursor.ts";
import type { Database } from "../store/schema.ts";
import { checkDestination, DestinationRefusedError, type UrlPolicy } from "./delivery/url-policy.ts";
import { TEST_EVENT_TYPE } from "./events.ts";
import { newIdAt } from "../store/ids.ts";
import { decodeCursor, type Page, type PageQuery, toPage } from "./paging.ts";
import type { SecretBox } from "./secret-box.ts";
import { generateSecret } from "./signing.ts";
import { type DeliveryRow, type DeliveryStatus, DeliveryStore } from "./store/delivery-store.ts";
import { type Space, type WebhookPatch, type WebhookRow, WebhookStore } from "./store/webhook-store.ts";
import { destination, type DeliveryView, parseEvents, subscribes, toDeliveryView, toWebhookView, type WebhookView } from "./views.ts";

export type { DeliveryView, Page, PageQuery, Space, WebhookView };


export interface CreateWebhookInput {
  url: string;
  events: string[];
  description?: string | null | undefined;
  enabled?: boolean | undefined;
}

export interface UpdateWebhookInput {
  url?: string | undefined;
  events?: string[] | undefined;
  description?: string | null | undefined;
  enabled?: boolean | undefined;
}

/** The JSON body of every delivery. */
export interface EventEnvelope {
  id: string;
  type: string;
  timestamp: string;
  workspace: string;
  sandbox: boolean;
  data: Record<string, unknown>;
}

export interface WebhookServiceOptions {
  db: Kysely<Database>;
  secrets: SecretBox;
  audit: AuditLog;
  cursors: CursorCodec;
  policy: UrlPolicy;
  maxPerWorkspace: number;
  clock?: () => Date;
  /** Told after deliveries are queued, so the worker sends them without waiting for its poll. */
  onQueued?: () => void;
  /** Resolves host names for the registration check (tests); the system resolver by default. */
  resolver?: Parameters<typeof checkDestination>[2];
}


export class WebhookService {
  readonly #o: WebhookServiceOptions;
  readonly #clock: () => Date;
  readonly #webhooks: WebhookStore;
  readonly #deliveries: DeliveryStore;

  constructor(options: WebhookServiceOptions) {
    this.#o = options;
    this.#clock = options.clock ?? (() => new Date());
    this.#webhooks = new WebhookStore(options.db);
    this.#deliveries = new DeliveryStore(options.db);
  }

  /** Runs a change and the audit event describing it in one transaction: both or neither. */
  #audited<T>(fn: (webhooks: WebhookStore, append: AppendFn) => Promise<T>): Promise<T> {
    return this.#o.audit.transaction((trx, append) => fn(new WebhookStore(trx), append));
  }

  async #checkUrl(url: string): Promise<string> {
    try {
      return (await checkDestination(url, this.#o.policy, this.#o.resolver)).toString();
    } catch (err) {
      if (err instanceof DestinationRefusedError) throw invalidRequest(err.message, { field: "url" });
      throw err;
    }
  }

  async #find(space: Space, id: string): Promise<WebhookRow> {
    const row = await this.#webhooks.get(space, id);
    if (!row) throw notFound("webhook");
    return row;
  }

  async create(space: Space, input: CreateWebhookInput, actor: string): Promise<WebhookView & { secret: string }> {
    const url = await this.#checkUrl(input.url);
    const now = this.#clock();
    const id = newIdAt("wh", now);
    const secret = generateSecret();
    const row: WebhookRow = {
      id,
      workspace: space.workspace,
      sandbox: space.sandbox ? 1 : 0,
      url,
      events: JSON.stringify([...new Set(input.events)]),
      description: input.description ?? null,
      enabled: input.enabled === false ? 0 : 1,
      disabled_reason: null,
      secret_encrypted: this.#o.secrets.seal(secret, id),
      previous_secret_encrypted: null,
      previous_secret_expires_at: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await this.#audited(async (webhooks, append) => {
      // Counted under the audit write lock, so concurrent creations cannot overshoot the limit.
      if ((await webhooks.count(space)) >= this.#o.maxPerWorkspace) {
        throw new AppError("unprocessable", `this workspace already has the maximum of ${this.#o.maxPerWorkspace} webhooks; delete one first`);
      }
      await webhooks.insert(row);
      await append(auditEvent(space, actor, "webhook.created", row, { events: parseEvents(row.events) }));
    });
    return { ...toWebhookView(row, now), secret };
  }

  async list(space: Space, query: PageQuery): Promise<Page<WebhookView>> {
    const kind = `webhooks:${space.sandbox ? "sandbox" : "live"}`;
    const after = decodeCursor(this.#o.cursors, kind, query.cursor);
    const rows = await this.#webhooks.list(space, after, query.limit + 1);
    return toPage(this.#o.cursors, kind, rows, query.limit, (row) => toWebhookView(row, this.#clock()));
  }

  async get(space: Space, id: string): Promise<WebhookView> {
    return toWebhookView(await this.#find(space, id), this.#clock());
  }

  async update(space: Space, id: string, input: UpdateWebhookInput, actor: string): Promise<WebhookView> {
    const current = await this.#find(space, id);
    const patch: WebhookPatch = {};
    if (input.url !== undefined) patch.url = await this.#checkUrl(input.url);
    if (input.events !== undefined) patch.events = JSON.stringify([...new Set(input.events)]);
    if (input.description !== undefined) patch.description = input.description;
    if (input.enabled !== undefined) {
      patch.enabled = input.enabled ? 1 : 0;
      // Re-enabling clears why delivery had stopped by itself.
      if (input.enabled) patch.disabled_reason = null;
    }
    if (Object.keys(patch).length === 0) return toWebhookView(current, this.#clock());
    const changed = Object.keys(input).filter((k) => input[k as keyof UpdateWebhookInput] !== undefined);
    const row = await this.#audited(async (webhooks, append) => {
      const updated = await webhooks.update(space, id, patch, this.#clock().toISOString());
      if (!updated) throw notFound("webhook");
      await append(auditEvent(space, actor, "webhook.updated", updated, { changed }));
      return updated;
    });
    return toWebhookView(row, this.#clock());
  }

  async delete(space: Space, id: string, actor: string): Promise<WebhookView> {
    const row = await this.#find(space, id);
    await this.#audited(async (webhooks, append) => {
      if (!(await webhooks.delete(space, id))) throw notFound("webhook");
      await append(auditEvent(space, actor, "webhook.deleted", row, {}));
    });
    return toWebhookView(row, this.#clock());
  }

  /**
   * A new secret, signing every attempt from now on (queued retries included). The replaced one
   * keeps co-signing for `previousExpiresInSeconds` (0: at once), so receivers can switch without
   * a failed delivery. A rotation during an overlap drops the older secret at once: at most two
   * secrets sign a delivery.
   */
  async rotateSecret(space: Space, id: string, actor: string, previousExpiresInSeconds: number): Promise<WebhookView & { secret: string }> {
    const current = await this.#find(space, id);
    const secret = generateSecret();
    const now = this.#clock();
    const expiresAt = previousExpiresInSeconds > 0 ? new Date(now.getTime() + previousExpiresInSeconds * 1000).toISOString() : null;
    const patch: WebhookPatch = {
      secret_encrypted: this.#o.secrets.seal(secret, id),
      previous_secret_encrypted: expiresAt ? current.secret_encrypted : null,
      previous_secret_expires_at: expiresAt,
    };
    const row = await this.#audited(async (webhooks, append) => {
      const updated = await webhooks.update(space, id, patch, now.toISOString());
      if (!updated) throw notFound("webhook");
      await append(auditEvent(space, actor, "webhook.secret_rotated", updated, { previous_secret_expires_at: expiresAt }));
      return updated;
    });
    return { ...toWebhookView(row, now), secret };
  }

  /** Queues a `webhook.test` event to this webhook alone, whatever it subscribes to. */
  async sendTest(space: Space, id: string): Promise<DeliveryView> {
    const row = await this.#find(space, id);
    if (row.enabled !== 1) throw new AppError("conflict", "this webhook is disabled; enable it (PATCH enabled: true) before testing");
    const now = this.#clock();
    const envelope = this.#envelope(space, TEST_EVENT_TYPE, { webhook_id: id, message: "This is a test event from ClawNex." }, now.toISOString(), now);
    const [delivery] = await this.#queue([row], envelope, now);
    return toDeliveryView(delivery as DeliveryRow, []);
  }

  /** Queues an event to every enabled webhook of the space that subscribes to it; returns how many. */
  async publish(space: Space, type: string, data: Record<string, unknown>, occurredAt: string): Promise<number> {
    const targets = (await this.#webhooks.enabledIn(space)).filter((row) => subscribes(row, type));
    if (targets.length === 0) return 0;
    const now = this.#clock();
    await this.#queue(targets, this.#envelope(space, type, data, occurredAt, now), now);
    return targets.length;
  }

  async listDeliveries(space: Space, id: string, query: PageQuery & { status?: DeliveryStatus | undefined }): Promise<Page<DeliveryView>> {
    await this.#find(space, id);
    const kind = `deliveries:${id}:${query.status ?? "all"}`;
    const before = decodeCursor(this.#o.cursors, kind, query.cursor);
    const rows = await this.#deliveries.listForWebhook(space.workspace, id, before, query.limit + 1, query.status);
    const page = toPage(this.#o.cursors, kind, rows, query.limit, (row) => row);
    const attempts = await this.#deliveries.attemptsOf(page.data.map((d) => d.id));
    const byDelivery = Map.groupBy(attempts, (a) => a.delivery_id);
    return { ...page, data: page.data.map((row) => toDeliveryView(row, byDelivery.get(row.id) ?? [])) };
  }

  async getDelivery(space: Space, id: string, deliveryId: string): Promise<DeliveryView & { payload: unknown }> {
    await this.#find(space, id);
    const row = await this.#deliveries.get(space.workspace, id, deliveryId);
    if (!row) throw notFound("delivery");
    const attempts = await this.#deliveries.attemptsOf([row.id]);
    return { ...toDeliveryView(row, attempts), payload: JSON.parse(row.payload) as unknown };
  }

  /** Sends a past event again as a new delivery (same event id, so receivers can deduplicate). */
  async redeliver(space: Space, id: string, deliveryId: string): Promise<DeliveryView> {
    const webhook = await this.#find(space, id);
    const original = await this.#deliveries.get(space.workspace, id, deliveryId);
    if (!original) throw notFound("delivery");
    if (webhook.enabled !== 1) throw new AppError("conflict", "this webhook is disabled; enable it before redelivering");
    const now = this.#clock();
    const row = this.#deliveryRow(webhook, original.event_id, original.event_type, original.payload, now);
    await this.#deliveries.enqueue([row]);
    this.#o.onQueued?.();
    return toDeliveryView(row, []);
  }

  #envelope(space: Space, type: string, data: Record<string, unknown>, occurredAt: string, now: Date): EventEnvelope {
    return { id: newIdAt("evt", now), type, timestamp: occurredAt, workspace: space.workspace, sandbox: space.sandbox, data };
  }

  #deliveryRow(webhook: WebhookRow, eventId: string, eventType: string, payload: string, now: Date): DeliveryRow {
    const at = now.toISOString();
    return {
      id: newIdAt("whd", now),
      webhook_id: webhook.id,
      workspace: webhook.workspace,
      event_id: eventId,
      event_type: eventType,
      payload,
      status: "pending",
      attempt_count: 0,
      next_attempt_at: at,
      locked_until: null,
      last_status_code: null,
      last_error: null,
      created_at: at,
      updated_at: at,
      completed_at: null,
    };
  }

  async #queue(targets: WebhookRow[], envelope: EventEnvelope, now: Date): Promise<DeliveryRow[]> {
    // Serialised once: every receiver of the event gets (and signs) the very same bytes.
    const payload = JSON.stringify(envelope);
    const rows = targets.map((webhook) => this.#deliveryRow(webhook, envelope.id, envelope.type, payload, now));
    await this.#deliveries.enqueue(rows);
    this.#o.onQueued?.();
    return rows;
  }
}

function auditEvent(space: Space, actor: string, action: string, row: WebhookRow, details: Record<string, unknown>) {
  return { actor, action, target: row.id, workspace: space.workspace, details: { webhook_id: row.id, destination: destination(row.url), sandbox: space.sandbox, ...details } };
}
