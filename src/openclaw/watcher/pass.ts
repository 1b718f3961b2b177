// One pass of the session watcher over one instance's state dir: read every transcript from its
// checkpoint, scan what OpenClaw stored, commit counters, model calls and checkpoints together,
// and record what the Shield flagged. Work is sliced: after `sliceMs` of synchronous reading and
// scanning the pass yields to the event loop, so a first run over months of history never
// stalls the HTTP server that hosts it.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { WatcherConfig } from "../config-schema.ts";
import { discoverStateDir, type JsonlSessionFile } from "../transcripts/discover.ts";
import { JsonlReader } from "../transcripts/jsonl-reader.ts";
import { AgentTranscriptDb } from "../transcripts/sqlite-reader.ts";
import { BatchBuilder, type SessionContext } from "./batch-builder.ts";
import { type DetectionRecorder, type DetectionReport, recordFlagged } from "./detections.ts";
import type { Evaluator } from "./scan-pool.ts";
import type { Cursor, WatchStore } from "./watch-store.ts";

export interface WatchTarget {
  instanceId: string;
  instanceName: string;
  workspace: string;
  stateDir: string;
}

export interface PassSummary {
  instance: string;
  stateDir: string;
  agents: number;
  sessions: number;
  eventsRead: number;
  eventsSkipped: number;
  skipped: { malformed: number; oversized: number; undecodable: number; unknownTypes: number };
  partialLines: number;
  truncations: number;
  modelCalls: number;
  failedCalls: number;
  tokens: { input: number; output: number; total: number };
  costUsd: number;
  detections: DetectionReport[];
  detectionsTruncated: boolean;
  errors: string[];
  durationMs: number;
}

export interface PassDeps {
  store: WatchStore;
  recorder: DetectionRecorder;
  options: WatcherConfig;
  /** Checked between slices: a stopping server ends the pass early (its progress is committed). */
  stopped?: () => boolean;
  /** Compressed archives read to the end ("size:mtime" by path): not decompressed again. */
  archivesDone?: Map<string, string>;
  /** Scans in time slices on the main thread. */
  inline: Evaluator;
  /** Worker threads, for passes with a large backlog (null: always inline). */
  pool?: (() => Evaluator) | null | undefined;
}

/** Events buffered before a commit: small enough to keep write transactions short. */
const COMMIT_EVERY = 500;
const MAX_REPORTED_DETECTIONS = 10_000;

export class WatchPass {
  readonly #target: WatchTarget;
  readonly #deps: PassDeps;
  readonly #builder: BatchBuilder;
  readonly #summary: PassSummary;
  #cursors = new Map<string, Cursor>();
  #sliceStart = performance.now();

