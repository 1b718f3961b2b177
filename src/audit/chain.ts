// The hash chain's arithmetic, kept apart from storage so verify and append cannot drift apart.
// Each event's hash covers its own fields plus the previous event's hash, so altering, removing
// or reordering any stored event breaks every link after it.
import { createHash } from "node:crypto";

/** prev_hash of the first event. */
export const GENESIS_HASH = "0".repeat(64);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function canonicalize(value: unknown, path: string): Json | undefined {
  if (value === null) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`audit details: ${path} is not a finite number`);
      return value;
    case "undefined":
    case "function":
    case "symbol":
      return undefined; // dropped, as JSON.stringify does
    case "bigint":
      throw new TypeError(`audit details: ${path} is a bigint; pass it as a string`);
    default:
      break;
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item, i) => canonicalize(item, `${path}[${i}]`) ?? null);
  const out: { [key: string]: Json } = {};
  for (const key of Object.keys(value as object).sort()) {
    const item = canonicalize((value as Record<string, unknown>)[key], `${path}.${key}`);
    if (item !== undefined) out[key] = item;
  }
  return out;
}

/**
 * JSON with object keys sorted at every depth, so the same content always yields the same bytes
 * (and the same hash) whichever process or database wrote it.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value, "$") ?? null);
}

export interface ChainFields {
  seq: number;
  id: string;
  ts: string;
  workspace: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
}

export function computeEventHash(fields: ChainFields): string {
  const { seq, id, ts, workspace, actor, action, target, details, prev_hash } = fields;
  const body = canonicalJson({ seq, id, ts, workspace, actor, action, target, details, prev_hash });
  return createHash("sha256").update(body, "utf8").digest("hex");
}
