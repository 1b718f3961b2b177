// The "posture" section of clawnex.config.json, validated by src/config/config.ts at start.
// Every key has a default, so an absent section is a working configuration.
import { z } from "zod";

/** Mirrors the scanner's check ids (asserted equal in test/posture). */
export const POSTURE_CHECK_IDS = ["sockets", "ssh", "firewall", "openclaw-files", "versions", "updates", "clawnex"] as const;

export const postureConfigSchema = z
  .object({
    /** Run scans on a schedule while the server runs. */
    enabled: z.boolean().default(true),
    /** Minutes between scheduled scans. */
    intervalMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
    /** Delay before the first scheduled scan after start (keeps start-up quick). */
    initialDelaySeconds: z.number().int().min(0).max(3600).default(60),
    /** Timeout for each command a check runs (apt-get, nft, iptables-save, openclaw --version). */
    commandTimeoutSeconds: z.number().int().min(1).max(600).default(60),
    /** Checks to leave out. */
    disabledChecks: z.array(z.enum(POSTURE_CHECK_IDS)).default([]),
    /** Listeners expected beyond loopback ("tcp:22", "udp:51820"): still reported, at info. */
    allowedListeners: z.array(z.string().regex(/^(tcp|udp):\d{1,5}$/, 'use "tcp:PORT" or "udp:PORT"')).default([]),
    /** More OpenClaw state dirs to check (besides the configured instances' and OpenClaw's default). */
    stateDirs: z.array(z.string().min(1)).default([]),
    /** The OpenClaw executable asked for its version; null to never run it. */
    openclawBinary: z.string().min(1).nullable().default("openclaw"),
    /** Scan runs kept in the store (the oldest are deleted). */
    keepRuns: z.number().int().min(1).max(10_000).default(100),
    /** Hand each scheduled run's findings to the SOC (alerts de-duplicate repeats). */
    ingest: z.boolean().default(true),
  })
  .strict();

export type PostureConfig = z.infer<typeof postureConfigSchema>;
