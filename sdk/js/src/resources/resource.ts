import type { CallOptions, RequestOptions, Transport } from "../http.ts";
import { type Page, PagePromise } from "../pagination.ts";

/** Shared by every resource: its transport and its path prefix (/api/v1 or /api/v1/sandbox). */
export class Resource {
  protected readonly transport: Transport;
  protected readonly prefix: string;

  constructor(transport: Transport, prefix: string) {
    this.transport = transport;
    this.prefix = prefix;
  }

  protected call<T>(method: RequestOptions["method"], path: string, body?: unknown, query?: RequestOptions["query"], options: CallOptions = {}): Promise<T> {
    return this.transport.json<T>({ ...options, method, path: this.prefix + path, body, query });
  }

  protected paginate<T>(path: string, query: object = {}, options: CallOptions = {}): PagePromise<T> {
    return new PagePromise<T>((cursor) => this.transport.json<Page<T>>({ ...options, method: "GET", path: this.prefix + path, query: { ...query, ...(cursor ? { cursor } : {}) } }));
  }
}

export const enc = encodeURIComponent;
