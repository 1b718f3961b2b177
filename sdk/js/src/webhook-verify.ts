// Verifies deliveries from ClawNex, in a receiver, with Web Crypto only (Node 20+ and browsers /
// edge runtimes). Two header styles arrive on every delivery:
//   Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature ("v1,<base64>" list);
//     HMAC-SHA256 of "<id>.<timestamp>.<raw body>" keyed with the base64 part of "whsec_...".
//     The timestamp is signed, so a replayed delivery older than the tolerance is refused.
//   X-ClawNex-Signature: "sha256=<hex>" HMAC-SHA256 of the raw body keyed with the whole secret
//     string. It carries no timestamp: it proves origin, not freshness (deduplicate on event id).
// During a secret rotation's overlap each header lists two signatures (new and old secret:
// webhook-signature space-separated, X-ClawNex-Signature comma-separated); one match suffices, so
// a receiver verifies with whichever of the two secrets it holds.
// Always verify the raw body bytes as received, before parsing JSON.
import { WebhookVerificationError } from "./errors.ts";

export interface WebhookEvent<D = Record<string, unknown>> {
  id: string;
  type: string;
  timestamp: string;
  workspace: string;
  sandbox: boolean;
  data: D;
}

export type HeaderBag = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** The raw request body, exactly as received. */
  payload: string | Uint8Array;
  headers: HeaderBag;
  /** The webhook's signing secret (whsec_...). */
  secret: string;
  /** Largest accepted distance between webhook-timestamp and now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** "now", for tests. */
  now?: Date;
}

const encoder = new TextEncoder();

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const bag = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(bag).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : bag[key];
  return Array.isArray(value) ? value[0] : value;
}

function bytesOf(payload: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return typeof payload === "string" ? encoder.encode(payload) : new Uint8Array(payload);
}

function base64ToBytes(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    const binary = atob(text);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

async function hmacKey(raw: Uint8Array<ArrayBuffer>) {
  return globalThis.crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
}

function standardKeyBytes(secret: string): Uint8Array<ArrayBuffer> {
  const key = base64ToBytes(secret.startsWith("whsec_") ? secret.slice(6) : secret);
  if (!key || key.length === 0) throw new WebhookVerificationError("the secret is not a whsec_ secret");
  return key;
}

function parse<D>(bytes: Uint8Array): WebhookEvent<D> {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as WebhookEvent<D>;
  } catch {
    throw new WebhookVerificationError("the payload is not JSON");
  }
}

/**
 * Checks the plain X-ClawNex-Signature of a raw body (no replay protection: see above): true when
 * any "sha256=<hex>" entry of the comma-separated list matches.
 */
export async function verifyClawNexSignature(payload: string | Uint8Array, signatureHeader: string | undefined | null, secret: string): Promise<boolean> {
  const entries = (signatureHeader ?? "").split(",").map((entry) => /^sha256=([0-9a-fA-F]{64})$/.exec(entry.trim())?.[1]);
  // A malformed list is refused as a whole rather than partly trusted.
  if (entries.length === 0 || entries.some((hex) => hex === undefined)) return false;
  const key = await hmacKey(encoder.encode(secret));
  const body = bytesOf(payload);
  for (const hex of entries) {
    const mac = hex === undefined ? null : hexToBytes(hex);
    // subtle.verify compares in constant time.
    if (mac && (await globalThis.crypto.subtle.verify("HMAC", key, mac, body))) return true;
  }
  return false;
}

/**
 * Verifies a delivery's Standard Webhooks signature and timestamp (and its X-ClawNex-Signature
 * when present) and returns the parsed event. Throws WebhookVerificationError otherwise.
 */
export async function verifyWebhook<D = Record<string, unknown>>(options: VerifyOptions): Promise<WebhookEvent<D>> {
  const id = header(options.headers, "webhook-id");
  const timestamp = header(options.headers, "webhook-timestamp");
  const signatures = header(options.headers, "webhook-signature");
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature header");
  if (!/^\d{1,15}$/.test(timestamp)) throw new WebhookVerificationError("invalid webhook-timestamp");
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const sent = Number(timestamp);
  if (now - sent > tolerance) throw new WebhookVerificationError("webhook-timestamp is too old (possible replay)");
  if (sent - now > tolerance) throw new WebhookVerificationError("webhook-timestamp is too far in the future");

  const body = bytesOf(options.payload);
  const key = await hmacKey(standardKeyBytes(options.secret));
  const signed = concat(encoder.encode(`${id}.${timestamp}.`), body);
  let valid = false;
  for (const candidate of signatures.split(" ")) {
    const [version, value] = candidate.split(",", 2);
    if (version !== "v1" || !value) continue;
    const mac = base64ToBytes(value);
    if (mac && (await globalThis.crypto.subtle.verify("HMAC", key, mac, signed))) {
      valid = true;
      break;
    }
  }
  if (!valid) throw new WebhookVerificationError("no valid webhook-signature");
  const legacy = header(options.headers, "x-clawnex-signature");
  if (legacy !== undefined && !(await verifyClawNexSignature(body, legacy, options.secret))) throw new WebhookVerificationError("invalid X-ClawNex-Signature");
  return parse<D>(body);
}
