// The chat route's fast body check must never accept what the zod schema rejects (it is a strict
// subset), must keep an accepted body as parsed, and must leave the errors to zod.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { chatValidatorCompiler, isPlainChatRequest } from "../../src/gateway/chat-validation.ts";
import { chatRequestSchema } from "../../src/gateway/schemas.ts";
import { CORPUS_SKIP, openclawHello, openclawToolResult } from "./corpus.ts";

const validate = chatValidatorCompiler({ schema: chatRequestSchema, method: "POST", url: "/v1/chat/completions", httpPart: "body" });

/** Values of the kinds a JSON body can hold, around the schema's bounds. */
const jsonish = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.constantFrom("", "x", "user", "a".repeat(64), "a".repeat(65), "m".repeat(256), "m".repeat(257)),
  fc.constantFrom([], [{}], [{ type: "text", text: "hi" }], [{ type: 1 }], [null], ["text"], {}, { include_usage: true }, { include_usage: "yes" }),
);
/** Mostly a value the schema accepts in that place, sometimes anything. */
const mostly = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: jsonish, weight: 1 });
const content = mostly(fc.oneof(fc.string(), fc.constant(null), fc.array(fc.record({ type: mostly(fc.constantFrom("text", "image_url")), text: fc.string() }, { requiredKeys: [] }), { maxLength: 3 })));
const message = mostly(fc.record({ role: mostly(fc.constantFrom("system", "user", "a".repeat(64))), content, name: jsonish }, { requiredKeys: [] }));
const body = mostly(
  fc.record(
    {
      model: mostly(fc.constantFrom("m", "gpt-4o", "m".repeat(256))),
      messages: mostly(fc.array(message, { maxLength: 4 })),
      stream: mostly(fc.oneof(fc.boolean(), fc.constant(null))),
      stream_options: mostly(fc.oneof(fc.constant(null), fc.record({ include_usage: mostly(fc.boolean()) }, { requiredKeys: [] }))),
      tools: mostly(fc.array(mostly(fc.record({ type: fc.constant("function"), function: fc.record({ name: fc.string() }) })), { maxLength: 3 })),
      extra: jsonish,
    },
    { requiredKeys: ["model", "messages"] },
  ),
);

describe("chat body validation", () => {
  test("accepts nothing the zod schema rejects", () => {
    fc.assert(
      fc.property(body, (b) => {
        // What the route sees: a body that went through JSON (no undefined values).
        const parsed: unknown = b === undefined ? undefined : JSON.parse(JSON.stringify(b) ?? "null");
        if (isPlainChatRequest(parsed)) assert.ok(chatRequestSchema.safeParse(parsed).success, JSON.stringify(parsed));
      }),
      { numRuns: 5000 },
    );
  });

  test("keeps an accepted body as parsed and hands the rest to zod", () => {
    const ok = { model: "m", messages: [{ role: "user", content: "hi" }], stream: true, stream_options: { include_usage: true }, tools: [{ type: "function" }] };
    const accepted = validate(ok) as { value?: unknown };
    assert.equal(accepted.value, ok);
    const rejected = validate({ model: "", messages: [] }) as { error?: Error };
    assert.ok(rejected.error);
    assert.deepEqual(Object.keys(rejected), ["error"]);
  });

  test("the OpenClaw requests take the fast path", { skip: CORPUS_SKIP }, () => {
    assert.ok(isPlainChatRequest(openclawHello()));
    assert.ok(isPlainChatRequest(openclawToolResult()));
  });
});
