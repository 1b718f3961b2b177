import type { CallOptions } from "../http.ts";
import type { PagePromise } from "../pagination.ts";
import type { FileListQuery, FileObject } from "../types.ts";
import { enc, Resource } from "./resource.ts";

export interface UploadOptions extends CallOptions {
  /** Name shown in listings (default "upload.bin", or the File's own name). */
  filename?: string;
  /** Declared content type (default the Blob's type, else application/octet-stream). */
  contentType?: string;
}

export class Files extends Resource {
  /** Filters: scan_status, created_after, created_before, order, limit. */
  list(query: Partial<FileListQuery> = {}, options?: CallOptions): PagePromise<FileObject> {
    return this.paginate<FileObject>("/files", query, options);
  }

  /** Uploads a file (multipart, up to 100 MB); it is scanned before it can be used. */
  upload(content: Blob | Uint8Array | ArrayBuffer | string, options: UploadOptions = {}): Promise<FileObject> {
    const { filename, contentType, ...call } = options;
    const type = contentType ?? (content instanceof Blob && content.type ? content.type : "application/octet-stream");
    const blob = content instanceof Blob ? content : new Blob([typeof content === "string" ? content : new Uint8Array(content instanceof ArrayBuffer ? content : content.slice().buffer)], { type });
    const name = filename ?? (typeof File !== "undefined" && content instanceof File ? content.name : "upload.bin");
    const form = new FormData();
    form.append("file", blob.type === type ? blob : new Blob([blob], { type }), name);
    return this.call("POST", "/files", form, undefined, call);
  }

  get(id: string, options?: CallOptions): Promise<FileObject> {
    return this.call("GET", `/files/${enc(id)}`, undefined, undefined, options);
  }

  /** The file's bytes (409 while it is quarantined). */
  async content(id: string, options: CallOptions = {}): Promise<Uint8Array> {
    const response = await this.transport.send({ ...options, method: "GET", path: `${this.prefix}/files/${enc(id)}/content`, headers: { accept: "application/octet-stream", ...options.headers } });
    return new Uint8Array(await response.arrayBuffer());
  }

  delete(id: string, options?: CallOptions): Promise<FileObject> {
    return this.call("DELETE", `/files/${enc(id)}`, undefined, undefined, options);
  }
}
