import { isRecord } from "../../json-record.ts";
// OpenClaw prefixes channel-originated user turns with metadata blocks it generates itself
// (src/auto-reply/reply/inbound-meta.ts upstream). Two spellings exist:
//   - up to 2026.x: "Conversation info (untrusted metadata):" / "Sender (untrusted metadata):"
//     headers, each followed by a ```json fence;
//   - since the provenance marker (2026.9.x): "Conversation info: ⟦openclaw:ctx⟧" /
//     "Sender: ⟦openclaw:ctx⟧", same fenced JSON.
// Those two blocks are routing metadata, not what the sender wrote, so they are removed before the
// Shield sees the text; the sender they name is kept for attribution. Blocks that carry other
// people's words (replied message, thread starter, chat history, forwarded context) stay in the
// scanned text on purpose: that text reaches the model too.

export const INBOUND_CONTEXT_MARKER = "⟦openclaw:ctx⟧";

const METADATA_LABELS = ["Conversation info", "Sender"] as const;
const LEGACY_HEADERS = new Map<string, string>(METADATA_LABELS.map((label) => [`${label} (untrusted metadata):`, label]));
const MARKED_HEADERS = new Map<string, string>(METADATA_LABELS.map((label) => [`${label}: ${INBOUND_CONTEXT_MARKER}`, label]));
/** Envelope timestamp OpenClaw puts in front of a turn: "[Mon 2026-11-23 07:27 UTC] ". */
const LEADING_TIMESTAMP = /^\[[A-Za-z]{3} \d{4}-\d{2}-\d{2} \d{2}:\d{2}[^\]\n]*\] */;

export interface StrippedUserText {
  text: string;
  /** Who sent it, from the Sender block (label, name, username, e164, id) or Conversation info. */
  sender: string | null;
  senderId: string | null;
  /** Every sender-chosen string of the removed blocks (names, usernames, labels), for scanning. */
  senderText: string | null;
}

function headerLabel(line: string): string | undefined {
  const trimmed = line.trim();
  return LEGACY_HEADERS.get(trimmed) ?? MARKED_HEADERS.get(trimmed);
}

function firstString(...values: unknown[]): string | null {
  for (const value of values) if (typeof value === "string" && value.trim() !== "") return value.trim();
  return null;
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** Removes the Conversation info and Sender blocks; returns the remaining text and the sender. */
export function stripInboundMetadata(raw: string): StrippedUserText {
  if (!raw.includes("Conversation info") && !raw.includes("Sender")) return { text: raw, sender: null, senderId: null, senderText: null };
  const lines = raw.split("\n");
  const kept: string[] = [];
  const blocks = new Map<string, Record<string, unknown>>();
  let i = 0;
  while (i < lines.length) {
    const label = headerLabel(lines[i] ?? "");
    // A header counts only when a ```json fence follows and closes: user-typed look-alikes stay.
    if (label && (lines[i + 1] ?? "").trim() === "```json") {
      let end = i + 2;
      while (end < lines.length && (lines[end] ?? "").trim() !== "```") end++;
      if (end < lines.length) {
        const parsed = parseJsonObject(lines.slice(i + 2, end).join("\n"));
        if (parsed && !blocks.has(label)) blocks.set(label, parsed);
        i = end + 1;
        while (i < lines.length && (lines[i] ?? "").trim() === "") i++;
        continue;
      }
    }
    kept.push(lines[i] ?? "");
    i++;
  }
  const sender = blocks.get("Sender");
  const info = blocks.get("Conversation info");
  const infoSender = info?.sender;
  const senderName =
    firstString(sender?.label, sender?.name, sender?.username, sender?.e164, sender?.id) ??
    (typeof infoSender === "object" && infoSender !== null
      ? firstString((infoSender as Record<string, unknown>).name, (infoSender as Record<string, unknown>).id)
      : firstString(infoSender));
  const senderId = firstString(sender?.id, info?.sender_id);
  const text = kept.join("\n").replace(/^\n+/, "").replace(/\n+$/, "").replace(LEADING_TIMESTAMP, "");
  const chosen = new Set<string>();
  for (const block of [sender, info]) {
    for (const key of ["label", "name", "username", "tag", "sender", "conversation_label", "group_subject", "thread_label"]) {
      const value = block?.[key];
      if (typeof value === "string" && value.trim() !== "") chosen.add(value.trim());
    }
  }
  return { text, sender: senderName, senderId, senderText: chosen.size > 0 ? [...chosen].join("\n") : null };
}
