// Typed errors. Every API error carries the server's machine code, the HTTP status and the
// request id to quote when reporting it; subclasses let callers catch one kind.

export class ClawNexError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ClawNexError";
  }
}

export interface ErrorEnvelope {
  error: { code: string; message: string; request_id: string; details?: unknown };
}

export class APIError extends ClawNexError {
  /** HTTP status, e.g. 404. */
  readonly status: number;
  /** Machine code from the server, e.g. "not_found", "idempotency_conflict". */
  readonly code: string;
  /** The server's request id (also the X-Request-Id header). */
  readonly requestId: string | null;
  readonly details: unknown;
  readonly headers: Headers;

  constructor(status: number, code: string, message: string, requestId: string | null, details: unknown, headers: Headers) {
    super(`${status} ${code}: ${message}${requestId ? ` (request ${requestId})` : ""}`);
    this.name = "APIError";
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.details = details;
    this.headers = headers;
  }

  /** Builds the most specific error for a response and its (possibly non-JSON) body. */
  static from(status: number, body: unknown, headers: Headers): APIError {
    const envelope = body as Partial<ErrorEnvelope> | null;
    const error = envelope && typeof envelope === "object" && envelope.error && typeof envelope.error === "object" ? envelope.error : undefined;
    const code = typeof error?.code === "string" ? error.code : `http_${status}`;
    const message = typeof error?.message === "string" ? error.message : typeof body === "string" && body ? body.slice(0, 200) : "request failed";
    const requestId = typeof error?.request_id === "string" ? error.request_id : headers.get("x-request-id");
    const Kind = status === 400 ? BadRequestError
      : status === 401 ? AuthenticationError
      : status === 403 ? PermissionDeniedError
      : status === 404 ? NotFoundError
      : status === 409 ? ConflictError
      : status === 413 ? PayloadTooLargeError
      : status === 422 ? UnprocessableEntityError
      : status === 429 ? RateLimitError
      : status >= 500 ? InternalServerError
      : APIError;
    const err = new Kind(status, code, message, requestId, error?.details, headers);
    err.name = Kind.name;
    return err;
  }
}

export class BadRequestError extends APIError {}
export class AuthenticationError extends APIError {}
export class PermissionDeniedError extends APIError {}
export class NotFoundError extends APIError {}
/** 409: a state conflict, or the same Idempotency-Key still in progress. */
export class ConflictError extends APIError {}
export class PayloadTooLargeError extends APIError {}
/** 422: includes `idempotency_conflict` (same key, different request). */
export class UnprocessableEntityError extends APIError {}
export class RateLimitError extends APIError {
  /** Seconds the server asked to wait (Retry-After), when it said. */
  get retryAfterSeconds(): number | null {
    const value = Number(this.headers.get("retry-after"));
    return Number.isFinite(value) && value >= 0 ? value : null;
  }
}
export class InternalServerError extends APIError {}

/** The request never got an HTTP answer (connection refused, reset, DNS, ...). */
export class APIConnectionError extends ClawNexError {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "APIConnectionError";
  }
}

/** No answer within the client's timeout. */
export class APITimeoutError extends APIConnectionError {
  constructor(timeoutMs: number) {
    super(`no response within ${timeoutMs} ms`);
    this.name = "APITimeoutError";
  }
}

export class WebhookVerificationError extends ClawNexError {
  constructor(message: string) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}
