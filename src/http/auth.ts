// Authenticates requests by API key (X-ClawNex-Key or Authorization: Bearer), checks the route's
// scope and applies the per-workspace rate limit. Keys are looked up on every request, so a revocation
// or expiry made by the CLI in another process applies to the very next request.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ApiKeyRecord, KeyService } from "../auth/keys.ts";
import { hasScope, type Scope } from "../auth/scopes.ts";
import { AppError, forbiddenScope, unauthorized } from "../errors.ts";
import type { RateLimiter } from "./rate-limit.ts";

declare module "fastify" {
  interface FastifyRequest {
    apiKey: ApiKeyRecord | null;
  }
}

export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers["x-clawnex-key"];
  if (typeof header === "string" && header.length > 0) return header.trim();
  const authorization = request.headers.authorization;
  if (typeof authorization === "string") {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (m?.[1]) return m[1];
  }
  const apiKey = request.headers["x-api-key"];
  if (typeof apiKey === "string" && apiKey.length > 0) return apiKey.trim();
  return undefined;
}

/** What the SOC needs to spot key misuse (repeated 401/403, rate-limit storms); never the key itself. */
export interface AccessDenied {
  status: 401 | 403 | 429;
  reason: string;
  keyId: string | null;
  keyPrefix: string | null;
  workspace: string | null;
  ip: string;
  method: string;
  route: string;
}

export function requireScope(keys: KeyService, limiter: RateLimiter, scope: Scope, onDenied: (denied: AccessDenied) => void = () => {}) {
  return async function authorize(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const deny = (status: AccessDenied["status"], reason: string, key: ApiKeyRecord | null, raw?: string) =>
      onDenied({
        status,
        reason,
        keyId: key?.id ?? null,
        keyPrefix: key?.prefix ?? (raw ? (/^cnx_[0-9A-Za-z]{8}/.exec(raw)?.[0] ?? null) : null),
        workspace: key?.workspace ?? null,
        ip: request.ip,
        method: request.method,
        route: request.routeOptions.url ?? request.url,
      });
    const raw = presentedKey(request);
    if (!raw) {
      deny(401, "missing_key", null);
      throw unauthorized("missing API key: send X-ClawNex-Key or Authorization: Bearer");
    }
    const key = await keys.authenticate(raw);
    if (!key) {
      deny(401, "invalid_key", null, raw);
      throw unauthorized("invalid, expired or revoked API key");
    }
    const decision = limiter.take(key.workspace);
    reply.header("RateLimit-Limit", String(decision.limit));
    reply.header("RateLimit-Remaining", String(decision.remaining));
    reply.header("RateLimit-Reset", String(decision.resetSeconds));
    if (!decision.allowed) {
      deny(429, "rate_limited", key);
      throw new AppError("rate_limited", "rate limit exceeded for this workspace", { headers: { "Retry-After": String(decision.retryAfterSeconds) } });
    }
    if (!hasScope(key.scopes, scope)) {
      deny(403, `missing_scope:${scope}`, key);
      throw forbiddenScope(scope);
    }
    request.apiKey = key;
  };
}
