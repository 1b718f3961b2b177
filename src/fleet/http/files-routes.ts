// /files: multipart upload (streamed to disk, scanned, 413 past the limit), list, metadata,
// content (refused while quarantined), delete.
import type { FastifyReply, FastifyRequest, onSendAsyncHookHandler } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError, invalidRequest } from "../../errors.ts";
import { claimIdempotency } from "../../http/idempotency.ts";
import type { PendingUpload } from "../files/file-service.ts";
import { tooLarge } from "../files/receive.ts";
import { fileListQuery, fileSchema, fileUploadBody, fleetErrors, idParams, listEnvelope } from "./schemas.ts";
import { operation, type RouteKit, spaceOf } from "./route-kit.ts";

const fileList = listEnvelope(fileSchema, "FileList");

/** Room for multipart boundaries and part headers around the file's bytes. */
const MULTIPART_OVERHEAD = 64 * 1024;

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * A refused upload (401, 403, 413, ...) may leave most of its body unread: closing the connection
 * once the error is sent stops it there, instead of reading and discarding up to 100 MB.
 */
const closeOnRefusal: onSendAsyncHookHandler<unknown> = async (_request, reply, payload) => {
  if (reply.statusCode >= 400) reply.header("connection", "close");
  return payload;
};

export function fileRoutes(kit: RouteKit): FastifyPluginAsyncZod {
  const { api, scope, sandbox } = kit;

  async function receive(request: FastifyRequest): Promise<PendingUpload> {
    if (!request.isMultipart()) throw invalidRequest("send the file as multipart/form-data, in one part named 'file'");
    // A declared length far past the limit is refused before reading a byte; otherwise the
    // limit is enforced on the bytes as they stream (chunked bodies declare no length).
    const declared = Number(request.headers["content-length"]);
    if (Number.isFinite(declared) && declared > api.files.maxBytes + MULTIPART_OVERHEAD) throw tooLarge(api.files.maxBytes);
    const space = spaceOf(request, sandbox);
    let upload: PendingUpload | undefined;
    try {
      for await (const part of request.parts()) {
        if (part.type !== "file") continue;
        if (part.fieldname !== "file" || upload) {
          part.file.resume();
          throw invalidRequest("send exactly one file, in a part named 'file'");
        }
        upload = await api.files.receive(space, request.apiKey?.id ?? null, { stream: part.file, filename: part.filename, mimetype: part.mimetype });
      }
    } catch (err) {
      if (upload) await api.files.discard(upload);
      if (err instanceof AppError) throw err;
      // Parser refusals (too many parts or files, truncated body) are the client's: 400.
      const { statusCode, code } = err as { statusCode?: unknown; code?: unknown };
      if (code === "FST_REQ_FILE_TOO_LARGE") throw tooLarge(api.files.maxBytes);
      if (code === "FST_FILES_LIMIT") throw invalidRequest("send exactly one file, in a part named 'file'");
      if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500) throw invalidRequest(`malformed multipart body: ${(err as Error).message}`);
      throw err;
    }
    if (!upload) throw invalidRequest("no file: send it in a multipart part named 'file'");
    return upload;
  }

  return async (app) => {
    app.post(
      "/files",
      {
        onRequest: scope("files:write"),
        onSend: closeOnRefusal,
        config: { idempotent: "deferred" },
        schema: {
          ...operation(kit, "files", "uploadFile", "Upload a file (multipart, up to 100 MB; scanned before it can be used)"),
          consumes: ["multipart/form-data"],
          body: fileUploadBody,
          response: { 201: fileSchema, ...fleetErrors, 503: fleetErrors[500] },
        },
      },
      async (request, reply) => {
        const upload = await receive(request);
        const print = { name: upload.name, content_type: upload.contentType, size: upload.received.size, sha256: upload.received.sha256 };
        let replayed: boolean;
        try {
          replayed = await claimIdempotency(request, reply, print);
        } catch (err) {
          await api.files.discard(upload);
          throw err;
        }
        if (replayed) {
          await api.files.discard(upload);
          return reply;
        }
        const file = await api.files.keep(spaceOf(request, sandbox), upload);
        return reply.code(201).send(file);
      },
    );

    app.get(
      "/files",
      { onRequest: scope("files:read"), schema: { ...operation(kit, "files", "listFiles", "List files"), querystring: fileListQuery, response: { 200: fileList, ...fleetErrors } } },
      async (request) => {
        const { limit, cursor, order, ...filter } = request.query;
        return api.files.list(spaceOf(request, sandbox), filter, { limit, cursor, order });
      },
    );

    app.get(
      "/files/:id",
      { onRequest: scope("files:read"), schema: { ...operation(kit, "files", "getFile", "Get a file's metadata and scan status"), params: idParams, response: { 200: fileSchema, ...fleetErrors } } },
      async (request) => api.files.get(spaceOf(request, sandbox), request.params.id),
    );

    app.get(
      "/files/:id/content",
      {
        onRequest: scope("files:read"),
        schema: {
          ...operation(kit, "files", "getFileContent", "Download a file's content (409 while quarantined)"),
          params: idParams,
          response: { 200: { description: "The file's bytes", content: { "application/octet-stream": { schema: z.string().meta({ format: "binary" }) } } }, ...fleetErrors },
        },
      },
      async (request, reply) => {
        const { file, stream } = await api.files.content(spaceOf(request, sandbox), request.params.id);
        reply
          .header("content-type", "application/octet-stream")
          .header("content-length", String(file.size))
          .header("content-disposition", contentDisposition(file.name))
          .header("x-content-type-options", "nosniff")
          .header("content-security-policy", "default-src 'none'; sandbox")
          .header("x-clawnex-sha256", file.sha256);
        // A stream is sent as is (the 200 schema documents it; nothing to serialise).
        return (reply as FastifyReply).send(stream);
      },
    );

    app.delete(
      "/files/:id",
      {
        onRequest: scope("files:write"),
        config: { idempotent: true },
        schema: { ...operation(kit, "files", "deleteFile", "Delete a file"), params: idParams, response: { 200: fileSchema, ...fleetErrors } },
      },
      async (request) => api.files.delete(spaceOf(request, sandbox), request.params.id),
    );
  };
}
