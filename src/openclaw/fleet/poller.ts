// Polls each registered gateway's health endpoints (/healthz: live, /readyz: ready; both answer
// without auth in OpenClaw 2026.9.6) on the instance's interval, tracks last seen, readiness and
// version, and turns state changes into fleet events: an instance that fails
// `failuresBeforeDisconnect` polls in a row is disconnected; one that answers again reconnected.
// Agents come and go with their state-dir folders: one that disappears is disconnected.
import type { Kysely } from "kysely";
import { setTimeout as sleep } from "node:timers/promises";
import type { Database } from "../../store/schema.ts";
import type { OpenclawConfig } from "../config-schema.ts";
import { listAgentIds } from "../transcripts/discover.ts";
import type { FleetEvents } from "./fleet-events.ts";
import { readGatewayStatus } from "./gateway-ws.ts";
import type { Instance, InstanceStore } from "./instance-store.ts";

export interface PollerDeps {
  instances: InstanceStore;
  fleetEvents: FleetEvents;
  db: Kysely<Database>;
  options: OpenclawConfig["fleet"];
  /** Reads a named secret (the instance's tokenEnv) from the environment ClawNex started with. */
  secret: (name: string) => string | undefined;
  log?: { warn(obj: object, msg: string): void } | undefined;
}

export interface ProbeResult {
  live: boolean;
  ready: boolean | null;
  error: string | null;
}

async function getJson(url: string, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual", headers: { accept: "application/json" } });
  const text = (await response.text()).slice(0, 64 * 1024);
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: response.status, body };
}

export async function probeGateway(baseUrl: string, timeoutMs: number): Promise<ProbeResult> {
  const base = baseUrl.replace(/\/+$/, "");
  try {
    const health = await getJson(`${base}/healthz`, timeoutMs);
    const live = health.status === 200 && (health.body as { ok?: unknown } | null)?.ok !== false;
    if (!live) return { live: false, ready: null, error: `/healthz answered ${health.status}` };
    const ready = await getJson(`${base}/readyz`, timeoutMs).catch(() => null);
    return { live, ready: ready ? ready.status === 200 && (ready.body as { ready?: unknown } | null)?.ready === true : null, error: null };
  } catch (err) {
    const reason = err instanceof Error ? (err.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : ((err.cause as Error | undefined)?.message ?? err.message)) : String(err);
    return { live: false, ready: null, error: reason };
  }
}

export class FleetPoller {
  readonly #deps: PollerDeps;
  readonly #lastPoll = new Map<string, number>();
  #stopped = false;
  #loop: Promise<void> | null = null;
  #wake: AbortController | null = null;

  constructor(deps: PollerDeps) {
    this.#deps = deps;
  }

  /** Polls one instance now; returns it as stored afterwards. */
  async poll(instance: Instance): Promise<Instance> {
    const now = new Date().toISOString();
    if (instance.stateDir) await this.#agentPresence(instance);
    if (!instance.gatewayUrl) return instance;
    const probe = await probeGateway(instance.gatewayUrl, this.#deps.options.timeoutMs);
    const failures = probe.live ? 0 : instance.consecutiveFailures + 1;
    const wasDown = instance.health === "down";
    const isDown = !probe.live && failures >= this.#deps.options.failuresBeforeDisconnect;
    const health = probe.live ? "up" : isDown ? "down" : instance.health;
    let status: unknown = instance.gatewayStatus;
    let version = instance.version;
    const token = instance.tokenEnv ? this.#deps.secret(instance.tokenEnv) : undefined;
    if (probe.live && token) {
      const read = await readGatewayStatus(instance.gatewayUrl, token, this.#deps.options.timeoutMs);
      status = read;
      version = read.serverVersion ?? version;
      if (read.agents.length > 0) await this.#gatewayAgents(instance, read.agents.map((a) => a.id), now);
    }
    await this.#deps.instances.update(instance.id, {
      health, ready: probe.ready === null ? null : probe.ready ? 1 : 0, last_poll_at: now, consecutive_failures: failures, last_error: probe.error,
      ...(probe.live ? { last_seen_at: now } : {}), version, gateway_status: status === null ? null : JSON.stringify(status),
    });
    const base = { workspace: instance.workspace, instanceId: instance.id, instanceName: instance.name, agentId: null };
    if (isDown && !wasDown) await this.#deps.fleetEvents.record("openclaw.instance.disconnected", { ...base, details: { error: probe.error, failures, lastSeenAt: instance.lastSeenAt } });
    if (probe.live && wasDown) await this.#deps.fleetEvents.record("openclaw.instance.reconnected", { ...base, details: { downSince: instance.lastPollAt } });
    return this.#deps.instances.get(instance.workspace, instance.id);
  }

