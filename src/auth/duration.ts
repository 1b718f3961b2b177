// Human durations for key lifetimes: "90s", "45m", "12h", "30d", "2w".
import { invalidRequest } from "../errors.ts";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a positive duration into milliseconds. Throws AppError invalid_request (the CLI turns it
 * into a usage error) with the accepted forms in the message. At most six digits, so the result
 * always fits a JavaScript Date when added to now.
 */
export function parseDuration(text: string): number {
  const match = /^(\d{1,6})([smhdw])$/.exec(text.trim());
  const amount = match ? Number(match[1]) : 0;
  const unit = match?.[2];
  if (!unit || amount <= 0) {
    throw invalidRequest(`invalid duration '${text}': use a positive number followed by s, m, h, d or w (e.g. 30d, 12h, 45m, 90s, 2w)`);
  }
  return amount * (UNIT_MS[unit] ?? 0);
}
