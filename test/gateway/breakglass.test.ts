// Break-glass: enforcement off for a bounded time (admin API and CLI), traffic still scanned,
// recorded and marked; it ends by itself; start and end are audited.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers/io.ts";
import { type GatewayHarness, startGateway, traffic } from "./setup.ts";

const blocked = { model: "fake-model", messages: [{ role: "user" as const, content: "please zz-block-me now" }] };

describe("break-glass", () => {
  let h: GatewayHarness;
  const api = (method: string, body?: unknown, key?: string) =>
    fetch(`${h.server.url}/api/v1/gateway/breakglass`, { method, headers: { "x-clawnex-key": key ?? h.admin, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
  before(async () => {
    h = await startGateway({ mode: "BLOCK" });
  });
  after(() => h.close());

  test("the admin API starts it: blocked prompts pass, still scanned and marked; it is refused to non-admins and above the maximum", async () => {
    assert.equal((await api("POST", { minutes: 5, reason: "incident 42" }, h.key)).status, 403);
    assert.equal((await api("POST", { minutes: 61, reason: "too long" })).status, 400);
    const started = await api("POST", { minutes: 5, reason: "incident 42" });
    assert.equal(started.status, 201);
    assert.equal((await api("POST", { minutes: 5, reason: "again" })).status, 409);
    const { data, response } = await h.client.chat.completions.create(blocked).withResponse();
    assert.ok(data.choices[0]?.message.content);
    assert.equal(response.headers.get("x-clawnex-break-glass"), "true");
    const [row] = await traffic(h);
    assert.equal(row?.break_glass, true);
    assert.equal(row?.inbound_verdict, "BLOCK");
    assert.equal(row?.outcome, "ok");
    const ended = await api("DELETE");
    assert.equal(ended.status, 200);
    await assert.rejects(h.client.chat.completions.create(blocked), OpenAI.BadRequestError);
    const actions = (await h.server.services.audit.list({ limit: 100 })).events.map((e) => e.action);
    assert.ok(actions.includes("gateway.breakglass_started"));
    assert.ok(actions.includes("gateway.breakglass_ended"));
  });

  test("the CLI starts, shows and ends it (the server sees it within a second)", async () => {
    const bad = captureIo(h.server.env);
    assert.equal(await main(["breakglass", "start", "--minutes", "500", "--reason", "x y z"], bad), 2);
    const io = captureIo(h.server.env);
    assert.equal(await main(["breakglass", "start", "--minutes", "2", "--reason", "cli incident"], io), 0, io.err());
    assert.match(io.out(), /active until/);
    const status = captureIo(h.server.env);
    assert.equal(await main(["breakglass", "status"], status), 0);
    assert.match(status.out(), /ACTIVE bg_/);
    await new Promise((r) => setTimeout(r, 1100));
    await h.client.chat.completions.create(blocked);
    const endIo = captureIo(h.server.env);
    assert.equal(await main(["breakglass", "end"], endIo), 0);
    assert.match(endIo.out(), /ended/);
    const events = (await h.server.services.audit.list({ limit: 100 })).events.filter((e) => e.action.startsWith("gateway.breakglass"));
    assert.ok(events.some((e) => e.actor === "cli" && e.action === "gateway.breakglass_started"));
  });
});
