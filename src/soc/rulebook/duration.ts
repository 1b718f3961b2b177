// Rule windows: "90s", "30m", "12h", "7d". A zod type so a bad window is reported with its path.
import { z } from "zod";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const durationSchema = z
  .string()
  .regex(/^\d{1,6}[smhd]$/, "use a number followed by s, m, h or d (e.g. 90s, 30m, 12h, 7d)")
  .transform((text) => Number(text.slice(0, -1)) * (UNIT_MS[text.slice(-1)] ?? 0))
  .refine((ms) => ms > 0, "must be longer than zero");

export function formatDuration(ms: number): string {
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.round(ms / 1000)}s`;
}
