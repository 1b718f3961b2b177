// Finds the transcripts in an OpenClaw state dir, for both layouts OpenClaw has used:
//   - SQLite (since 2026.7.2): agents/<agentId>/agent/openclaw-agent.sqlite, table transcript_events;
//   - JSONL (before, and archives after): agents/<agentId>/sessions/<sessionId>.jsonl with the
//     sessions.json index, and rotated archives <sessionId>.jsonl.reset.<ts> /
//     <sessionId>.jsonl.deleted.<ts> (optionally .zst-compressed).
// Legacy compaction checkpoint copies (*.checkpoint.*.jsonl) duplicate their session and are
// skipped; cold archives (sessions/cold/*.jsonl.zst) are not read (see the module README section).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export interface JsonlSessionFile {
  sessionId: string;
  path: string;
  /** live: <id>.jsonl; reset/deleted: an archive OpenClaw rotated the session into. */
  kind: "live" | "reset" | "deleted";
  compressed: boolean;
  mtimeMs: number;
  size: number;
}

export interface AgentSources {
  agentId: string;
  dir: string;
  sqlitePath: string | null;
  /** One file per session: the live file when it exists, else the newest archive. */
  jsonl: JsonlSessionFile[];
  /** sessionId → sessionKey from the legacy sessions.json index. */
  sessionKeys: Map<string, string>;
}

const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const CHECKPOINT = /\.checkpoint\..+\.jsonl$/;
const LIVE = /^(.+)\.jsonl$/;
const ARCHIVE = /^(.+)\.jsonl\.(reset|deleted)\.(.+?)(\.zst)?$/;

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function parseSessionFile(dir: string, name: string): JsonlSessionFile | null {
  if (CHECKPOINT.test(name)) return null;
  let match = ARCHIVE.exec(name);
  let sessionId: string | undefined;
  let kind: JsonlSessionFile["kind"] = "live";
  let compressed = false;
  if (match) {
    sessionId = match[1];
    kind = match[2] === "reset" ? "reset" : "deleted";
    compressed = match[4] === ".zst";
  } else {
    match = LIVE.exec(name);
    sessionId = match?.[1];
  }
  if (!sessionId) return null;
  const path = join(dir, name);
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return null;
    return { sessionId, path, kind, compressed, mtimeMs: stat.mtimeMs, size: stat.size };
  } catch {
    return null;
  }
}

/** sessions.json maps sessionKey → SessionEntry; only sessionId is needed here. */
function readSessionIndex(path: string): Map<string, string> {
  const keys = new Map<string, string>();
  try {
    if (statSync(path).size > 64 * 1024 * 1024) return keys;
    const index: unknown = JSON.parse(readFileSync(path, "utf8"));
    if (typeof index !== "object" || index === null) return keys;
    for (const [sessionKey, entry] of Object.entries(index as Record<string, unknown>)) {
      const sessionId = typeof entry === "object" && entry !== null ? (entry as { sessionId?: unknown }).sessionId : undefined;
      if (typeof sessionId === "string") keys.set(sessionId, sessionKey);
    }
  } catch {
    // A missing or half-written index only costs the session keys.
  }
  return keys;
}

function pickPerSession(files: JsonlSessionFile[]): JsonlSessionFile[] {
  const bySession = new Map<string, JsonlSessionFile>();
  for (const file of files) {
    const current = bySession.get(file.sessionId);
    const better = !current || (current.kind !== "live" && (file.kind === "live" || file.mtimeMs > current.mtimeMs));
    if (better) bySession.set(file.sessionId, file);
  }
  return [...bySession.values()].sort((a, b) => a.mtimeMs - b.mtimeMs || a.sessionId.localeCompare(b.sessionId));
}

export function listAgentIds(stateDir: string): string[] {
  return safeReaddir(join(stateDir, "agents"))
    .filter((name) => AGENT_ID.test(name))
    .filter((name) => {
      try {
        return statSync(join(stateDir, "agents", name)).isDirectory();
      } catch {
        return false;
      }
    })
    .sort();
}

export function discoverAgent(stateDir: string, agentId: string): AgentSources {
  const dir = join(stateDir, "agents", agentId);
  const sqlite = join(dir, "agent", "openclaw-agent.sqlite");
  const sessionsDir = join(dir, "sessions");
  const files = safeReaddir(sessionsDir)
    .map((name) => parseSessionFile(sessionsDir, name))
    .filter((f): f is JsonlSessionFile => f !== null);
  return {
    agentId,
    dir,
    sqlitePath: existsSync(sqlite) ? sqlite : null,
    jsonl: pickPerSession(files),
    sessionKeys: readSessionIndex(join(sessionsDir, "sessions.json")),
  };
}

export function discoverStateDir(stateDir: string): AgentSources[] {
  return listAgentIds(stateDir).map((agentId) => discoverAgent(stateDir, agentId));
}
