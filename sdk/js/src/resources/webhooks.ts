import type { CallOptions } from "../http.ts";
import type { PagePromise } from "../pagination.ts";
import type { DeliveryListQuery, Webhook, WebhookCreate, WebhookDelivery, WebhookDeliveryDetail, WebhookRotate, WebhookUpdate, WebhookWithSecret } from "../types.ts";
import { enc, Resource } from "./resource.ts";

export class Webhooks extends Resource {
  list(query: { limit?: number } = {}, options?: CallOptions): PagePromise<Webhook> {
    return this.paginate<Webhook>("/webhooks", query, options);
  }

  /** Registers a webhook; the answer's `secret` is shown only now: store it. */
  create(body: WebhookCreate, options?: CallOptions): Promise<WebhookWithSecret> {
    return this.call("POST", "/webhooks", body, undefined, options);
  }

  get(id: string, options?: CallOptions): Promise<Webhook> {
    return this.call("GET", `/webhooks/${enc(id)}`, undefined, undefined, options);
  }

  update(id: string, body: WebhookUpdate, options?: CallOptions): Promise<Webhook> {
    return this.call("PATCH", `/webhooks/${enc(id)}`, body, undefined, options);
  }

  delete(id: string, options?: CallOptions): Promise<Webhook> {
    return this.call("DELETE", `/webhooks/${enc(id)}`, undefined, undefined, options);
  }

  /**
   * A new signing secret, returned once, signing every attempt from now on. The old one co-signs
   * for `previous_secret_expires_in` seconds (server default 24 h; 0 retires it at once).
   */
  rotateSecret(id: string, body?: WebhookRotate, options?: CallOptions): Promise<WebhookWithSecret> {
    return this.call("POST", `/webhooks/${enc(id)}/rotate-secret`, body, undefined, options);
  }

  /** Queues a webhook.test event to this webhook; answers the queued delivery. */
  test(id: string, options?: CallOptions): Promise<WebhookDelivery> {
    return this.call("POST", `/webhooks/${enc(id)}/test`, undefined, undefined, options);
  }

  /** Newest first, each with every attempt. Filter: status. */
  deliveries(id: string, query: Partial<DeliveryListQuery> = {}, options?: CallOptions): PagePromise<WebhookDelivery> {
    return this.paginate<WebhookDelivery>(`/webhooks/${enc(id)}/deliveries`, query, options);
  }

  getDelivery(id: string, deliveryId: string, options?: CallOptions): Promise<WebhookDeliveryDetail> {
    return this.call("GET", `/webhooks/${enc(id)}/deliveries/${enc(deliveryId)}`, undefined, undefined, options);
  }

  /** Sends a past event again (same event id, new delivery). */
  redeliver(id: string, deliveryId: string, options?: CallOptions): Promise<WebhookDelivery> {
    return this.call("POST", `/webhooks/${enc(id)}/deliveries/${enc(deliveryId)}/redeliver`, undefined, undefined, options);
  }
}
