// Kysely shapes of the gateway module's tables (created in src/store/migrations/0002_gateway.ts).
// Timestamps are ISO-8601 UTC strings and JSON columns are text, as in the core tables.

/** One row per chat call through the gateway, or reported by LiteLLM's logging callback. */
export interface GatewayTrafficTable {
  id: string;
  ts: string;
  workspace: string;
  key_id: string | null;
  agent_id: string | null;
  task_id: string | null;
  source: string;
  request_id: string | null;
  /** The provider route id from config ("litellm" for records LiteLLM reported). */
  route: string | null;
  /** openai-compatible, anthropic, or the provider LiteLLM named. */
  provider: string | null;
  /** The model the client asked for, and the one sent upstream. */
  model: string;
  upstream_model: string | null;
  stream: number;
  status: number;
  /** ok, blocked_inbound, blocked_outbound, upstream_error, client_disconnect, upstream_disconnect, error */
  outcome: string;
  error_code: string | null;
  tokens_in: number | null;
  tokens_out: number | null;
  /** 1 when the counts come from the tokenizer, not from the upstream's usage. */
  tokens_estimated: number;
  cost_usd: number | null;
  /** genai-prices, config (override), litellm, or null when no price is known. */
  cost_source: string | null;
  upstream_ms: number | null;
  overhead_ms: number | null;
  ttft_ms: number | null;
  mode: string;
  break_glass: number;
  inbound_verdict: string | null;
  inbound_scan_id: string | null;
  outbound_verdict: string | null;
  outbound_scan_id: string | null;
  redactions: number;
  attempts: number;
  /** LiteLLM's call id, so a re-sent log batch doesn't count a call twice. */
  external_id: string | null;
}

/** Per-key Shield mode overrides. */
export interface GatewayKeyModesTable {
  key_id: string;
  workspace: string;
  mode: string;
  updated_at: string;
  updated_by: string;
}

/** Break-glass windows: enforcement is off between started_at and min(expires_at, ended_at). */
export interface GatewayBreakGlassTable {
  id: string;
  started_at: string;
  expires_at: string;
  ended_at: string | null;
  reason: string;
  started_by: string;
  ended_by: string | null;
}

export interface GatewayTables {
  gateway_traffic: GatewayTrafficTable;
  gateway_key_modes: GatewayKeyModesTable;
  gateway_breakglass: GatewayBreakGlassTable;
}
