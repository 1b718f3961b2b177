// /tasks: submit, list, read, cancel.
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { fleetErrors, idParams, listEnvelope, taskCancelSchema, taskCreateSchema, taskListQuery, taskSchema } from "./schemas.ts";
import { actorOf, operation, type RouteKit, spaceOf } from "./route-kit.ts";

const taskList = listEnvelope(taskSchema, "TaskList");

export function taskRoutes(kit: RouteKit): FastifyPluginAsyncZod {
  const { api, scope, sandbox } = kit;
  return async (app) => {
    app.post(
      "/tasks",
      {
        onRequest: scope("tasks:write"),
        config: { idempotent: true },
        schema: { ...operation(kit, "tasks", "createTask", "Submit a task to an agent (201, state pending)"), body: taskCreateSchema, response: { 201: taskSchema, ...fleetErrors } },
      },
      async (request, reply) => {
        const task = await api.tasks.create(spaceOf(request, sandbox), request.body, request.apiKey?.id ?? null);
        return reply.code(201).send(task);
      },
    );

    app.get(
      "/tasks",
      { onRequest: scope("tasks:read"), schema: { ...operation(kit, "tasks", "listTasks", "List tasks (filter by state, agent, creation time)"), querystring: taskListQuery, response: { 200: taskList, ...fleetErrors } } },
      async (request) => {
        const { limit, cursor, order, ...filter } = request.query;
        return api.tasks.list(spaceOf(request, sandbox), filter, { limit, cursor, order });
      },
    );

    app.get(
      "/tasks/:id",
      {
        onRequest: scope("tasks:read"),
        schema: { ...operation(kit, "tasks", "getTask", "Get a task: state, transitions, outputs, timing, usage and cost"), params: idParams, response: { 200: taskSchema, ...fleetErrors } },
      },
      async (request) => api.tasks.get(spaceOf(request, sandbox), request.params.id),
    );

    app.post(
      "/tasks/:id/cancel",
      {
        onRequest: scope("tasks:write"),
        config: { idempotent: true },
        schema: {
          ...operation(kit, "tasks", "cancelTask", "Cancel a pending or running task (a running task's model call is aborted)"),
          params: idParams,
          body: taskCancelSchema,
          response: { 200: taskSchema, ...fleetErrors },
        },
      },
      async (request) => api.tasks.cancel(spaceOf(request, sandbox), request.params.id, actorOf(request), request.body?.reason),
    );
  };
}
