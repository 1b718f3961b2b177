// The SOC's processing loop. Producers submit events; they are queued and processed in batches:
// the correlator (in memory) decides first, then one store transaction — holding the audit write
// lock, so alert and incident numbers follow commit order — stores the events, raises or folds
// alerts, writes incidents and their audit records. Only after the commit are `alert.created` and
// `incident.created` emitted and the submitters answered. Under load, events that arrive while a
// batch is being written share the next transaction, which is what keeps throughput high.
import type { Kysely } from "kysely";
import type { EventBus } from "../../app/events.ts";
import type { AppendFn, AuditLog } from "../../audit/audit-log.ts";
import type { Database } from "../../store/schema.ts";
import { AlertBatch, type AlertEngine, SeqAllocator } from "../alerts/alert-engine.ts";
import type { Alert } from "../alerts/alert-types.ts";
import { type CorrelationAction, type Correlator, newIncidentId } from "../correlation/correlator.ts";
import type { Incident } from "../incidents/incident-types.ts";
import { writeIncident } from "../incidents/incident-writer.ts";
import { findingToEvent, type FindingInput, type IngestResult, type SocIngest } from "../ingest.ts";
import type { SocEvent, SocEventInput } from "../model.ts";
import type { SocKnownToolsTable } from "../tables.ts";
import { eventToRow, normalizeEvent } from "./normalize.ts";
import type { ToolTracker } from "./tools.ts";

export interface PipelineDeps {
  db: Kysely<Database>;
  audit: AuditLog;
  alerts: AlertEngine;
  correlator: Correlator;
  tools: ToolTracker;
  bus: EventBus;
  clock: () => Date;
  batchSize: number;
  onError(err: unknown): void;
  /** Told about every committed batch (metrics). */
  onCommitted?(summary: { events: SocEvent[]; created: Alert[]; incidents: Incident[] }): void;
}

interface Pending {
  input: SocEventInput;
  resolve(result: IngestResult): void;
  reject(err: unknown): void;
}

/** A hook run first inside a batch's transaction; returning false drops the batch (someone else took it). */
export type BatchGuard = (trx: Kysely<Database>) => Promise<boolean>;

interface Outcome {
  events: SocEvent[];
  /** Input index → [own event, derived events...] */
  owners: SocEvent[][];
  knownTools: SocKnownToolsTable[];
  actions: CorrelationAction[];
}

/** Events waiting at most; beyond it new ones are refused. */
const MAX_QUEUE = 100_000;

