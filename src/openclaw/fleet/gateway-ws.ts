// Reads status, sessions and usage from an OpenClaw gateway over its WebSocket protocol (v4,
// docs/gateway/protocol/*.md): wait for the `connect.challenge` event, send a `connect` request
// carrying the shared token, then `status` and `usage.cost` requests (operator.read). Only counts,
// agent ids and version strings are kept: never payload text, tokens or secrets.
//
// Limitation: this client sends no device identity. It connects as OpenClaw's backend client
// ("gateway-client"), whose scopes OpenClaw keeps only on direct loopback connections; a remote
// gateway clears a device-less client's scopes, so `status` and `usage.cost` then answer "missing
// scope" (kept in `errors`) and only the hello's server version is read.
import { isRecord } from "../../json-record.ts";

export interface GatewayStatusRead {
  at: string;
  connected: boolean;
  serverVersion: string | null;
  protocol: number | null;
  scopes: string[];
  sessions: number | null;
  /** Agents the gateway reports (status: sessions.byAgent and heartbeat agents), with session counts. */
  agents: Array<{ id: string; sessions: number | null }>;
  /** usage.cost over its default window (the last 30 days in 2026.9.6). */
  costUsd: number | null;
  errors: string[];
}

interface Frame {
  type?: string;
  id?: string;
  ok?: boolean;
  event?: string;
  payload?: Record<string, unknown>;
  error?: { code?: string; message?: string };
}

function wsUrl(base: string): string {
  const url = new URL(base);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** usage.cost: `totals.totalCost` when present, else the sum of `daily[].totalCost`. */
function totalCost(payload: unknown): number | null {
  if (!isRecord(payload)) return null;
  const totals = isRecord(payload.totals) ? num(payload.totals.totalCost) : null;
  if (totals !== null) return totals;
  if (!Array.isArray(payload.daily)) return num(payload.totalCost);
  return Math.round(payload.daily.reduce((sum: number, d) => sum + (isRecord(d) ? (num(d.totalCost) ?? 0) : 0), 0) * 1e6) / 1e6;
}

/** status: sessions.count, sessions.byAgent[{agentId, count}], heartbeat.agents[{agentId}]. */
function agentsOf(payload: unknown): { sessions: number | null; agents: Array<{ id: string; sessions: number | null }> } {
  if (!isRecord(payload)) return { sessions: null, agents: [] };
  const sessions = isRecord(payload.sessions) ? payload.sessions : {};
  const agents = new Map<string, number | null>();
  for (const a of Array.isArray(sessions.byAgent) ? sessions.byAgent : []) if (isRecord(a) && typeof a.agentId === "string") agents.set(a.agentId, num(a.count));
  const heartbeat = isRecord(payload.heartbeat) ? payload.heartbeat : {};
  for (const a of Array.isArray(heartbeat.agents) ? heartbeat.agents : []) if (isRecord(a) && typeof a.agentId === "string" && !agents.has(a.agentId)) agents.set(a.agentId, null);
  return { sessions: num(sessions.count), agents: [...agents].map(([id, count]) => ({ id, sessions: count })) };
}

export async function readGatewayStatus(baseUrl: string, token: string, timeoutMs: number): Promise<GatewayStatusRead> {
  const result: GatewayStatusRead = { at: new Date().toISOString(), connected: false, serverVersion: null, protocol: null, scopes: [], sessions: null, agents: [], costUsd: null, errors: [] };
  let socket: WebSocket;
  try {
    socket = new WebSocket(wsUrl(baseUrl));
  } catch (err) {
    result.errors.push(`websocket: ${err instanceof Error ? err.message : String(err)}`);
    return result;
  }
  const pending = new Map<string, (frame: Frame) => void>();
  let nextId = 0;
  const request = (method: string, params: Record<string, unknown>) =>
    new Promise<Frame>((resolve) => {
      const id = `clawnex-${++nextId}`;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ type: "req", id, method, params }));
    });
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      result.errors.push(`no complete answer within ${timeoutMs} ms`);
      resolve();
    }, timeoutMs);
    let connecting = false;
    const connect = async () => {
      if (connecting) return;
      connecting = true;
      const hello = await request("connect", {
        minProtocol: 4, maxProtocol: 4, role: "operator", scopes: ["operator.read"], caps: [], commands: [], permissions: {},
        client: { id: "gateway-client", version: "clawnex", platform: process.platform, mode: "backend" }, auth: { token }, userAgent: "clawnex-fleet-poller",
      });
      if (!hello.ok) {
        result.errors.push(`connect: ${hello.error?.message ?? hello.error?.code ?? "refused"}`);
        clearTimeout(timer);
        return resolve();
      }
      result.connected = true;
      const server = hello.payload?.server as { version?: unknown } | undefined;
      result.serverVersion = typeof server?.version === "string" ? server.version : null;
      result.protocol = typeof hello.payload?.protocol === "number" ? hello.payload.protocol : null;
      const auth = hello.payload?.auth as { scopes?: unknown } | undefined;
      result.scopes = Array.isArray(auth?.scopes) ? auth.scopes.filter((s): s is string => typeof s === "string") : [];
      const [status, usage] = await Promise.all([request("status", {}), request("usage.cost", { agentScope: "all" })]);
      if (status.ok) Object.assign(result, agentsOf(status.payload));
      else result.errors.push(`status: ${status.error?.message ?? "failed"}`);
      if (usage.ok) result.costUsd = totalCost(usage.payload);
      else result.errors.push(`usage.cost: ${usage.error?.message ?? "failed"}`);
      clearTimeout(timer);
      resolve();
    };
    socket.addEventListener("open", () => {
      // Gateways that predate connect.challenge never send one: connect anyway after a short wait.
      setTimeout(() => void connect().catch(() => resolve()), 1500);
    });
    socket.addEventListener("message", (message) => {
      let frame: Frame;
      try {
        frame = JSON.parse(String(message.data)) as Frame;
      } catch {
        return;
      }
      if (frame.type === "event" && frame.event === "connect.challenge") void connect().catch(() => resolve());
      if (frame.type === "res" && frame.id) pending.get(frame.id)?.(frame);
    });
    socket.addEventListener("error", () => {
      result.errors.push("websocket error");
      clearTimeout(timer);
      resolve();
    });
    socket.addEventListener("close", () => {
      clearTimeout(timer);
      for (const resolvePending of pending.values()) resolvePending({ ok: false, error: { message: "connection closed" } });
      resolve();
    });
  });
  await done;
  try {
    socket.close();
  } catch {
    // already closed
  }
  return result;
}