  constructor(target: WatchTarget, deps: PassDeps) {
    this.#target = target;
    this.#deps = deps;
    this.#builder = new BatchBuilder({ scanToolCalls: deps.options.scanToolCalls, maxScanChars: deps.options.maxScanChars });
    this.#summary = {
      instance: target.instanceName, stateDir: target.stateDir, agents: 0, sessions: 0, eventsRead: 0, eventsSkipped: 0,
      skipped: { malformed: 0, oversized: 0, undecodable: 0, unknownTypes: 0 }, partialLines: 0, truncations: 0,
      modelCalls: 0, failedCalls: 0, tokens: { input: 0, output: 0, total: 0 }, costUsd: 0, detections: [], detectionsTruncated: false, errors: [], durationMs: 0,
    };
  }

  async run(): Promise<PassSummary> {
    const started = performance.now();
    this.#cursors = await this.#deps.store.loadCursors(this.#target.instanceId);
    if (!existsSync(join(this.#target.stateDir, "agents"))) this.#summary.errors.push(`${this.#target.stateDir}: no agents/ folder (not an OpenClaw state dir, or nothing run yet)`);
    const agents = discoverStateDir(this.#target.stateDir);
    this.#summary.agents = agents.length;
    for (const agent of agents) {
      if (this.#stopping()) break;
      if (agent.sqlitePath) await this.#guard(`${agent.agentId}: transcript database`, () => this.#readDatabase(agent.agentId, agent.sqlitePath as string));
      for (const file of agent.jsonl) {
        if (this.#stopping()) break;
        await this.#guard(`${agent.agentId}: ${file.path}`, () => this.#readJsonl(agent.agentId, file, agent.sessionKeys.get(file.sessionId) ?? null));
      }
      // An agent directory counts as present even before it has a transcript.
      if (!this.#builder.batch.agents.has(agent.agentId)) this.#builder.batch.agents.set(agent.agentId, null);
    }
    await this.#commit();
    const t = this.#builder.totals;
    Object.assign(this.#summary, {
      eventsRead: t.eventsRead, eventsSkipped: t.eventsSkipped, modelCalls: t.modelCalls, failedCalls: t.failedCalls,
      skipped: { malformed: t.malformed, oversized: t.oversized, undecodable: t.undecodable, unknownTypes: t.unknownTypes },
      tokens: { input: t.inputTokens, output: t.outputTokens, total: t.totalTokens }, costUsd: Math.round(t.costUsd * 1e6) / 1e6,
      durationMs: Math.round(performance.now() - started),
    });
    return this.#summary;
  }

  #stopping(): boolean {
    return this.#deps.stopped?.() ?? false;
  }

  async #guard(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      // One unreadable source never stops the others; it is reported in the summary.
      this.#summary.errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** After each read: commit when the batch is large, yield when the slice is used up. */
  async #checkpoint(): Promise<void> {
    if (this.#builder.events >= COMMIT_EVERY) await this.#commit();
    await this.#maybeYield();
  }

  /** Inline until the pass has scanned `workerThreshold` texts; then the worker pool, if any. */
  #evaluator(): Evaluator {
    const pool = this.#deps.pool;
    return pool && this.#builder.scanned + this.#builder.pending.length >= this.#deps.options.workerThreshold ? pool() : this.#deps.inline;
  }

  /** Checked after every event: scanning one can take a while, so slices are cut per event. */
  async #maybeYield(): Promise<void> {
    if (performance.now() - this.#sliceStart < this.#deps.options.sliceMs) return;
    await yieldToLoop();
    this.#sliceStart = performance.now();
  }

  async #commit(): Promise<void> {
    const batch = this.#builder.batch;
    if (batch.cursors.length === 0 && batch.sessions.length === 0 && batch.agents.size === 0) return;
    await this.#builder.resolveScans(this.#evaluator());
    const reports = await recordFlagged(this.#target, this.#builder.flagged, this.#deps.store, this.#deps.recorder, batch.sessions);
    for (const report of reports) {
      if (this.#summary.detections.length < MAX_REPORTED_DETECTIONS) this.#summary.detections.push(report);
      else this.#summary.detectionsTruncated = true;
    }
    await this.#deps.store.commit(this.#target.instanceId, this.#target.workspace, batch);
    this.#builder.reset();
    this.#sliceStart = performance.now();
  }

  #setCursor(cursor: Cursor): void {
    this.#cursors.set(cursor.sourceKey, cursor);
    const pending = this.#builder.batch.cursors;
    const last = pending.at(-1);
    if (last?.sourceKey === cursor.sourceKey) pending[pending.length - 1] = cursor;
    else {
      const at = pending.findIndex((c) => c.sourceKey === cursor.sourceKey);
      if (at >= 0) pending[at] = cursor;
      else pending.push(cursor);
    }
  }

  async #readDatabase(agentId: string, path: string): Promise<void> {
    const db = new AgentTranscriptDb(path);
    try {
      for (const head of db.sessions()) {
        if (this.#stopping()) return;
        const sourceKey = `sqlite:${agentId}:${head.sessionId}`;
        const cursor = this.#cursors.get(sourceKey);
        let position = cursor?.position ?? -1;
        let recordedCalls: Set<string> | undefined;
        if (head.maxSeq < position) {
          // The session was rewritten below our checkpoint: read it again, without double counting.
          this.#summary.truncations++;
          position = -1;
          recordedCalls = await this.#deps.store.recordedCallIds(this.#target.instanceId, head.sessionId);
        }
        if (head.maxSeq <= position) continue;
        this.#summary.sessions++;
        const ctx: SessionContext = { agentId, sessionId: head.sessionId, layout: "sqlite", sessionKey: head.sessionKey, recordedCalls };
        let eventsRead = cursor?.eventsRead ?? 0;
        while (position < head.maxSeq && !this.#stopping()) {
          const rows = db.readEvents(head.sessionId, position, this.#deps.options.batchSize, this.#deps.options.maxEventBytes);
          if (rows.length === 0) break;
          for (const row of rows) {
            if (row.kind === "event") this.#builder.add(ctx, row.text);
            else this.#builder.skip(ctx, row.kind);
            position = row.seq;
            eventsRead++;
            this.#setCursor({ sourceKey, agentId, sessionId: head.sessionId, layout: "sqlite", path, position, fingerprint: null, eventsRead });
            await this.#maybeYield();
          }
          await this.#checkpoint();
        }
      }
    } finally {
      db.close();
    }
  }

  async #readJsonl(agentId: string, file: JsonlSessionFile, sessionKey: string | null): Promise<void> {
    const sourceKey = `jsonl:${agentId}:${file.sessionId}`;
    const cursor = this.#cursors.get(sourceKey);
    // Unchanged since the last pass: nothing to open.
    if (cursor && !file.compressed && cursor.path === file.path && cursor.position === file.size) return;
    const stamp = `${file.size}:${file.mtimeMs}`;
    if (file.compressed && cursor?.path === file.path && this.#deps.archivesDone?.get(file.path) === stamp) return;
    const reader = JsonlReader.open(file.path, file.compressed, { maxLineBytes: this.#deps.options.maxEventBytes, immutable: file.kind !== "live" });
    try {
      let offset = 0;
      let recordedCalls: Set<string> | undefined;
      if (cursor) {
        if (reader.matches(cursor.fingerprint) && reader.length >= cursor.position) offset = cursor.position;
        else {
          // Truncated or replaced: read from the start; recorded calls and scans are not repeated.
          this.#summary.truncations++;
          recordedCalls = await this.#deps.store.recordedCallIds(this.#target.instanceId, file.sessionId);
        }
      }
      if (offset >= reader.length && cursor?.path === file.path) {
        if (file.compressed) this.#deps.archivesDone?.set(file.path, stamp);
        return;
      }
      reader.seek(offset);
      this.#summary.sessions++;
      const fingerprint = reader.fingerprint();
      const ctx: SessionContext = { agentId, sessionId: file.sessionId, layout: "jsonl", sessionKey, recordedCalls };
      let eventsRead = recordedCalls ? 0 : (cursor?.eventsRead ?? 0);
      for (;;) {
        if (this.#stopping()) return;
        const batch = reader.read(this.#deps.options.batchSize);
        for (const item of batch.items) {
          if (item.kind === "line") this.#builder.add(ctx, item.text);
          else this.#builder.skip(ctx, "oversized");
          eventsRead++;
          this.#setCursor({ sourceKey, agentId, sessionId: file.sessionId, layout: "jsonl", path: file.path, position: item.end, fingerprint, eventsRead });
          await this.#maybeYield();
        }
        if (batch.partialTail) this.#summary.partialLines++;
        this.#setCursor({ sourceKey, agentId, sessionId: file.sessionId, layout: "jsonl", path: file.path, position: batch.offset, fingerprint, eventsRead });
        await this.#checkpoint();
        if (batch.eof) {
          if (file.compressed) this.#deps.archivesDone?.set(file.path, stamp);
          return;
        }
      }
    } finally {
      reader.close();
    }
  }
}
