// The "gateway" section of clawnex.config.json, validated by src/config/config.ts at start.
// The module owns its shape; unknown keys are refused so typos surface as errors.
import { z } from "zod";

export const gatewayConfigSchema = z.object({}).strict();

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
