// The ClawNex client: one object per server and key, with a resource per API area. The sandbox
// mirror (/api/v1/sandbox/...) has the same resources on isolated data.
import { type ClientOptions, type RequestOptions, Transport } from "./http.ts";
import { Agents } from "./resources/agents.ts";
import { Files } from "./resources/files.ts";
import { Costs, Traffic } from "./resources/gateway.ts";
import { Shield } from "./resources/shield.ts";
import { Tasks } from "./resources/tasks.ts";
import { Webhooks } from "./resources/webhooks.ts";

const API = "/api/v1";

export class Sandbox {
  readonly agents: Agents;
  readonly tasks: Tasks;
  readonly files: Files;
  readonly webhooks: Webhooks;

  constructor(transport: Transport) {
    const prefix = `${API}/sandbox`;
    this.agents = new Agents(transport, prefix);
    this.tasks = new Tasks(transport, prefix);
    this.files = new Files(transport, prefix);
    this.webhooks = new Webhooks(transport, prefix);
  }
}

export class ClawNex {
  readonly shield: Shield;
  readonly agents: Agents;
  readonly tasks: Tasks;
  readonly files: Files;
  readonly webhooks: Webhooks;
  readonly traffic: Traffic;
  readonly costs: Costs;
  /** The same resources on sandbox data (simulated model, no provider budget). */
  readonly sandbox: Sandbox;
  readonly #transport: Transport;

  /** Options default to CLAWNEX_URL / CLAWNEX_API_KEY where `process` exists (Node, Deno, Bun). */
  constructor(options: ClientOptions = {}) {
    const transport = new Transport(options);
    this.#transport = transport;
    this.shield = new Shield(transport, API);
    this.agents = new Agents(transport, API);
    this.tasks = new Tasks(transport, API);
    this.files = new Files(transport, API);
    this.webhooks = new Webhooks(transport, API);
    this.traffic = new Traffic(transport, API);
    this.costs = new Costs(transport, API);
    this.sandbox = new Sandbox(transport);
  }

  get baseURL(): string {
    return this.#transport.baseURL;
  }

  /** Any other endpoint (same retries, idempotency and errors), e.g. request("GET", "/api/v1/fleet/status"). */
  request<T = unknown>(method: RequestOptions["method"], path: string, options: Omit<RequestOptions, "method" | "path"> = {}): Promise<T> {
    return this.#transport.json<T>({ ...options, method, path });
  }
}
