// Kysely shapes of the webhooks module's tables (created in src/store/migrations/0006_webhooks.ts).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface WebhooksTables {}
