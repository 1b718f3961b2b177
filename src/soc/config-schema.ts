// The "soc" section of clawnex.config.json, validated by src/config/config.ts at start.
// The module owns its shape; unknown keys are refused so typos surface as errors. Every key has a
// default, so an absent section gives a working SOC with the built-in rules and no forwarder.
import { z } from "zod";

const syslogSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** udp: one message per datagram; tcp/tls: RFC 6587 octet-counting framing. */
    transport: z.enum(["udp", "tcp", "tls"]).default("udp"),
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(1).max(65535).default(514),
    /** RFC 5424 facility number; 13 = log audit, 10 = authpriv, 16..23 = local0..local7. */
    facility: z.number().int().min(0).max(23).default(13),
    appName: z.string().regex(/^[!-~]{1,48}$/, "printable ASCII without spaces, at most 48 characters").default("clawnex"),
    /** HOSTNAME field; defaults to the machine's host name. */
    hostname: z.string().regex(/^[!-~]{1,255}$/).optional(),
    /** What to forward: alerts (when raised) and audit events. */
    alerts: z.boolean().default(true),
    audit: z.boolean().default(true),
    /** How often the forwarder looks for new alerts and audit events. */
    pollIntervalMs: z.number().int().min(50).max(600_000).default(2000),
    /** For tls: also accept a self-signed server certificate (testing only). */
    tlsRejectUnauthorized: z.boolean().default(true),
  })
  .strict();

const costSpikeSchema = z
  .object({
    /** The window whose spend is compared with the baseline. */
    windowMinutes: z.number().int().min(1).max(24 * 60).default(15),
    /** Trailing period the per-window baseline is averaged over. */
    baselineHours: z.number().int().min(1).max(24 * 30).default(24),
    /** A spike is spend above factor × the baseline window average ... */
    factor: z.number().min(1).max(1000).default(3),
    /** ... and at least this many USD in the window (small absolute amounts are not spikes). */
    minUsd: z.number().min(0).default(1),
  })
  .strict();

export const socConfigSchema = z
  .object({
    /** Extra alert and correlation rule files (YAML), relative to the data dir. */
    rulesDir: z.string().min(1).default("soc-rules"),
    /** Alert or correlation rule ids switched off. */
    disabledRules: z.array(z.string().min(1)).default([]),
    /** Stored SOC events older than this are deleted (alerts and incidents are kept). */
    eventRetentionDays: z.number().int().min(1).max(3650).default(30),
    /** Events processed per store transaction at most. */
    batchSize: z.number().int().min(1).max(10_000).default(500),
    /** Tool names that can run commands: a call to one is an "exec-capable tool call". */
    execTools: z.array(z.string().min(1)).default(["exec", "bash", "shell", "sh", "terminal", "run_command", "run_shell_command", "execute_command", "process", "system.run", "computer", "code_interpreter", "python"]),
    /** A shield event is recorded for REVIEW/BLOCK verdicts, and for ALLOW when a detection is at least this severe. */
    minDetectionSeverity: z.enum(["low", "medium", "high", "critical"]).default("medium"),
    costSpike: costSpikeSchema.prefault({}),
    /** How often the audit trail is read for break-glass and enforcement changes. */
    auditTailIntervalMs: z.number().int().min(50).max(600_000).default(2000),
    export: z
      .object({
        /** Include Shield excerpts (masked) of the linked scans in NDJSON and syslog exports. */
        includePromptText: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    syslog: syslogSchema.prefault({}),
    metrics: z
      .object({
        /** GET /metrics without a key from a loopback peer (no proxy headers); otherwise scope alerts:read. */
        loopbackWithoutKey: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type SocConfig = z.infer<typeof socConfigSchema>;
export type SyslogConfig = SocConfig["syslog"];
