// The built-in task runner. It claims pending tasks (a conditional UPDATE, so a task is claimed
// once even with several runners), holds a renewed lease while a task runs, and sends the task
// to its agent's model: production tasks through the gateway path (Shield scans, routing,
// traffic record), sandbox tasks to the simulated model. It honours each agent's constraints:
// max_tokens, timeout (the upstream call is aborted), max cost, and concurrency.
// Tasks survive restarts: on a clean stop, running tasks are failed or requeued per the agent's
// restart policy; after a crash, the same happens once their lease lapses. Each retry is a
// visible transition and counts as an attempt, so nothing runs twice silently.
import { randomBytes } from "node:crypto";
import { AppError } from "../../errors.ts";
import { type AgentStore, toAgent } from "../agents/agent-store.ts";
import { type FileStore, toFile } from "../files/file-store.ts";
import type { FileStorage } from "../files/storage.ts";
import { newId } from "../../store/ids.ts";
import { parseJsonArray, parseJsonObject } from "../shared/json.ts";
import type { FleetAgentsTable, FleetTasksTable } from "../tables.ts";
import { readFileText } from "./file-text.ts";
import { type ModelAnswer, TaskBlockedError, type TaskModel } from "./model.ts";
import { buildMessages } from "./prompt.ts";
import type { TaskEvents } from "./task-events.ts";
import { TaskFailure, TaskOutcomes } from "./task-outcomes.ts";
import type { TaskStore } from "./task-store.ts";
import type { RecordedCosts } from "./recorded-cost.ts";

export interface RunnerLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface TaskRunnerOptions {
  concurrency: number;
  pollIntervalMs: number;
  leaseSeconds: number;
  defaultTimeoutSeconds: number;
  maxFileChars: number;
  /** How long to wait for the gateway's traffic record (and its price) after an answer. */
  costWaitMs: number;
}

export interface TaskRunnerDeps {
  tasks: TaskStore;
  agents: AgentStore;
  files: FileStore;
  storage: FileStorage;
  events: TaskEvents;
  production: TaskModel;
  sandbox: TaskModel;
  /** The gateway's recorded costs (production calls only). */
  costs?: RecordedCosts | undefined;
  options: TaskRunnerOptions;
  log: RunnerLog;
}

interface Running {
  controller: AbortController;
  agentId: string;
  done: Promise<void>;
}

const iso = (ms = Date.now()) => new Date(ms).toISOString();
const WAKE_COALESCE_MS = 2;

export class TaskRunner {
  readonly #deps: TaskRunnerDeps;
  readonly #outcomes: TaskOutcomes;
  /** Identifies this process's leases. */
  readonly owner = `runner_${randomBytes(8).toString("hex")}`;
  readonly #running = new Map<string, Running>();
  #timers: NodeJS.Timeout[] = [];
  #wakeTimer: NodeJS.Timeout | undefined;
  #tickDone: Promise<void> = Promise.resolve();
  #ticking = false;
  #again = false;
  #started = false;
  #closing = false;

  constructor(deps: TaskRunnerDeps) {
    this.#deps = deps;
    this.#outcomes = new TaskOutcomes(deps.tasks, deps.agents, deps.events);
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const { pollIntervalMs, leaseSeconds } = this.#deps.options;
    await this.#recoverLapsed();
    this.#timers.push(setInterval(() => this.wake(), pollIntervalMs));
    this.#timers.push(setInterval(() => void this.#renewLeases(), (leaseSeconds * 1000) / 3));
    this.#timers.push(setInterval(() => void this.#recoverLapsed(), (leaseSeconds * 1000) / 2));
    for (const t of this.#timers) t.unref();
    this.wake();
  }

  /**
   * Looks for work soon (called on each new task and whenever a slot frees). Wakes within a
   * couple of milliseconds are coalesced into one pass, so a burst of submissions costs one
   * queue query, not one each.
   */
  wake(): void {
    if (!this.#started || this.#closing || this.#wakeTimer) return;
    this.#wakeTimer = setTimeout(() => {
      this.#wakeTimer = undefined;
      this.#schedule();
    }, WAKE_COALESCE_MS);
  }

