// One error taxonomy for the whole product. Domain code throws these; src/http/error-mapper.ts
// turns them into the wire envelope. Anything else that escapes becomes a generic 500.

export type ErrorCode =
  | "invalid_request"
  | "unauthorized"
  | "forbidden_scope"
  | "not_found"
  | "conflict"
  | "idempotency_conflict"
  | "payload_too_large"
  | "rate_limited"
  | "unprocessable"
  | "upstream_error"
  | "unavailable"
  | "internal_error";

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden_scope: 403,
  not_found: 404,
  conflict: 409,
  idempotency_conflict: 422,
  payload_too_large: 413,
  rate_limited: 429,
  unprocessable: 422,
  upstream_error: 502,
  unavailable: 503,
  internal_error: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = STATUS[code];
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

export const invalidRequest = (message: string, details?: unknown) => new AppError("invalid_request", message, { details });
export const notFound = (what: string) => new AppError("not_found", `${what} not found`);
export const unauthorized = (message = "missing or invalid API key") => new AppError("unauthorized", message);
export const forbiddenScope = (scope: string) =>
  new AppError("forbidden_scope", `this API key lacks the required scope '${scope}'`, { details: { required_scope: scope } });

/** Raised at start-up for bad configuration; the CLI prints the message and exits non-zero. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Raised by the CLI for bad arguments; exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
