// /agents: list, create, read, change, delete.
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { agentCreateSchema, agentListQuery, agentPatchSchema, agentSchema, fleetErrors, idParams, listEnvelope } from "./schemas.ts";
import { actorOf, operation, type RouteKit, spaceOf } from "./route-kit.ts";

const agentList = listEnvelope(agentSchema, "AgentList");

export function agentRoutes(kit: RouteKit): FastifyPluginAsyncZod {
  const { api, scope, sandbox } = kit;
  return async (app) => {
    app.get(
      "/agents",
      { onRequest: scope("agents:read"), schema: { ...operation(kit, "agents", "listAgents", "List agents (filter by status, label, creation time)"), querystring: agentListQuery, response: { 200: agentList, ...fleetErrors } } },
      async (request) => {
        const { limit, cursor, order, ...filter } = request.query;
        return api.agents.list(spaceOf(request, sandbox), filter, { limit, cursor, order });
      },
    );

    app.post(
      "/agents",
      {
        onRequest: scope("agents:write"),
        config: { idempotent: true },
        schema: { ...operation(kit, "agents", "createAgent", "Create an agent"), body: agentCreateSchema, response: { 201: agentSchema, ...fleetErrors } },
      },
      async (request, reply) => {
        const agent = await api.agents.create(spaceOf(request, sandbox), request.body, actorOf(request));
        return reply.code(201).send(agent);
      },
    );

    app.get(
      "/agents/:id",
      { onRequest: scope("agents:read"), schema: { ...operation(kit, "agents", "getAgent", "Get an agent"), params: idParams, response: { 200: agentSchema, ...fleetErrors } } },
      async (request) => api.agents.get(spaceOf(request, sandbox), request.params.id),
    );

    app.patch(
      "/agents/:id",
      {
        onRequest: scope("agents:write"),
        config: { idempotent: true },
        schema: { ...operation(kit, "agents", "updateAgent", "Change an agent (constraints are merged; null clears one)"), params: idParams, body: agentPatchSchema, response: { 200: agentSchema, ...fleetErrors } },
      },
      async (request) => api.agents.update(spaceOf(request, sandbox), request.params.id, request.body, actorOf(request)),
    );

    app.delete(
      "/agents/:id",
      {
        onRequest: scope("agents:write"),
        config: { idempotent: true },
        schema: { ...operation(kit, "agents", "deleteAgent", "Delete an agent (409 while it has pending or running tasks)"), params: idParams, response: { 200: agentSchema, ...fleetErrors } },
      },
      async (request) => api.agents.delete(spaceOf(request, sandbox), request.params.id, actorOf(request)),
    );
  };
}
