// The one JSON-over-HTTP client of the integration tests: real fetch against the real server on
// loopback, the key in X-ClawNex-Key or as a Bearer token, JSON bodies sent and parsed.

/**
 * A parsed reply body. Tests follow arbitrary paths into it and assert the values they reach, so
 * it is left untyped here in this one place; where a shape matters, the test asserts it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ReplyBody = any;

export interface Reply {
  status: number;
  headers: Headers;
  body: ReplyBody;
}

export interface SendOptions {
  key?: string | null | undefined;
  /** How the key travels: the X-ClawNex-Key header (default) or Authorization: Bearer. */
  auth?: "header" | "bearer";
  /** Sent as JSON unless it is already a string. */
  body?: unknown;
  /** Extra headers; a content-type given here wins over the JSON default. */
  headers?: Record<string, string>;
}

/** JSON replies are parsed; other bodies (NDJSON, metrics, files) stay text; an untyped empty body is null. */
export async function sendJson(url: string, method: string, options: SendOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.key) {
    if (options.auth === "bearer") headers.authorization = `Bearer ${options.key}`;
    else headers["x-clawnex-key"] = options.key;
  }
  if (options.body !== undefined) headers["content-type"] = "application/json";
  Object.assign(headers, options.headers);
  const body = options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  const type = response.headers.get("content-type") ?? "";
  const isJson = type.includes("json") && !type.includes("ndjson");
  // A typed reply keeps its text even when empty (an NDJSON export with no rows is "").
  const parsed: unknown = isJson ? (text === "" ? null : JSON.parse(text)) : text === "" && type === "" ? null : text;
  return { status: response.status, headers: response.headers, body: parsed };
}
