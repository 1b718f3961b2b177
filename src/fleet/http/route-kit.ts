// What every fleet route shares: its Space (workspace from the key, production or sandbox), the
// acting key, and OpenAPI metadata that tells the sandbox mirror apart.
import type { FastifyRequest } from "fastify";
import type { CoreServices } from "../../app/services.ts";
import { unauthorized } from "../../errors.ts";
import type { AgentService } from "../agents/agent-service.ts";
import type { FileService } from "../files/file-service.ts";
import type { Space } from "../shared/space.ts";
import type { TaskService } from "../tasks/task-service.ts";

export interface FleetApi {
  agents: AgentService;
  tasks: TaskService;
  files: FileService;
}

export interface RouteKit {
  api: FleetApi;
  scope: CoreServices["requireScope"];
  sandbox: boolean;
}

export function spaceOf(request: FastifyRequest, sandbox: boolean): Space {
  if (!request.apiKey) throw unauthorized();
  return { workspace: request.apiKey.workspace, sandbox };
}

export function actorOf(request: FastifyRequest): string {
  return `key:${request.apiKey?.id ?? "unknown"}`;
}

export const SECURITY: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];

/** summary, operationId and tags for a route, marked as the sandbox mirror when it is one. */
export function operation(kit: RouteKit, tag: string, operationId: string, summary: string) {
  return {
    summary: kit.sandbox ? `[sandbox] ${summary}` : summary,
    operationId: kit.sandbox ? `sandbox${operationId[0]?.toUpperCase()}${operationId.slice(1)}` : operationId,
    tags: [kit.sandbox ? `sandbox` : tag],
    security: SECURITY,
  };
}
