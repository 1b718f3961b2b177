import type { CallOptions } from "../http.ts";
import type { PagePromise } from "../pagination.ts";
import type { ListItem, QueryParams, ResponseBody } from "../types.ts";
import { Resource } from "./resource.ts";

export type TrafficRecord = ListItem<"/api/v1/traffic">;

/** Gateway traffic records (scope fleet:read), newest first. */
export class Traffic extends Resource {
  /** Filters: since, until, model, verdict, key_id, agent_id, route, outcome, limit. */
  list(query: Partial<QueryParams<"/api/v1/traffic", "get">> = {}, options?: CallOptions): PagePromise<TrafficRecord> {
    return this.paginate<TrafficRecord>("/traffic", query, options);
  }
}

/** Tokens and cost by day, model, provider and key (scope fleet:read). */
export class Costs extends Resource {
  summary(query: Partial<QueryParams<"/api/v1/costs/summary", "get">> = {}, options?: CallOptions): Promise<ResponseBody<"/api/v1/costs/summary", "get">> {
    return this.call("GET", "/costs/summary", undefined, query, options);
  }
}
