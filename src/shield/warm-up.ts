// The first scan after start pays for V8 compiling every rule's regexes (per string encoding) and
// optimising the engine: ~300 ms on the OpenClaw system prompt, long enough to stall every request
// in flight. Scanning the rules' own positive samples once at start moves that cost out of the
// first real request. The samples reach every rule, in both directions, as one-byte and two-byte
// strings.
import type { ShieldEngine } from "./engine.ts";

const CHUNK_CHARS = 4096;

function chunksOf(samples: readonly string[]): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const s of samples) {
    current += `${s}\n`;
    if (current.length >= CHUNK_CHARS) {
      chunks.push(current);
      current = "";
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/** Scans every rule's must_match samples once; returns how many scans it ran. */
export function warmUpEngine(engine: ShieldEngine): number {
  const chunks = chunksOf(engine.rules.flatMap((r) => r.mustMatch));
  let scans = 0;
  for (const text of chunks) {
    for (const direction of ["inbound", "outbound"] as const) {
      engine.scan({ text, direction });
      // "\u2192" makes the same text a two-byte string, which V8 compiles regexes for separately,
      // and has the folded view work out its stand-ins for wide units (folded-view.ts).
      engine.scan({ text: `\u2192${text}`, direction });
      scans += 2;
    }
  }
  return scans;
}
