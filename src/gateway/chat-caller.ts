// The gateway's in-process entry point: the fleet task runner (and anything else that is not an
// HTTP client) sends a chat completion through exactly the same path as POST /v1/chat/completions
// (inbound scan, routing, retries/fallback, outbound scan, traffic record), without HTTP.
//
// How another module reaches it (two equivalent ways):
//  - from the CoreServices object every module factory receives (the same object the gateway's
//    factory got: the gateway registers its caller on it when created, before the other modules;
//    look it up lazily, at call time; the Services object createServices returns is a copy):
//      const caller = chatCallerFor(core);
//  - from the list of modules (Services.modules): the gateway's AppModule carries it:
//      const caller = getChatCaller(services.modules);
// then: await caller?.complete({ model: "gpt-4o-mini", messages: [...] }, { workspace, keyId, source: "task", taskId });
import type { AppModule } from "../app/module.ts";
import type { CoreServices } from "../app/services.ts";
import type { ChatCompletionRequestBody, ChatCompletionResponseBody } from "./openai-types.ts";

export type { ChatCompletionRequestBody, ChatCompletionResponseBody } from "./openai-types.ts";

export interface ChatCallContext {
  workspace: string;
  keyId: string | null;
  /** Recorded on the traffic row and scans: "task", "api", ... */
  source: string;
  agentId?: string | undefined;
  taskId?: string | undefined;
}

export interface ChatCaller {
  /**
   * Sends a non-stream chat completion (a `stream: true` in the body is ignored). Throws
   * GatewayBlockedError when the Shield blocks in BLOCK mode (inbound: the upstream was never
   * called; outbound: the response was withheld), AppError("upstream_error" | "unavailable" |
   * "invalid_request" | ...) otherwise.
   */
  complete(body: ChatCompletionRequestBody, ctx: ChatCallContext, signal?: AbortSignal): Promise<ChatCompletionResponseBody>;
}

export class GatewayBlockedError extends Error {
  readonly scanId: string;
  readonly direction: "inbound" | "outbound";
  /** Rule ids that led to the block, for logs and task records (no matched text). */
  readonly ruleIds: string[];

  constructor(direction: "inbound" | "outbound", scanId: string, ruleIds: string[] = []) {
    super(`${direction === "inbound" ? "prompt" : "response"} blocked by ClawNex Shield (scan ${scanId})`);
    this.name = "GatewayBlockedError";
    this.direction = direction;
    this.scanId = scanId;
    this.ruleIds = ruleIds;
  }
}

/** The gateway module's AppModule carries its caller under this property. */
export interface GatewayAppModule extends AppModule {
  name: "gateway";
  chatCaller: ChatCaller;
}

export function isGatewayModule(module: AppModule): module is GatewayAppModule {
  return module.name === "gateway" && typeof (module as Partial<GatewayAppModule>).chatCaller?.complete === "function";
}

/** The gateway's ChatCaller among the product's modules, or undefined when the gateway is absent. */
export function getChatCaller(modules: readonly AppModule[]): ChatCaller | undefined {
  return modules.find(isGatewayModule)?.chatCaller;
}

const byCore = new WeakMap<CoreServices, ChatCaller>();

/** Called by the gateway module when it is created. */
export function registerChatCaller(core: CoreServices, caller: ChatCaller): void {
  byCore.set(core, caller);
}

/** The gateway's ChatCaller for these core services, or undefined when no gateway was created. */
export function chatCallerFor(core: CoreServices): ChatCaller | undefined {
  return byCore.get(core);
}
