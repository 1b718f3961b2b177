// Responses that carry a signing secret (create, rotate) are stored by the Idempotency-Key layer
// for 24 hours so a retried request gets the same answer. The secret must not sit there in
// plain text: the handler answers with the secret sealed (AES-GCM, as at rest), the idempotency
// layer stores that, and a final onSend hook — appended after the idempotency layer's own —
// unseals it on the way out, for the first answer and for replays alike.
import type { FastifyInstance, onSendAsyncHookHandler, RouteOptions } from "fastify";
import type { SecretBox } from "../secret-box.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The response's `secret` is sealed by the handler and unsealed by the last onSend hook. */
    sealedSecret?: boolean;
  }
}

const PREFIX = "sealed:";
const aad = (webhookId: string) => `response:${webhookId}`;

export function sealResponseSecret<T extends { id: string; secret: string }>(secrets: SecretBox, response: T): T {
  return { ...response, secret: PREFIX + secrets.seal(response.secret, aad(response.id)) };
}

export function unsealingHook(secrets: SecretBox): onSendAsyncHookHandler<unknown> {
  return async (_request, _reply, payload) => {
    if (typeof payload !== "string" || !payload.includes(`"${PREFIX}`)) return payload;
    const body = JSON.parse(payload) as { id?: unknown; secret?: unknown };
    if (typeof body.id !== "string" || typeof body.secret !== "string" || !body.secret.startsWith(PREFIX)) return payload;
    body.secret = secrets.open(body.secret.slice(PREFIX.length), aad(body.id));
    return JSON.stringify(body);
  };
}

/** Call in the routes' plugin before declaring them: onRoute hooks of a child run after the root's. */
export function installSecretUnsealing(app: FastifyInstance, secrets: SecretBox): void {
  const hook = unsealingHook(secrets);
  app.addHook("onRoute", (route: RouteOptions) => {
    if (!route.config?.sealedSecret) return;
    const existing = route.onSend;
    route.onSend = existing === undefined ? [hook] : Array.isArray(existing) ? [...existing, hook] : [existing, hook];
  });
}
