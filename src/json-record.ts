// The one test for "a JSON object" (not null, not an array) shared by the code that reads
// untrusted JSON: request bodies, OpenClaw configs and transcripts, gateway frames.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `table[key]` for a key that comes from outside: own entries only, so "constructor" or "__proto__" is no entry. */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