export class SocPipeline implements SocIngest {
  readonly #deps: PipelineDeps;
  #queue: Pending[] = [];
  #running: Promise<void> | undefined;
  #scheduled = false;
  #closed = false;
  processed = 0;
  dropped = 0;

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
  }

  get depth(): number {
    return this.#queue.length;
  }

  ingestEvent(input: SocEventInput): Promise<IngestResult> {
    if (this.#closed) return Promise.reject(new Error("the SOC pipeline is closed"));
    if (this.#queue.length >= MAX_QUEUE) {
      // The store cannot keep up: shed load rather than grow without bound (counted in metrics).
      this.dropped++;
      return Promise.reject(new Error("the SOC event queue is full"));
    }
    return new Promise<IngestResult>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      if (this.#queue.length >= this.#deps.batchSize) void this.#drain();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          void this.#drain();
        });
      }
    });
  }

  ingestFinding(finding: FindingInput): Promise<IngestResult> {
    return this.ingestEvent(findingToEvent(finding));
  }

  /** Processes `inputs` as one batch of their own, with `guard` run first in its transaction. */
  async ingestGuarded(inputs: SocEventInput[], guard: BatchGuard): Promise<IngestResult[] | null> {
    await this.flush();
    let accepted = true;
    const results: IngestResult[] = [];
    const pending: Pending[] = inputs.map((input) => ({ input, resolve: (r: IngestResult) => void results.push(r), reject: () => {} }));
    // flush() returned with nothing running and nothing queued: take the slot before anything else.
    await this.#run(() =>
      this.#process(pending, async (trx) => {
        accepted = await guard(trx);
        return accepted;
      }),
    );
    return accepted ? results : null;
  }

  /** Waits until everything submitted so far has been processed. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#running) await (this.#running ?? this.#drain());
  }

  /** flush(), but gives up waiting after `ms` (a reader under load sees slightly older data instead of stalling). */
  async settle(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.flush(), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  #drain(): Promise<void> {
    return (
      this.#running ??
      this.#run(async () => {
        while (this.#queue.length > 0) await this.#process(this.#queue.splice(0, this.#deps.batchSize));
      })
    );
  }

  /** Runs `work` as the only batch in flight; whatever was queued meanwhile is drained after it. */
  #run(work: () => Promise<void>): Promise<void> {
    const running = work().finally(() => {
      this.#running = undefined;
      if (this.#queue.length > 0) void this.#drain();
    });
    this.#running = running;
    return running;
  }

  #prepare(batch: Pending[]): Outcome {
    const now = this.#deps.clock();
    const outcome: Outcome = { events: [], owners: [], knownTools: [], actions: [] };
    for (const item of batch) {
      const own = normalizeEvent(item.input, now);
      const chain = [own];
      const tools = this.#deps.tools.observe(own);
      outcome.knownTools.push(...tools.rows);
      for (const derived of tools.derived) chain.push(normalizeEvent(derived, now));
      outcome.owners.push(chain);
      outcome.events.push(...chain);
    }
    for (const event of outcome.events) outcome.actions.push(...this.#deps.correlator.observe(event));
    return outcome;
  }

  async #process(batch: Pending[], guard?: BatchGuard): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = this.#prepare(batch);
    } catch (err) {
      for (const p of batch) p.reject(err);
      this.#deps.onError(err);
      return;
    }
    const reopenIds = outcome.actions.map(() => newIncidentId());
    const now = this.#deps.clock().toISOString();
    try {
      const written = await this.#deps.audit.transaction(async (trx, append) => {
        if (guard && !(await guard(trx))) return null;
        return this.#write(trx, append, outcome, reopenIds, now);
      });
      if (!written) return;
      for (const w of written.incidents) if (w.rebound) this.#deps.correlator.rebind(w.rebound.from, w.rebound.to);
      const created = written.alerts.filter((c) => c.created).map((c) => c.alert);
      const opened = written.incidents.filter((w) => w.created).map((w) => w.incident);
      for (const alert of created) await this.#deps.bus.emit("alert.created", { workspace: alert.workspace, data: { ...alert }, occurredAt: alert.created_at });
      for (const incident of opened) await this.#deps.bus.emit("incident.created", { workspace: incident.workspace, data: { ...incident }, occurredAt: incident.created_at });
      this.processed += outcome.events.length;
      this.#deps.onCommitted?.({ events: outcome.events, created, incidents: opened });
      const alertsByEvent = new Map<string, Set<string>>();
      const incidentsByEvent = new Map<string, Set<string>>();
      const index = (map: Map<string, Set<string>>, eventIds: string[], id: string) => {
        for (const e of eventIds) map.set(e, (map.get(e) ?? new Set()).add(id));
      };
      for (const c of written.alerts) index(alertsByEvent, c.eventIds, c.alert.id);
      for (const w of written.incidents) index(incidentsByEvent, w.eventIds, w.incident.id);
      batch.forEach((p, i) => {
        const chain = outcome.owners[i] ?? [];
        p.resolve({
          eventId: chain[0]?.id ?? "",
          alertIds: [...new Set(chain.flatMap((e) => [...(alertsByEvent.get(e.id) ?? [])]))],
          incidentIds: [...new Set(chain.flatMap((e) => [...(incidentsByEvent.get(e.id) ?? [])]))],
        });
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
      this.#deps.onError(err);
    }
  }

  async #write(trx: Kysely<Database>, append: AppendFn, outcome: Outcome, reopenIds: string[], now: string) {
    const rows = outcome.events.map(eventToRow);
    for (let i = 0; i < rows.length; i += 100) await trx.insertInto("soc_events").values(rows.slice(i, i + 100)).execute();
    if (outcome.knownTools.length > 0) {
      await trx
        .insertInto("soc_known_tools")
        .values(outcome.knownTools)
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    const alertBatch = new AlertBatch();
    const incidentSeq = new SeqAllocator("soc_incidents");
    const alerts: Array<{ alert: Alert; created: boolean; eventIds: string[] }> = [];
    for (const event of outcome.events) {
      for (const change of await this.#deps.alerts.apply(trx, append, event, alertBatch)) alerts.push({ ...change, eventIds: [event.id] });
    }
    await alertBatch.finish(trx);
    const incidents = [];
    for (const [i, action] of outcome.actions.entries()) {
      const w = await writeIncident(trx, append, action, incidentSeq, now, reopenIds[i] ?? newIncidentId());
      incidents.push({ ...w, eventIds: action.added.map((t) => t.event.id) });
    }
    return { alerts, incidents };
  }
}
