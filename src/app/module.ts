// A product module (gateway, fleet, openclaw, soc, ...) plugs into the core the same way: it gets
// the core services, may register routes and may run background work while the server runs.
import type { FastifyInstance } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";

export interface AppModule {
  name: string;
  /** Registered on the HTTP server (with the zod type provider). */
  routes?: FastifyPluginAsyncZod;
  /** Background work (pollers, queues, watchers); called once the server listens. */
  start?(app: FastifyInstance): Promise<void>;
  /** Stops background work; called before the store closes. */
  close?(): Promise<void>;
}
