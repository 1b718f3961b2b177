// @clawnex/sdk: the ClawNex API from TypeScript, in Node and in browsers.
import { ClawNex } from "./client.ts";

export { ClawNex };
export { Sandbox } from "./client.ts";
export type { CallOptions, ClientOptions, RequestOptions, RetryInfo } from "./http.ts";
export { type Page, PagePromise } from "./pagination.ts";
export * from "./errors.ts";
export { verifyClawNexSignature, verifyWebhook, type HeaderBag, type VerifyOptions, type WebhookEvent } from "./webhook-verify.ts";
export type * from "./types.ts";
export type { TrafficRecord } from "./resources/gateway.ts";
export default ClawNex;
