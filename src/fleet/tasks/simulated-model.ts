// The sandbox's model: deterministic text computed from the prompt, no provider, no budget. The
// prompt still goes through the Shield (recorded with source "sandbox.task"), so a sandbox task
// with a blocked prompt fails exactly as a production one would.
import { createHash } from "node:crypto";
import type { ScanService } from "../../scans/scan-service.ts";
import type { ModelAnswer, ModelCall, TaskModel } from "./model.ts";
import { TaskBlockedError } from "./model.ts";

export const SIMULATED_MODEL = "clawnex-sandbox-sim";

function promptText(call: ModelCall): string {
  return call.body.messages
    .map((m) => (typeof m.content === "string" ? m.content : Array.isArray(m.content) ? m.content.map((p) => p.text ?? "").join("") : ""))
    .join("\n");
}

const tokens = (text: string) => (text.trim() === "" ? 0 : text.trim().split(/\s+/).length);

export class SimulatedModel implements TaskModel {
  readonly #scans: Pick<ScanService, "scan">;

  constructor(scans: Pick<ScanService, "scan">) {
    this.#scans = scans;
  }

  async complete(call: ModelCall, signal: AbortSignal): Promise<ModelAnswer> {
    signal.throwIfAborted();
    const prompt = promptText(call);
    const scan = await this.#scans.scan({
      text: prompt,
      direction: "inbound",
      source: "sandbox.task",
      workspace: call.ctx.workspace,
      keyId: call.ctx.keyId,
      metadata: { task_id: call.ctx.taskId, agent_id: call.ctx.agentId, sandbox: true },
    });
    if (scan.enforced) throw new TaskBlockedError("inbound", scan.id);
    const digest = createHash("sha256").update(prompt).digest("hex").slice(0, 12);
    const firstLine = prompt.split("\n", 1)[0]?.slice(0, 120) ?? "";
    let content = `[sandbox simulated model] Received ${prompt.length} characters (digest ${digest}). First line: "${firstLine}". No provider was called.`;
    const maxTokens = typeof call.body.max_tokens === "number" ? call.body.max_tokens : undefined;
    if (maxTokens !== undefined) content = content.split(/(?<=\s)/).slice(0, maxTokens).join("").trimEnd();
    const promptTokens = tokens(prompt);
    const completionTokens = tokens(content);
    return { content, model: SIMULATED_MODEL, usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens }, costUsd: 0 };
  }
}
