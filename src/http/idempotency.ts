// Idempotency-Key for POST/PATCH/PUT/DELETE routes on /api/v1. A route opts in with
// `config: { idempotent: true }`; when a request carries an `Idempotency-Key` header:
//   - the first request claims the key (per workspace) and runs; its response is stored;
//   - a replay with the same request (method, path and body) gets the stored response back,
//     with `Idempotent-Replayed: true`, and the effect does not happen again;
//   - the same key with a different request is 422 idempotency_conflict;
//   - the same key while the first request still runs is 409 conflict.
// Keys are kept 24 hours. A 5xx answer releases the key so the client can retry. Routes whose
// body is a stream (multipart uploads) use `idempotent: "deferred"`: the handler settles the key
// itself with claimIdempotency() once it knows the body's fingerprint, before any effect.
// Register the plugin before the routes (it hooks route registration).
import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest, onRequestAbortAsyncHookHandler, onSendAsyncHookHandler, preHandlerAsyncHookHandler, RouteOptions } from "fastify";
import fp from "fastify-plugin";
import type { Kysely } from "kysely";
import { AppError, invalidRequest } from "../errors.ts";
import type { Database } from "../store/schema.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** true: settle Idempotency-Key from the JSON body before the handler; "deferred": the handler calls claimIdempotency(). */
    idempotent?: boolean | "deferred";
  }
  interface FastifyRequest {
    idempotency: IdempotencyState | null;
  }
}

export interface IdempotencyState {
  store: IdempotencyStore;
  workspace: string;
  /** The raw header value; validated once the request is authenticated. */
  key: string;
  /** Fingerprint of method, path and raw body (JSON routes), set before validation. */
  bodyFingerprint: string | null;
  claimed: boolean;
}

export interface IdempotencyOptions {
  db: Kysely<Database>;
  /** How long a key is remembered (24 h). */
  ttlMs?: number;
  /** An in-progress claim older than this is taken to belong to a crashed request. */
  staleLockMs?: number;
  clock?: () => number;
}

export const IDEMPOTENCY_HEADER = "idempotency-key";
export const REPLAYED_HEADER = "Idempotent-Replayed";
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;
const METHODS = new Set(["POST", "PATCH", "PUT", "DELETE"]);

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function fingerprint(method: string, url: string, body: unknown): string {
  return createHash("sha256").update(JSON.stringify([method, url, canonical(body ?? null)])).digest("hex");
}

type Outcome = { kind: "claimed" } | { kind: "replay"; status: number; contentType: string | null; body: string };

export class IdempotencyStore {
  readonly #db: Kysely<Database>;
  readonly #ttlMs: number;
  readonly #staleLockMs: number;
  readonly #clock: () => number;

  constructor(options: IdempotencyOptions) {
    this.#db = options.db;
    this.#ttlMs = options.ttlMs ?? IDEMPOTENCY_TTL_MS;
    this.#staleLockMs = options.staleLockMs ?? 5 * 60 * 1000;
    this.#clock = options.clock ?? Date.now;
  }

