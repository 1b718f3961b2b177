// The "webhooks" section of clawnex.config.json, validated by src/config/config.ts at start.
import { z } from "zod";

export const webhooksConfigSchema = z.object({}).strict();

export type WebhooksConfig = z.infer<typeof webhooksConfigSchema>;
