// The webhook API, mounted twice: /api/v1/webhooks (production events) and
// /api/v1/sandbox/webhooks (sandbox events only). Thin handlers: schema in, one service call,
// schema out. Writes honour Idempotency-Key (src/http/idempotency.ts). Every route needs the
// webhooks:manage scope, checked on request (before the body
// is parsed or validated, so an unauthenticated caller learns nothing about the API).
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { CoreServices } from "../../app/services.ts";
import { unauthorized } from "../../errors.ts";
import { errorEnvelopeSchema } from "../../http/schemas/common.ts";
import type { SecretBox } from "../secret-box.ts";
import type { Space, WebhookService } from "../webhook-service.ts";
import { installSecretUnsealing, sealResponseSecret } from "./secret-responses.ts";
import {
  createWebhookSchema,
  deliveriesQuerySchema,
  deliveryDetailSchema,
  deliveryParams,
  deliverySchema,
  idParams,
  listQuerySchema,
  DEFAULT_SECRET_OVERLAP_SECONDS,
  pageOf,
  rotateSecretSchema,
  updateWebhookSchema,
  webhookSchema,
  webhookWithSecretSchema,
} from "./schemas.ts";

const errors = {
  400: errorEnvelopeSchema,
  401: errorEnvelopeSchema,
  403: errorEnvelopeSchema,
  404: errorEnvelopeSchema,
  409: errorEnvelopeSchema,
  413: errorEnvelopeSchema,
  422: errorEnvelopeSchema,
  429: errorEnvelopeSchema,
  500: errorEnvelopeSchema,
};

const webhookPage = pageOf(webhookSchema, "WebhookList");
const deliveryPage = pageOf(deliverySchema, "WebhookDeliveryList");

export function webhookRoutes(core: Pick<CoreServices, "requireScope">, service: WebhookService, secrets: SecretBox, sandbox: boolean): FastifyPluginAsyncZod {
  const base = sandbox ? "/api/v1/sandbox/webhooks" : "/api/v1/webhooks";
  const auth = core.requireScope("webhooks:manage");
  const tags = [sandbox ? "sandbox" : "webhooks"];
  const security: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
  const op = (name: string) => (sandbox ? `sandbox${name[0]?.toUpperCase()}${name.slice(1)}` : name);
  const say = (text: string) => (sandbox ? `[sandbox] ${text}` : text);
  const space = (request: FastifyRequest): Space => {
    if (!request.apiKey) throw unauthorized();
    return { workspace: request.apiKey.workspace, sandbox };
  };
  const actor = (request: FastifyRequest) => `key:${request.apiKey?.id ?? "unknown"}`;

  return async (app) => {
    installSecretUnsealing(app, secrets);

    app.post(
      base,
      {
        onRequest: auth,
        config: { idempotent: true, sealedSecret: true },
        schema: {
          summary: say("Register a webhook (the signing secret is returned once)"),
          operationId: op("createWebhook"),
          tags,
          security,
          body: createWebhookSchema,
          response: { 201: webhookWithSecretSchema, ...errors },
        },
      },
      async (request, reply) => reply.code(201).send(sealResponseSecret(secrets, await service.create(space(request), request.body, actor(request)))),
    );

    app.get(
      base,
      { onRequest: auth, schema: { summary: say("List webhooks"), operationId: op("listWebhooks"), tags, security, querystring: listQuerySchema, response: { 200: webhookPage, ...errors } } },
      async (request) => service.list(space(request), request.query),
    );

    app.get(
      `${base}/:id`,
      { onRequest: auth, schema: { summary: say("Get a webhook"), operationId: op("getWebhook"), tags, security, params: idParams, response: { 200: webhookSchema, ...errors } } },
      async (request) => service.get(space(request), request.params.id),
    );

    app.patch(
      `${base}/:id`,
      {
        onRequest: auth,
        config: { idempotent: true },
        schema: { summary: say("Change a webhook's url, events, description or enabled flag"), operationId: op("updateWebhook"), tags, security, params: idParams, body: updateWebhookSchema, response: { 200: webhookSchema, ...errors } },
      },
      async (request) => service.update(space(request), request.params.id, request.body, actor(request)),
    );

    app.delete(
      `${base}/:id`,
      {
        onRequest: auth,
        config: { idempotent: true },
        schema: { summary: say("Delete a webhook and its delivery history (answers the deleted webhook)"), operationId: op("deleteWebhook"), tags, security, params: idParams, response: { 200: webhookSchema, ...errors } },
      },
      async (request) => service.delete(space(request), request.params.id, actor(request)),
    );

    app.post(
      `${base}/:id/rotate-secret`,
      {
        onRequest: auth,
        config: { idempotent: true, sealedSecret: true },
        schema: {
          summary: say("Replace the signing secret: the new one is returned once and signs every attempt from now on; the old one co-signs until previous_secret_expires_in (default 24 h) has passed"),
          operationId: op("rotateWebhookSecret"),
          tags,
          security,
          params: idParams,
          body: rotateSecretSchema.nullish(),
          response: { 200: webhookWithSecretSchema, ...errors },
        },
      },
      async (request) => {
        const overlap = request.body?.previous_secret_expires_in ?? DEFAULT_SECRET_OVERLAP_SECONDS;
        return sealResponseSecret(secrets, await service.rotateSecret(space(request), request.params.id, actor(request), overlap));
      },
    );

    app.post(
      `${base}/:id/test`,
      {
        onRequest: auth,
        config: { idempotent: true },
        schema: { summary: say("Send a webhook.test event to this webhook"), operationId: op("testWebhook"), tags, security, params: idParams, response: { 202: deliverySchema, ...errors } },
      },
      async (request, reply) => reply.code(202).send(await service.sendTest(space(request), request.params.id)),
    );

    app.get(
      `${base}/:id/deliveries`,
      {
        onRequest: auth,
        schema: {
          summary: say("List a webhook's deliveries, newest first, each with every attempt"),
          operationId: op("listWebhookDeliveries"),
          tags,
          security,
          params: idParams,
          querystring: deliveriesQuerySchema,
          response: { 200: deliveryPage, ...errors },
        },
      },
      async (request) => service.listDeliveries(space(request), request.params.id, request.query),
    );

    app.get(
      `${base}/:id/deliveries/:deliveryId`,
      {
        onRequest: auth,
        schema: { summary: say("Get one delivery with its payload and attempts"), operationId: op("getWebhookDelivery"), tags, security, params: deliveryParams, response: { 200: deliveryDetailSchema, ...errors } },
      },
      async (request) => service.getDelivery(space(request), request.params.id, request.params.deliveryId),
    );

    app.post(
      `${base}/:id/deliveries/:deliveryId/redeliver`,
      {
        onRequest: auth,
        config: { idempotent: true },
        schema: {
          summary: say("Send a past event again, as a new delivery with the same event id"),
          operationId: op("redeliverWebhookDelivery"),
          tags,
          security,
          params: deliveryParams,
          response: { 202: deliverySchema, ...errors },
        },
      },
      async (request, reply) => reply.code(202).send(await service.redeliver(space(request), request.params.id, request.params.deliveryId)),
    );
  };
}
