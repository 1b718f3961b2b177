// Request and response types, looked up in the OpenAPI-generated `paths` (src/schema.d.ts, made
// by `npm run sdk:types`). Where the document lacks an operation the type falls back to a plain
// JSON object, so the SDK still builds against an older document.
import type { components, paths } from "./schema.js";

type Method = "get" | "post" | "patch" | "put" | "delete";
type Fallback<T, F> = [T] extends [never] ? F : unknown extends T ? F : T;
type Operation<P extends string, M extends Method> = P extends keyof paths ? (M extends keyof paths[P] ? NonNullable<paths[P][M]> : never) : never;
type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

export type JsonObject = Record<string, unknown>;

export type RequestBody<P extends string, M extends Method> = Fallback<Operation<P, M> extends { requestBody?: infer R } ? Json<NonNullable<R>> : never, JsonObject>;

export type ResponseBody<P extends string, M extends Method, S extends number = 200> = Fallback<
  Operation<P, M> extends { responses: infer R } ? (S extends keyof R ? Json<R[S]> : never) : never,
  JsonObject
>;

export type QueryParams<P extends string, M extends Method> = Fallback<Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never, Record<string, string | number | boolean | undefined>>;

/** An item of a list response. */
export type ListItem<P extends string> = ResponseBody<P, "get"> extends { data: Array<infer I> } ? I : JsonObject;

export type Schema<N extends string> = N extends keyof components["schemas"] ? components["schemas"][N] : JsonObject;

export type ScanRequest = RequestBody<"/api/v1/shield/scan", "post">;
export type ScanResult = ResponseBody<"/api/v1/shield/scan", "post">;
export type Agent = ResponseBody<"/api/v1/agents/{id}", "get">;
export type AgentCreate = RequestBody<"/api/v1/agents", "post">;
export type AgentUpdate = RequestBody<"/api/v1/agents/{id}", "patch">;
export type AgentListQuery = QueryParams<"/api/v1/agents", "get">;
export type Task = ResponseBody<"/api/v1/tasks/{id}", "get">;
export type TaskCreate = RequestBody<"/api/v1/tasks", "post">;
export type TaskListQuery = QueryParams<"/api/v1/tasks", "get">;
export type FileObject = ResponseBody<"/api/v1/files/{id}", "get">;
export type FileListQuery = QueryParams<"/api/v1/files", "get">;
export type Webhook = ResponseBody<"/api/v1/webhooks/{id}", "get">;
export type WebhookWithSecret = ResponseBody<"/api/v1/webhooks", "post", 201>;
export type WebhookCreate = RequestBody<"/api/v1/webhooks", "post">;
export type WebhookUpdate = RequestBody<"/api/v1/webhooks/{id}", "patch">;
export type WebhookRotate = NonNullable<RequestBody<"/api/v1/webhooks/{id}/rotate-secret", "post">>;
export type WebhookDelivery = ListItem<"/api/v1/webhooks/{id}/deliveries">;
export type WebhookDeliveryDetail = ResponseBody<"/api/v1/webhooks/{id}/deliveries/{deliveryId}", "get">;
export type DeliveryListQuery = QueryParams<"/api/v1/webhooks/{id}/deliveries", "get">;