  /** Agents the gateway reports were seen now; without a state dir, the gateway's list is the roster. */
  async #gatewayAgents(instance: Instance, agentIds: string[], now: string): Promise<void> {
    for (const agentId of agentIds) {
      await this.#deps.db
        .insertInto("openclaw_agents")
        .values({ instance_id: instance.id, agent_id: agentId, first_seen_at: now, last_seen_at: now, present: 1, updated_at: now })
        .onConflict((oc) => oc.columns(["instance_id", "agent_id"]).doUpdateSet({ last_seen_at: now, updated_at: now }))
        .execute();
    }
    if (!instance.stateDir) await this.#reconcile(instance, new Set(agentIds), "no longer reported by the gateway");
  }

  async #agentPresence(instance: Instance): Promise<void> {
    await this.#reconcile(instance, new Set(listAgentIds(instance.stateDir as string)), "agent folder no longer in the state dir");
  }

  /** Marks agents missing from `listed` disconnected (and returning ones connected); adds new ones. */
  async #reconcile(instance: Instance, listed: Set<string>, goneReason: string): Promise<void> {
    const known = await this.#deps.db.selectFrom("openclaw_agents").select(["agent_id", "present"]).where("instance_id", "=", instance.id).execute();
    const now = new Date().toISOString();
    const base = { workspace: instance.workspace, instanceId: instance.id, instanceName: instance.name };
    for (const row of known) {
      if (row.present === 1 && !listed.has(row.agent_id)) {
        await this.#deps.db.updateTable("openclaw_agents").set({ present: 0, updated_at: now }).where("instance_id", "=", instance.id).where("agent_id", "=", row.agent_id).execute();
        await this.#deps.fleetEvents.record("openclaw.agent.disconnected", { ...base, agentId: row.agent_id, details: { reason: goneReason } });
      } else if (row.present === 0 && listed.has(row.agent_id)) {
        await this.#deps.db.updateTable("openclaw_agents").set({ present: 1, updated_at: now }).where("instance_id", "=", instance.id).where("agent_id", "=", row.agent_id).execute();
        await this.#deps.fleetEvents.record("openclaw.agent.connected", { ...base, agentId: row.agent_id, details: { reason: "seen again" } });
      }
      listed.delete(row.agent_id);
    }
    for (const agentId of listed) {
      await this.#deps.db
        .insertInto("openclaw_agents")
        .values({ instance_id: instance.id, agent_id: agentId, first_seen_at: now, last_seen_at: null, present: 1, updated_at: now })
        .onConflict((oc) => oc.columns(["instance_id", "agent_id"]).doNothing())
        .execute();
    }
  }

  start(): void {
    if (this.#loop) return;
    this.#stopped = false;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.abort();
    await this.#loop;
    this.#loop = null;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        const due = (await this.#deps.instances.list()).filter((i) => Date.now() - (this.#lastPoll.get(i.id) ?? 0) >= i.pollIntervalSeconds * 1000);
        for (const instance of due) {
          if (this.#stopped) break;
          this.#lastPoll.set(instance.id, Date.now());
          await this.poll(instance).catch((err: unknown) => this.#deps.log?.warn({ err, instance: instance.name }, "openclaw fleet poll failed"));
        }
      } catch (err) {
        this.#deps.log?.warn({ err }, "openclaw fleet poller: cannot list instances");
      }
      this.#wake = new AbortController();
      // Unref'd: the poller alone never keeps the process alive.
      await sleep(1000, undefined, { signal: this.#wake.signal, ref: false }).catch(() => undefined);
    }
  }
}
