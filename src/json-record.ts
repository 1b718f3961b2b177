// The one test for "a JSON object" (not null, not an array) shared by the code that reads
// untrusted JSON: request bodies, OpenClaw configs and transcripts, gateway frames.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