  async claim(workspace: string, key: string, print: string, method: string, path: string): Promise<Outcome> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.#clock();
      const at = new Date(now).toISOString();
      const inserted = await this.#db
        .insertInto("idempotency_keys")
        .values({ workspace, key, fingerprint: print, method, path, state: "in_progress", status_code: null, content_type: null, response_body: null, created_at: at, locked_at: at })
        .onConflict((oc) => oc.columns(["workspace", "key"]).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return { kind: "claimed" };
      const row = await this.#db.selectFrom("idempotency_keys").selectAll().where("workspace", "=", workspace).where("key", "=", key).executeTakeFirst();
      if (!row) continue; // released or expired meanwhile: try again
      if (Date.parse(row.created_at) <= now - this.#ttlMs) {
        await this.#db.deleteFrom("idempotency_keys").where("workspace", "=", workspace).where("key", "=", key).where("created_at", "=", row.created_at).execute();
        continue;
      }
      if (row.fingerprint !== print) {
        throw new AppError("idempotency_conflict", "this Idempotency-Key was already used with a different request (method, path or body); use a new key for a new request", {
          details: { idempotency_key: key, original: { method: row.method, path: row.path } },
        });
      }
      if (row.state === "completed" && row.status_code !== null && row.response_body !== null) {
        return { kind: "replay", status: row.status_code, contentType: row.content_type, body: row.response_body };
      }
      if (Date.parse(row.locked_at) <= now - this.#staleLockMs) {
        const taken = await this.#db
          .updateTable("idempotency_keys")
          .set({ locked_at: at })
          .where("workspace", "=", workspace)
          .where("key", "=", key)
          .where("state", "=", "in_progress")
          .where("locked_at", "=", row.locked_at)
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) > 0) return { kind: "claimed" };
        continue;
      }
      throw new AppError("conflict", "a request with this Idempotency-Key is still in progress; retry after it completes", { details: { idempotency_key: key }, headers: { "Retry-After": "1" } });
    }
    throw new AppError("conflict", "this Idempotency-Key is contended; retry shortly", { headers: { "Retry-After": "1" } });
  }

  async complete(workspace: string, key: string, status: number, contentType: string | null, body: string): Promise<void> {
    await this.#db
      .updateTable("idempotency_keys")
      .set({ state: "completed", status_code: status, content_type: contentType, response_body: body })
      .where("workspace", "=", workspace)
      .where("key", "=", key)
      .where("state", "=", "in_progress")
      .execute();
  }

  async release(workspace: string, key: string): Promise<void> {
    await this.#db.deleteFrom("idempotency_keys").where("workspace", "=", workspace).where("key", "=", key).where("state", "=", "in_progress").execute();
  }

  /** Forgets keys older than the retention (24 h); returns how many. */
  async purgeExpired(): Promise<number> {
    const cutoff = new Date(this.#clock() - this.#ttlMs).toISOString();
    const result = await this.#db.deleteFrom("idempotency_keys").where("created_at", "<", cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function headerKey(request: FastifyRequest): string | undefined {
  const raw = request.headers[IDEMPOTENCY_HEADER];
  return Array.isArray(raw) ? (raw[0] ?? "") : raw;
}

function sendReplay(reply: FastifyReply, outcome: Extract<Outcome, { kind: "replay" }>): FastifyReply {
  reply.code(outcome.status).header(REPLAYED_HEADER, "true");
  if (outcome.contentType) reply.header("content-type", outcome.contentType);
  return reply.send(outcome.body);
}

/**
 * For `idempotent: "deferred"` routes: settles the key with a fingerprint of what the handler
 * received. Returns true when the stored response was sent (the handler must then stop, undo
 * nothing and return the reply); false when the request may go ahead. Throws 409/422 as above.
 */
export async function claimIdempotency(request: FastifyRequest, reply: FastifyReply, parts: unknown): Promise<boolean> {
  const state = request.idempotency;
  if (!state || state.claimed) return false;
  const path = request.url;
  const outcome = await state.store.claim(state.workspace, state.key, fingerprint(request.method, path, parts), request.method, path.split("?")[0] ?? path);
  if (outcome.kind === "replay") {
    request.idempotency = null;
    sendReplay(reply, outcome);
    return true;
  }
  state.claimed = true;
  return false;
}

function appendHook<T>(existing: T | T[] | undefined, hook: T): T[] {
  if (existing === undefined) return [hook];
  return Array.isArray(existing) ? [...existing, hook] : [existing, hook];
}

export const idempotencyPlugin = fp<IdempotencyOptions>(
  async (app, options) => {
    const store = new IdempotencyStore(options);
    app.decorateRequest("idempotency", null);

    const capture: preHandlerAsyncHookHandler = async (request) => {
      const key = headerKey(request);
      if (key === undefined) return;
      request.idempotency = { store, workspace: "", key, bodyFingerprint: fingerprint(request.method, request.url, request.body), claimed: false };
    };

    const claim: preHandlerAsyncHookHandler = async (request, reply) => {
      const state = request.idempotency;
      if (!state) return;
      if (!KEY_SHAPE.test(state.key)) throw invalidRequest("Idempotency-Key must be 1 to 255 visible ASCII characters");
      state.workspace = request.apiKey?.workspace ?? "default";
      if (request.routeOptions.config.idempotent === "deferred") return;
      const path = request.url.split("?")[0] ?? request.url;
      const outcome = await store.claim(state.workspace, state.key, state.bodyFingerprint ?? "", request.method, path);
      if (outcome.kind === "replay") {
        request.idempotency = null;
        return sendReplay(reply, outcome);
      }
      state.claimed = true;
    };

    const remember: onSendAsyncHookHandler<unknown> = async (request, reply, payload) => {
      const state = request.idempotency;
      if (!state?.claimed) return payload;
      state.claimed = false;
      const status = reply.statusCode;
      const body = typeof payload === "string" ? payload : Buffer.isBuffer(payload) ? payload.toString("utf8") : null;
      if (status >= 500 || status === 429 || body === null) {
        await store.release(state.workspace, state.key);
        return payload;
      }
      const contentType = reply.getHeader("content-type");
      await store.complete(state.workspace, state.key, status, typeof contentType === "string" ? contentType : null, body);
      return payload;
    };

    const abandon: onRequestAbortAsyncHookHandler = async (request) => {
      const state = request.idempotency;
      if (state?.claimed) await store.release(state.workspace, state.key);
    };

    app.addHook("onRoute", (route: RouteOptions) => {
      const mode = route.config?.idempotent;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (!mode || !methods.some((m) => METHODS.has(m))) return;
      // preValidation sees the body as parsed, before the schema transforms it.
      route.preValidation = appendHook(route.preValidation, capture);
      // Appended after the route's own preHandlers, so authentication has run.
      route.preHandler = appendHook(route.preHandler, claim);
      route.onSend = appendHook(route.onSend, remember);
      route.onRequestAbort = appendHook(route.onRequestAbort, abandon);
    });
  },
  { name: "clawnex-idempotency" },
);

/** The store behind the plugin, for maintenance (purging expired keys). */
export function idempotencyStore(db: Kysely<Database>): IdempotencyStore {
  return new IdempotencyStore({ db });
}
