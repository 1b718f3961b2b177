import type { CallOptions } from "../http.ts";
import type { PagePromise } from "../pagination.ts";
import type { Agent, AgentCreate, AgentListQuery, AgentUpdate } from "../types.ts";
import { enc, Resource } from "./resource.ts";

export class Agents extends Resource {
  /** Filters: status, label, created_after, created_before, order, limit. Iterate with for await. */
  list(query: Partial<AgentListQuery> = {}, options?: CallOptions): PagePromise<Agent> {
    return this.paginate<Agent>("/agents", query, options);
  }

  create(body: AgentCreate, options?: CallOptions): Promise<Agent> {
    return this.call("POST", "/agents", body, undefined, options);
  }

  get(id: string, options?: CallOptions): Promise<Agent> {
    return this.call("GET", `/agents/${enc(id)}`, undefined, undefined, options);
  }

  update(id: string, body: AgentUpdate, options?: CallOptions): Promise<Agent> {
    return this.call("PATCH", `/agents/${enc(id)}`, body, undefined, options);
  }

  delete(id: string, options?: CallOptions): Promise<Agent> {
    return this.call("DELETE", `/agents/${enc(id)}`, undefined, undefined, options);
  }
}
