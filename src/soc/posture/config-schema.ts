// The "posture" section of clawnex.config.json, validated by src/config/config.ts at start.
import { z } from "zod";

export const postureConfigSchema = z.object({}).strict();

export type PostureConfig = z.infer<typeof postureConfigSchema>;
