import type { CallOptions } from "../http.ts";
import type { JsonObject, ResponseBody, ScanRequest, ScanResult } from "../types.ts";
import { Resource } from "./resource.ts";

export class Shield extends Resource {
  /** Scans text with the Shield rules (the scan is recorded). */
  scan(body: ScanRequest, options?: CallOptions): Promise<ScanResult> {
    return this.call("POST", "/shield/scan", body, undefined, options);
  }

  getScan(id: string, options?: CallOptions): Promise<ResponseBody<"/api/v1/shield/scans/{id}", "get">> {
    return this.call("GET", `/shield/scans/${encodeURIComponent(id)}`, undefined, undefined, options);
  }

  rules(options?: CallOptions): Promise<ResponseBody<"/api/v1/shield/rules", "get">> {
    return this.call("GET", "/shield/rules", undefined, undefined, options);
  }

  mode(options?: CallOptions): Promise<ResponseBody<"/api/v1/shield/mode", "get">> {
    return this.call("GET", "/shield/mode", undefined, undefined, options);
  }

  /** Needs the admin scope; audited. */
  setMode(body: { mode: "OBSERVE" | "BLOCK"; reason?: string } | JsonObject, options?: CallOptions): Promise<ResponseBody<"/api/v1/shield/mode", "put">> {
    return this.call("PUT", "/shield/mode", body, undefined, options);
  }
}
