// The API reference: the OpenAPI document covers every fleet operation (production and sandbox)
// with its schemas, and /api/v1/docs serves the "try it" page under a strict CSP.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../helpers/server.ts";

const FLEET_OPERATIONS = [
  ["get", "/agents"],
  ["post", "/agents"],
  ["get", "/agents/{id}"],
  ["patch", "/agents/{id}"],
  ["delete", "/agents/{id}"],
  ["get", "/tasks"],
  ["post", "/tasks"],
  ["get", "/tasks/{id}"],
  ["post", "/tasks/{id}/cancel"],
  ["get", "/files"],
  ["post", "/files"],
  ["get", "/files/{id}"],
  ["get", "/files/{id}/content"],
  ["delete", "/files/{id}"],
] as const;

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, unknown>;
}

describe("API reference", () => {
  let server: TestServer;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

  before(async () => {
    server = await startTestServer();
    doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as typeof doc;
  });
  after(() => server.close());

  it("documents every fleet operation, in production and in the sandbox", () => {
    assert.equal(doc.openapi, "3.1.0");
    for (const prefix of ["/api/v1", "/api/v1/sandbox"]) {
      for (const [method, path] of FLEET_OPERATIONS) {
        const op = doc.paths[prefix + path]?.[method];
        assert.ok(op, `${method.toUpperCase()} ${prefix}${path} is documented`);
        assert.ok(op.operationId, "has an operationId");
        assert.ok(op.security && op.security.length > 0, "declares its security");
        assert.ok(Object.keys(op.responses).some((s) => s.startsWith("2")), "documents its success response");
        assert.ok(op.responses["404"] || method === "get", "documents 404");
        if (prefix.endsWith("sandbox")) assert.deepEqual(op.tags, ["sandbox"]);
      }
    }
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    assert.equal(new Set(ids.filter(Boolean)).size, ids.filter(Boolean).length, "operationIds are unique");
    for (const name of ["Agent", "Task", "File", "AgentList", "TaskList", "FileList", "ErrorEnvelope"]) assert.ok(doc.components.schemas[name], `component ${name}`);
    assert.ok(doc.paths["/api/v1/files"]?.post?.requestBody?.content["multipart/form-data"], "uploads are multipart");
    assert.ok(doc.paths["/api/v1/files/{id}/content"]?.get?.responses["200"]);
    const listParams = doc.paths["/api/v1/agents"]?.get?.parameters?.map((p) => p.name) ?? [];
    for (const name of ["limit", "cursor", "status", "label", "created_after", "created_before"]) assert.ok(listParams.includes(name), name);
  });

  it("serves the try-it page under a nonce CSP that allows only this origin", async () => {
    const res = await fetch(`${server.url}/api/v1/docs`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /connect-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = await res.text();
    assert.ok(html.includes(`<script nonce="${nonce}">`));
    assert.ok(html.includes("/api/v1/openapi.json"));
    assert.ok(!html.includes("innerHTML"), "the page inserts the document's text as text");
    const again = (await fetch(`${server.url}/api/v1/docs`)).headers.get("content-security-policy");
    assert.notEqual(again, csp, "a fresh nonce per response");
  });
});