  #schedule(): void {
    if (this.#closing) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    this.#ticking = true;
    this.#tickDone = this.#tick()
      .catch((err: unknown) => this.#deps.log.error({ err }, "task runner: scheduling failed"))
      .finally(() => {
        this.#ticking = false;
        if (this.#again) {
          this.#again = false;
          this.wake();
        }
      });
  }

  /** Aborts a task running here (after a cancel has already moved it out of running). */
  abort(taskId: string, reason: string): void {
    this.#running.get(taskId)?.controller.abort(reason);
  }

  /** Stops taking work; running tasks are failed or requeued per their agent's restart policy. */
  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#wakeTimer);
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    // A pass in flight may still be claiming a task: let it finish so that task is handled too.
    await this.#tickDone;
    const running = [...this.#running.entries()];
    for (const [id, entry] of running) {
      const row = await this.#deps.tasks.getRowById(id);
      if (row?.state === "running" && row.lease_owner === this.owner) await this.#outcomes.interrupt(row, "ClawNex stopped while the task was running");
      entry.controller.abort("shutdown");
    }
    await Promise.allSettled(running.map(([, entry]) => entry.done));
  }

  async #tick(): Promise<void> {
    // Each pass claims what it can; passes repeat while they make progress and slots are free.
    while (!this.#closing && this.#running.size < this.#deps.options.concurrency) {
      if ((await this.#pass()) === 0) return;
    }
  }

  /** Agents with no free slot, from the running tasks in the database (every runner's). */
  async #saturated(): Promise<string[]> {
    const rows = await this.#deps.tasks.runningByAgent();
    return rows.filter((r) => r.running >= (Number(parseJsonObject(r.constraints).concurrency) || 1)).map((r) => r.agent_id);
  }

  async #pass(): Promise<number> {
    const { concurrency } = this.#deps.options;
    const candidates = await this.#deps.tasks.runnable(Math.max(20, (concurrency - this.#running.size) * 4), await this.#saturated());
    const agents = new Map<string, FleetAgentsTable | undefined>();
    let progress = 0;
    for (const row of candidates) {
      if (this.#closing || this.#running.size >= concurrency) return progress;
      if (!agents.has(row.agent_id)) agents.set(row.agent_id, await this.#deps.agents.getById(row.agent_id));
      const agent = agents.get(row.agent_id);
      if (!agent || agent.deleted_at !== null) {
        const at = iso();
        const failed = await this.#deps.tasks.transition(row.id, ["pending"], "failed", at, "the agent was deleted", { finished_at: at, error_code: "agent_unavailable", error_message: `agent '${row.agent_id}' no longer exists` });
        if (failed) await this.#deps.events.emitRow("task.failed", failed, at);
        progress++;
        continue;
      }
      if (agent.status !== "active") continue;
      const limit = toAgent(agent).constraints.concurrency;
      const here = [...this.#running.values()].filter((r) => r.agentId === agent.id).length;
      if (here >= limit || (await this.#deps.tasks.runningCount(agent.id)) >= limit) continue;
      const at = iso();
      const leaseUntil = iso(Date.now() + this.#deps.options.leaseSeconds * 1000);
      const attempt = Number(row.attempts) + 1;
      const claimed = await this.#deps.tasks.transition(row.id, ["pending"], "running", at, attempt > 1 ? `started (attempt ${attempt})` : "started", {
        started_at: at,
        attempts: attempt,
        lease_owner: this.owner,
        lease_expires_at: leaseUntil,
      });
      if (!claimed) continue; // cancelled, or claimed by another runner
      progress++;
      this.#launch(claimed, agent);
    }
    return progress;
  }

  #launch(row: FleetTasksTable, agent: FleetAgentsTable): void {
    const controller = new AbortController();
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    this.#running.set(row.id, { controller, agentId: agent.id, done });
    void this.#execute(row, agent, controller)
      .catch((err: unknown) => this.#deps.log.error({ err, taskId: row.id }, "task runner: task bookkeeping failed"))
      .finally(() => {
        this.#running.delete(row.id);
        resolveDone();
        this.wake();
      });
  }

  async #execute(row: FleetTasksTable, agentRow: FleetAgentsTable, controller: AbortController): Promise<void> {
    await this.#deps.events.emitRow("task.started", row, row.started_at ?? iso());
    const agent = toAgent(agentRow);
    const sandbox = Number(row.sandbox) === 1;
    const timeoutSeconds = agent.constraints.timeout_seconds ?? this.#deps.options.defaultTimeoutSeconds;
    const timeout = AbortSignal.timeout(timeoutSeconds * 1000);
    const signal = AbortSignal.any([controller.signal, timeout]);
    let answer: ModelAnswer;
    const costWatch = sandbox ? undefined : this.#deps.costs?.watch(row.id);
    try {
      const messages = buildMessages(row.instructions, await this.#fileTexts(row));
      const body = { model: agent.model, messages, ...(agent.constraints.max_tokens !== null ? { max_tokens: agent.constraints.max_tokens } : {}) };
      const ctx = { workspace: row.workspace, keyId: row.key_id, source: sandbox ? "sandbox.task" : "task", agentId: agent.id, taskId: row.id };
      answer = await (sandbox ? this.#deps.sandbox : this.#deps.production).complete({ body, ctx }, signal);
      signal.throwIfAborted();
      if (answer.costUsd === null && costWatch) answer = { ...answer, costUsd: await costWatch.cost(this.#deps.options.costWaitMs) };
    } catch (err) {
      // Cancelled or shutting down: whoever aborted has already recorded the new state.
      if (controller.signal.aborted) return;
      if (timeout.aborted) return this.#outcomes.fail(row.id, new TaskFailure("timeout", `timed out after ${timeoutSeconds} s (agent timeout); the model call was aborted`));
      if (err instanceof TaskBlockedError) return this.#outcomes.fail(row.id, new TaskFailure("blocked", `${err.message}`, err.scanId));
      if (err instanceof TaskFailure) return this.#outcomes.fail(row.id, err);
      if (err instanceof AppError) return this.#outcomes.fail(row.id, new TaskFailure("upstream_error", `model call failed (${err.code}): ${err.message}`));
      this.#deps.log.error({ err, taskId: row.id }, "task runner: model call failed");
      return this.#outcomes.fail(row.id, new TaskFailure("upstream_error", "model call failed; see the server log for the request"));
    } finally {
      costWatch?.stop();
    }
    await this.#finish(row, agent.constraints.max_cost_usd, answer);
  }

  async #fileTexts(row: FleetTasksTable) {
    const ids = parseJsonArray(row.file_ids);
    const space = { workspace: row.workspace, sandbox: Number(row.sandbox) === 1 };
    const rows = await this.#deps.files.getMany(space, ids);
    return Promise.all(
      ids.map(async (id) => {
        const fileRow = rows.find((r) => r.id === id);
        if (!fileRow) throw new TaskFailure("file_unavailable", `attached file '${id}' no longer exists`);
        const file = toFile(fileRow);
        if (file.scan_status === "quarantined") throw new TaskFailure("file_unavailable", `attached file '${id}' is quarantined`);
        return readFileText(this.#deps.storage, file, this.#deps.options.maxFileChars);
      }),
    );
  }

  async #finish(row: FleetTasksTable, maxCost: number | null, answer: ModelAnswer): Promise<void> {
    const at = iso();
    const current = await this.#deps.tasks.getRowById(row.id);
    if (current?.state !== "running" || current.lease_owner !== this.owner) return;
    await this.#deps.tasks.addOutput({ id: newId("out").id, task_id: row.id, kind: "text", content_type: "text/plain", content: answer.content, created_at: at });
    await this.#deps.events.emitRow("task.output_received", current, at);
    const usage = {
      model: answer.model,
      prompt_tokens: answer.usage?.prompt_tokens ?? null,
      completion_tokens: answer.usage?.completion_tokens ?? null,
      total_tokens: answer.usage?.total_tokens ?? null,
      cost_usd: answer.costUsd,
    };
    if (maxCost !== null && answer.costUsd !== null && answer.costUsd > maxCost) {
      return this.#outcomes.fail(row.id, new TaskFailure("cost_exceeded", `the call cost ${answer.costUsd} USD, above the agent's max_cost_usd of ${maxCost}`), usage);
    }
    const done = await this.#deps.tasks.transition(row.id, ["running"], "completed", at, "completed", { ...usage, finished_at: at, lease_owner: null, lease_expires_at: null });
    if (done) await this.#deps.events.emitRow("task.completed", done, at);
  }

  async #recoverLapsed(): Promise<void> {
    try {
      for (const row of await this.#deps.tasks.lapsed(iso())) {
        if (this.#running.has(row.id)) continue;
        await this.#outcomes.interrupt(row, "the runner executing it stopped (its lease lapsed)");
      }
      this.wake();
    } catch (err) {
      this.#deps.log.error({ err }, "task runner: recovering interrupted tasks failed");
    }
  }

  async #renewLeases(): Promise<void> {
    const ids = [...this.#running.keys()];
    if (ids.length === 0) return;
    try {
      const kept = await this.#deps.tasks.renewLeases(this.owner, ids, iso(Date.now() + this.#deps.options.leaseSeconds * 1000));
      // A task whose lease another runner took over (we stalled past it) must stop here.
      for (const id of ids) if (!kept.includes(id)) this.abort(id, "lease lost");
    } catch (err) {
      this.#deps.log.warn({ err }, "task runner: lease renewal failed");
    }
  }
}
