// Excerpts for detections. Sensitive values (secrets, PII, canaries) are never returned whole:
// they keep a short prefix so an operator can tell which credential it was, and their length.

export const EXCERPT_MAX = 120;

export function maskValue(value: string): string {
  if (value.length <= 8) return `${"*".repeat(value.length)}`;
  return `${value.slice(0, 4)}…[${value.length - 4} chars masked]`;
}

export interface Span {
  start: number;
  end: number;
}

/**
 * Builds the excerpt for [start, end) of text, masking every sensitive span that overlaps it,
 * and truncating long matches.
 */
export function excerptOf(text: string, span: Span, sensitiveSpans: readonly Span[]): string {
  const overlapping = sensitiveSpans.filter((s) => s.start < span.end && s.end > span.start).sort((a, b) => a.start - b.start);
  let out = "";
  let cursor = span.start;
  for (const s of overlapping) {
    const from = Math.max(s.start, span.start);
    if (from > cursor) out += text.slice(cursor, from);
    if (s.end > cursor) {
      out += maskValue(text.slice(s.start, s.end));
      cursor = Math.max(cursor, s.end);
    }
  }
  if (cursor < span.end) out += text.slice(cursor, span.end);
  return out.length > EXCERPT_MAX ? `${out.slice(0, EXCERPT_MAX - 1)}…` : out;
}

/** The text with every sensitive span masked: what may be stored when raw text storage is on. */
export function redactSpans(text: string, spans: readonly Span[]): string {
  if (spans.length === 0) return text;
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let out = "";
  let cursor = 0;
  for (const s of sorted) {
    if (s.end <= cursor) continue;
    out += text.slice(cursor, Math.max(cursor, s.start));
    out += maskValue(text.slice(Math.max(cursor, s.start), s.end));
    cursor = s.end;
  }
  return out + text.slice(cursor);
}
