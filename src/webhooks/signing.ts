// Webhook signing secrets and the two signature styles every delivery carries:
//   X-ClawNex-Signature: sha256=<hex HMAC-SHA256(raw body)>, keyed with the secret string's UTF-8
//     bytes exactly as shown at creation (what a generic "HMAC the body" receiver does);
//   Standard Webhooks (webhook-id / webhook-timestamp / webhook-signature): "v1,<base64 HMAC-SHA256
//     of `${id}.${timestamp}.${body}`>", keyed with the base64-decoded part after "whsec_", as
//     the spec and its reference libraries do.
import { createHmac, randomBytes } from "node:crypto";

export const SECRET_PREFIX = "whsec_";
/** 32 random bytes (the spec asks for 24 to 64). */
const SECRET_BYTES = 32;

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString("base64");
}

/** The Standard Webhooks HMAC key: the base64 payload of a whsec_ secret. */
export function standardKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, "base64");
}

export function clawnexSignature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

export function standardSignature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac("sha256", standardKey(secret)).update(`${id}.${timestampSeconds}.${body}`, "utf8").digest("base64");
  return `v1,${mac}`;
}

export interface SignatureHeaders {
  "x-clawnex-signature": string;
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/**
 * Headers for one attempt; the timestamp is the attempt's (so retries stay within tolerance).
 * `secrets` are the webhook's active secrets, newest first: one outside a rotation's overlap, two
 * during it. Each header then lists one signature per secret, so a receiver holding either secret
 * verifies: webhook-signature space-separated (as the Standard Webhooks spec lists them),
 * X-ClawNex-Signature comma-separated ("sha256=<new>, sha256=<old>", an HTTP list).
 */
export function signatureHeaders(secrets: readonly string[], eventId: string, body: string, attemptTime: Date): SignatureHeaders {
  const timestamp = Math.floor(attemptTime.getTime() / 1000);
  return {
    "x-clawnex-signature": secrets.map((secret) => clawnexSignature(secret, body)).join(", "),
    "webhook-id": eventId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": secrets.map((secret) => standardSignature(secret, eventId, timestamp, body)).join(" "),
  };
}
