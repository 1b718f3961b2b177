// The "fleet" section of clawnex.config.json, validated by src/config/config.ts at start.
// The module owns its shape; unknown keys are refused so typos surface as errors.
import { z } from "zod";

export const fleetConfigSchema = z.object({}).strict();

export type FleetConfig = z.infer<typeof fleetConfigSchema>;
