// Reads OpenClaw's DM pairing allowlists (senders an owner approved), from both places OpenClaw
// 2026.9.6 keeps them: the shared state database (state/openclaw.sqlite, table
// channel_pairing_allow_entries) and the legacy files credentials/<channel>-allowFrom.json and
// credentials/<channel>-<account>-allowFrom.json (an array, or {allowFrom: [...]}), which Doctor
// imports. Like OpenClaw, a "*" in the pairing store grants nothing and is dropped.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { openReadOnly, tableNames } from "../sqlite-readonly.ts";

export interface PairingAllowlist {
  channel: string;
  accountId: string;
  entries: string[];
  source: string;
}

const SUFFIX = "-allowFrom.json";
/** Channels that declare pairing in OpenClaw 2026.9.6 (docs/channels/pairing.md). */
const KNOWN_CHANNELS = ["discord", "feishu", "googlechat", "imessage", "irc", "line", "matrix", "mattermost", "msteams", "nextcloud-talk", "nostr", "signal", "slack", "sms", "synology-chat", "telegram", "twitch", "whatsapp", "zalo", "zalouser"];

function clean(values: unknown[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === "string").map((v) => v.trim()).filter((v) => v !== "" && v !== "*"))];
}

function fileTarget(stem: string, channels: string[]): { channel: string; accountId: string } {
  if (channels.includes(stem)) return { channel: stem, accountId: "default" };
  const channel = [...channels].sort((a, b) => b.length - a.length).find((c) => stem.startsWith(`${c}-`));
  return channel ? { channel, accountId: stem.slice(channel.length + 1) } : { channel: stem, accountId: "default" };
}

export function readPairingAllowlists(stateDir: string, configuredChannels: string[] = []): { lists: PairingAllowlist[]; problems: string[] } {
  const lists: PairingAllowlist[] = [];
  const problems: string[] = [];
  const channels = [...new Set([...KNOWN_CHANNELS, ...configuredChannels])];
  const dir = join(stateDir, "credentials");
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(SUFFIX));
  } catch {
    names = [];
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      if (statSync(path).size > 4 * 1024 * 1024) throw new Error("larger than 4 MB");
      const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
      const values = Array.isArray(parsed) ? parsed : typeof parsed === "object" && parsed !== null && Array.isArray((parsed as { allowFrom?: unknown }).allowFrom) ? (parsed as { allowFrom: unknown[] }).allowFrom : null;
      if (!values) throw new Error("neither an array nor {allowFrom: [...]}");
      lists.push({ ...fileTarget(name.slice(0, -SUFFIX.length), channels), entries: clean(values), source: path });
    } catch (err) {
      problems.push(`${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const dbPath = join(stateDir, "state", "openclaw.sqlite");
  if (existsSync(dbPath)) {
    try {
      const db = openReadOnly(dbPath);
      try {
        if (tableNames(db).has("channel_pairing_allow_entries")) {
          const rows = db.prepare("SELECT channel_key, account_id, entry FROM channel_pairing_allow_entries ORDER BY channel_key, account_id, sort_order").all() as Array<{ channel_key: string; account_id: string; entry: string }>;
          const grouped = new Map<string, PairingAllowlist>();
          for (const row of rows) {
            const key = `${row.channel_key}\u0000${row.account_id}`;
            const list = grouped.get(key) ?? { channel: row.channel_key, accountId: row.account_id || "default", entries: [], source: `${dbPath}#channel_pairing_allow_entries` };
            list.entries.push(row.entry);
            grouped.set(key, list);
          }
          for (const list of grouped.values()) lists.push({ ...list, entries: clean(list.entries) });
        }
      } finally {
        db.close();
      }
    } catch (err) {
      problems.push(`${dbPath}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { lists, problems };
}

/** Approved senders for one channel account (the default account also honours the legacy unscoped file). */
export function pairedSenders(lists: PairingAllowlist[], channel: string, accountId: string): string[] {
  return [...new Set(lists.filter((l) => l.channel === channel && l.accountId === accountId).flatMap((l) => l.entries))];
}
