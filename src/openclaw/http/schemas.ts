// Zod schemas of the openclaw module's routes: they validate requests, shape responses, and
// generate the OpenAPI document.
import { z } from "zod";
import { SEVERITIES } from "../trust/findings.ts";

export const instanceRefQuery = z.object({
  instance: z.string().min(1).max(100).optional().describe("Instance id or name; optional when the workspace has exactly one instance with a state dir"),
});

export const instanceSchema = z
  .object({
    id: z.string(),
    workspace: z.string(),
    name: z.string(),
    origin: z.enum(["config", "api", "cli", "local", "watch"]),
    stateDir: z.string().nullable(),
    gatewayUrl: z.string().nullable(),
    tokenEnv: z.string().nullable(),
    pollIntervalSeconds: z.number().int(),
    health: z.enum(["unknown", "up", "down"]),
    ready: z.boolean().nullable(),
    version: z.string().nullable(),
    lastSeenAt: z.string().nullable(),
    lastPollAt: z.string().nullable(),
    lastError: z.string().nullable(),
    watchLastPassAt: z.string().nullable(),
    watchError: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "OpenClawInstance" });

export const instanceListSchema = z.object({ data: z.array(instanceSchema) });

export const auditUploadResponseSchema = z.object({ instance: z.string(), findings: z.number().int() });

export const instanceCreateSchema = z
  .object({
    name: z.string().min(1).max(64),
    gatewayUrl: z.string().max(2048).optional(),
    stateDir: z.string().max(4096).optional(),
    tokenEnv: z.string().max(128).optional(),
    pollIntervalSeconds: z.number().int().min(5).max(3600).optional(),
  })
  .strict();

export const idParams = z.object({ id: z.string().min(1).max(100) });

const modelCallsSchema = z.object({ matched: z.number().int(), bypassed: z.number().int(), unknown: z.number().int() });

export const fleetStatusSchema = z
  .object({
    generatedAt: z.string(),
    instances: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        origin: z.string(),
        gatewayUrl: z.string().nullable(),
        stateDir: z.string().nullable(),
        health: z.enum(["unknown", "up", "down"]),
        ready: z.boolean().nullable(),
        version: z.string().nullable(),
        lastSeenAt: z.string().nullable(),
        lastPollAt: z.string().nullable(),
        lastError: z.string().nullable(),
        gateway: z.unknown(),
        watcher: z.object({ lastPassAt: z.string().nullable(), error: z.string().nullable() }),
        sessions: z.number().int(),
        totalTokens: z.number(),
        costUsd: z.number(),
        agents: z.array(
          z.object({
            id: z.string(),
            present: z.boolean(),
            lastSeenAt: z.string().nullable(),
            sessions: z.number().int(),
            totalTokens: z.number(),
            costUsd: z.number(),
            detections: z.number().int(),
            modelCalls: modelCallsSchema,
          }),
        ),
      }),
    ),
    events: z.array(z.object({ id: z.string(), kind: z.string(), workspace: z.string(), instanceId: z.string(), instanceName: z.string(), agentId: z.string().nullable(), at: z.string(), details: z.record(z.string(), z.unknown()) })),
  })
  .meta({ id: "FleetStatus" });

export const findingSchema = z
  .object({
    checkId: z.string(),
    severity: z.enum(SEVERITIES),
    title: z.string(),
    evidence: z.string(),
    detail: z.string(),
    remediation: z.string(),
    source: z.enum(["clawnex", "openclaw"]),
    confirmedByOpenclaw: z.boolean().optional(),
  })
  .meta({ id: "TrustFinding" });

const reportHead = { instance: z.string(), stateDir: z.string(), configPath: z.string(), generatedAt: z.string(), problems: z.array(z.string()) };

export const findingsResponseSchema = z.object({ ...reportHead, summary: z.record(z.enum(SEVERITIES), z.number().int()), findings: z.array(findingSchema) });

export const matrixResponseSchema = z.object({
  ...reportHead,
  principals: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(["dm", "group", "hook", "operator"]),
      channel: z.string().nullable(),
      accountId: z.string().nullable(),
      audience: z.string(),
      trust: z.enum(["untrusted", "approved", "token", "operator"]),
      senders: z.number().int().nullable(),
      evidence: z.string(),
      agents: z.array(z.string()),
    }),
  ),
  agents: z.array(z.object({ id: z.string(), sandbox: z.string(), execMode: z.string(), elevated: z.boolean(), tools: z.array(z.string()), assets: z.array(z.string()) })),
});

export const blastRadiusResponseSchema = z.object({
  ...reportHead,
  blastRadius: z.array(
    z.object({
      principal: z.string(),
      audience: z.string(),
      trust: z.enum(["untrusted", "approved", "token", "operator"]),
      severity: z.enum(SEVERITIES),
      agents: z.array(z.string()),
      tools: z.array(z.string()),
      assets: z.array(z.string()),
    }),
  ),
});

export const openclawAuditBodySchema = z
  .object({
    findings: z.array(z.object({ checkId: z.string().max(200), severity: z.string().max(20), title: z.string().max(500).optional(), detail: z.string().max(8000).optional(), remediation: z.string().max(4000).optional() }).passthrough()).max(2000),
  })
  .passthrough();

export const sessionsQuery = instanceRefQuery.extend({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(2048).optional(),
});

export const sessionsResponseSchema = z.object({
  data: z.array(
    z.object({
      instanceId: z.string(),
      agentId: z.string(),
      sessionId: z.string(),
      sessionKey: z.string().nullable(),
      layout: z.string(),
      provider: z.string().nullable(),
      model: z.string().nullable(),
      eventsRead: z.number(),
      eventsSkipped: z.number(),
      modelCalls: z.number(),
      failedCalls: z.number(),
      inputTokens: z.number(),
      outputTokens: z.number(),
      totalTokens: z.number(),
      costUsd: z.number(),
      detections: z.number(),
      firstEventAt: z.string().nullable(),
      lastEventAt: z.string().nullable(),
    }),
  ),
  next_cursor: z.string().nullable(),
});

export const passSummarySchema = z.object({
  instance: z.string(),
  stateDir: z.string(),
  agents: z.number().int(),
  sessions: z.number().int(),
  eventsRead: z.number().int(),
  eventsSkipped: z.number().int(),
  skipped: z.object({ malformed: z.number().int(), oversized: z.number().int(), undecodable: z.number().int(), unknownTypes: z.number().int() }),
  partialLines: z.number().int(),
  truncations: z.number().int(),
  modelCalls: z.number().int(),
  failedCalls: z.number().int(),
  tokens: z.object({ input: z.number(), output: z.number(), total: z.number() }),
  costUsd: z.number(),
  detections: z.array(
    z.object({
      agent: z.string(),
      session: z.string(),
      sessionKey: z.string().nullable(),
      eventId: z.string(),
      role: z.string(),
      part: z.string(),
      direction: z.string(),
      verdict: z.enum(["ALLOW", "REVIEW", "BLOCK"]),
      score: z.number(),
      ruleIds: z.array(z.string()),
      toolCallId: z.string().nullable(),
      toolName: z.string().nullable(),
      sender: z.string().nullable(),
      scanId: z.string().nullable(),
    }),
  ),
  detectionsTruncated: z.boolean(),
  errors: z.array(z.string()),
  durationMs: z.number(),
});
