import { isRecord } from "../../json-record.ts";
// Small readers for loosely typed payloads (scan metadata, resource data): producers put what they
// know there, so every field is optional and checked before use. Values are length-capped so a
// client-supplied metadata field cannot bloat the event store.
const MAX_ID = 200;

export function str(record: Record<string, unknown> | null | undefined, ...keys: string[]): string | null {
  if (!record) return null;
  for (const key of keys) {
    const value = record[key];
    if (typeof value === "string" && value.length > 0) return value.slice(0, MAX_ID);
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
  }
  return null;
}

export function obj(value: unknown): Record<string, unknown> | null {
  return isRecord(value) ? value : null;
}

export function uniq<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}
