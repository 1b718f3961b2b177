// One chat call to the upstream along a route chain: builds each route's request (re-serialising
// the body only when something in it must change), retries within a route, falls back to the next
// route on failure, and turns a final upstream error into an OpenAI-shaped one.
import type { ChatCompletionRequestBody } from "./openai-types.ts";
import { OpenAIHttpError } from "./openai-errors.ts";
import type { RouteChoice } from "./providers.ts";
import { toAnthropicRequest } from "./anthropic.ts";
import { UpstreamConnectError, isRetryableStatus, type UpstreamClient, type UpstreamResponse } from "./upstream.ts";

export interface CallPlan {
  chain: RouteChoice[];
  body: ChatCompletionRequestBody;
  /** The body exactly as the client sent it, relayed unchanged when nothing must change. */
  raw: Buffer | undefined;
  stream: boolean;
  maxRetries: number;
  retryBaseMs: number;
}

export interface CallResult {
  choice: RouteChoice;
  response: UpstreamResponse;
  attempts: number;
  /** True when the gateway added stream_options.include_usage the client did not ask for. */
  addedUsage: boolean;
}

const MAX_ERROR_BODY = 64 * 1024;

function requestFor(choice: RouteChoice, plan: CallPlan): { path: string; body: string | Buffer; headers: Record<string, string>; addedUsage: boolean } {
  const { route, upstreamModel } = choice;
  const headers: Record<string, string> = { "content-type": "application/json", accept: plan.stream ? "text/event-stream" : "application/json", "user-agent": "ClawNex-Gateway/1", ...route.config.headers };
  if (route.kind === "anthropic") {
    if (route.apiKey) headers["x-api-key"] = route.apiKey;
    headers["anthropic-version"] = route.config.anthropicVersion;
    return { path: "/messages", body: JSON.stringify(toAnthropicRequest(plan.body, upstreamModel, plan.stream, route.config.defaultMaxTokens)), headers, addedUsage: plan.stream && plan.body.stream_options?.include_usage !== true };
  }
  if (route.apiKey) headers.authorization = `Bearer ${route.apiKey}`;
  const wantsUsage = plan.body.stream_options?.include_usage === true;
  const addUsage = plan.stream && route.config.streamUsage && !wantsUsage;
  const streamFlagChanges = (plan.body.stream === true) !== plan.stream;
  if (plan.raw && upstreamModel === plan.body.model && !addUsage && !streamFlagChanges) return { path: "/chat/completions", body: plan.raw, headers, addedUsage: false };
  const body: ChatCompletionRequestBody = { ...plan.body, model: upstreamModel, stream: plan.stream };
  if (addUsage) body.stream_options = { ...(plan.body.stream_options ?? {}), include_usage: true };
  if (!plan.stream) delete body.stream_options;
  return { path: "/chat/completions", body: JSON.stringify(body), headers, addedUsage: addUsage };
}

/** Calls the chain; resolves with the first 2xx response, or throws the last failure as an OpenAIHttpError. */
export async function callUpstream(client: UpstreamClient, plan: CallPlan, signal: AbortSignal | undefined): Promise<CallResult> {
  let attempts = 0;
  let lastError: OpenAIHttpError | undefined;
  for (let i = 0; i < plan.chain.length; i++) {
    const choice = plan.chain[i] as RouteChoice;
    const hasFallback = i < plan.chain.length - 1;
    const req = requestFor(choice, plan);
    let response: UpstreamResponse;
    try {
      response = await client.send({ route: choice.route, path: req.path, body: req.body, headers: req.headers, signal, maxRetries: choice.route.config.maxRetries ?? plan.maxRetries, retryBaseMs: plan.retryBaseMs });
    } catch (err) {
      if (!(err instanceof UpstreamConnectError)) throw err;
      attempts += err.attempts;
      lastError = new OpenAIHttpError(err.timeout ? 504 : 502, `${err.message} (route ${choice.route.id})`, { code: err.timeout ? "upstream_timeout" : "upstream_unreachable", extra: { attempts } });
      continue;
    }
    attempts += response.attempts;
    if (response.status >= 200 && response.status < 300) return { choice, response, attempts, addedUsage: req.addedUsage };
    const text = await response.body.text(MAX_ERROR_BODY);
    lastError = upstreamError(response.status, text, choice, attempts);
    if (!(hasFallback && isRetryableStatus(response.status))) throw lastError;
  }
  throw lastError ?? new OpenAIHttpError(502, "no provider route could serve the request", { code: "upstream_error" });
}

/** The upstream's error in OpenAI shape, with its status where it means something to the client. */
export function upstreamError(status: number, text: string, choice: RouteChoice, attempts: number): OpenAIHttpError {
  let message = `the upstream answered HTTP ${status}`;
  let type: string | undefined;
  let code: string | null = null;
  let param: string | null = null;
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    const e = parsed.error;
    if (e && typeof e === "object") {
      const o = e as Record<string, unknown>;
      if (typeof o.message === "string") message = o.message;
      if (typeof o.type === "string") type = o.type;
      if (typeof o.code === "string") code = o.code;
      if (typeof o.param === "string") param = o.param;
    } else if (typeof e === "string") message = e;
    else if (typeof parsed.message === "string") message = parsed.message;
  } catch {
    // Not JSON (an HTML error page from a proxy): the status alone is reported.
  }
  // Some providers echo part of the key they were sent; it must not reach the client.
  const key = choice.route.apiKey;
  if (key) message = message.split(key).join("[redacted]");
  message = message.slice(0, 1000);
  const extra = { upstream_status: status, route: choice.route.id, attempts };
  if (status === 401 || status === 403) {
    // The client's ClawNex key is fine; the gateway's provider key was refused. A 401/403 would
    // make agents disable their (valid) key, so this is the gateway's failure: 502.
    return new OpenAIHttpError(502, `the upstream refused the gateway's provider credentials (HTTP ${status}): ${message}`, { type: "api_error", code: "upstream_auth_failed", extra });
  }
  const mapped = status === 529 ? 503 : status === 500 ? 502 : status >= 500 && ![502, 503, 504].includes(status) ? 502 : status;
  return new OpenAIHttpError(mapped, message, { ...(type ? { type } : {}), code: code ?? "upstream_error", param, extra });
}
