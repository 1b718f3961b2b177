// Token-bucket rate limiting per workspace: `perMinute` tokens refill each minute, up to `burst`.
// Every authenticated response carries the IETF RateLimit-* headers; a refusal adds Retry-After.
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again (RateLimit-Reset) */
  resetSeconds: number;
  /** Seconds until one request is allowed again (Retry-After), when refused */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  readonly #perMinute: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  constructor(perMinute: number, burst: number, now: () => number = () => Date.now()) {
    this.#perMinute = perMinute;
    this.#burst = Math.max(burst, 1);
    this.#now = now;
  }

  take(key: string): RateLimitDecision {
    const now = this.#now();
    const ratePerMs = this.#perMinute / 60_000;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size > 100_000) this.#buckets.clear();
      bucket = { tokens: this.#burst, updated: now };
      this.#buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.updated) * ratePerMs);
    bucket.updated = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    const remaining = Math.floor(bucket.tokens);
    return {
      allowed,
      limit: this.#burst,
      remaining,
      resetSeconds: Math.ceil((this.#burst - bucket.tokens) / ratePerMs / 1000),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000)),
    };
  }
}
