import { z } from "zod";
import { CHECK_STATUSES, POSTURE_SEVERITIES } from "../findings.ts";
import { POSTURE_TRIGGERS } from "../store.ts";

export const postureFindingSchema = z
  .object({
    checkId: z.string().describe("Stable check id, e.g. posture.ssh.root_login"),
    severity: z.enum(POSTURE_SEVERITIES),
    title: z.string(),
    evidence: z.string().describe("Where the weakness is (path, socket, setting); never a secret value"),
    remediation: z.string(),
    detail: z.string().optional(),
    references: z.array(z.string()).optional(),
  })
  .meta({ id: "PostureFinding" });

export const postureRunSchema = z
  .object({
    runId: z.string(),
    trigger: z.enum(POSTURE_TRIGGERS),
    scannedAt: z.string(),
    durationMs: z.number(),
    host: z.object({ hostname: z.string(), platform: z.string() }),
    advisoryTableDate: z.string().describe("Date of the bundled advisory table the versions were checked against"),
    summary: z.object(Object.fromEntries(POSTURE_SEVERITIES.map((s) => [s, z.number().int()])) as Record<(typeof POSTURE_SEVERITIES)[number], z.ZodNumber>),
    findings: z.array(postureFindingSchema),
    checks: z.array(z.object({ id: z.string(), status: z.enum(CHECK_STATUSES), note: z.string(), durationMs: z.number() })),
  })
  .meta({ id: "PostureRun" });

export const postureQuerySchema = z
  .object({
    min_severity: z.enum(POSTURE_SEVERITIES).optional().describe("Only findings at least this severe (the summary still counts all)"),
  })
  .strict();
