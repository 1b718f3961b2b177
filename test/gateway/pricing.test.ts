// The price table remembers which table entry a (provider URL, model) matched, so repeated calls
// skip the search: the prices it gives must be the ones a fresh lookup gives, tiers (by prompt
// size) included, and models the table does not know stay unpriced.
import assert from "node:assert/strict";
import { test } from "node:test";
import { calcPrice, findProvider } from "@pydantic/genai-prices";
import { PriceTable } from "../../src/gateway/pricing.ts";

/** The library's own answer, with no caching in between. */
function reference(model: string, tokensIn: number, tokensOut: number, providerUrl?: string): number | null {
  const provider = providerUrl ? findProvider({ providerApiUrl: providerUrl, modelId: model }) : findProvider({ modelId: model });
  const result = calcPrice({ input_tokens: tokensIn, output_tokens: tokensOut }, model, provider ? { provider } : {});
  return result ? Math.round(result.total_price * 1e10) / 1e10 : null;
}

test("repeated lookups give the library's own prices, per call and per tier", () => {
  const table = new PriceTable({});
  const cases: Array<[string, string | undefined]> = [
    ["gpt-4o", "https://api.openai.com/v1"],
    ["gpt-4o-2024-08-06", "http://127.0.0.1:4000/v1"],
    ["claude-sonnet-4-5", "https://api.anthropic.com"],
    ["gemini-2.5-pro", "https://generativelanguage.googleapis.com"],
    ["gpt-4o", undefined],
  ];
  for (const [model, url] of cases) {
    // Small and large prompts alternate: a tiered model must not keep the first call's tier.
    for (const tokensIn of [100, 300_000, 100, 250_000]) {
      const expected = reference(model, tokensIn, 50, url);
      assert.notEqual(expected, null, `${model} is in the bundled table`);
      assert.deepEqual(table.price([model], tokensIn, 50, url), { costUsd: expected, source: "genai-prices" }, `${model} @ ${url} with ${tokensIn} tokens in`);
    }
  }
});

test("unknown models stay unpriced; the next name in the list is tried; config overrides win", () => {
  const table = new PriceTable({ "my-model": { inputPerMillion: 1, outputPerMillion: 2 } });
  for (let i = 0; i < 3; i++) {
    assert.equal(table.price(["bench-model"], 10, 10, "http://127.0.0.1:4000"), null);
    assert.deepEqual(table.price(["bench-model", "gpt-4o"], 100, 50, "http://127.0.0.1:4000"), { costUsd: reference("gpt-4o", 100, 50, "http://127.0.0.1:4000"), source: "genai-prices" });
    assert.deepEqual(table.price(["gpt-4o", "my-model"], 1_000_000, 0), { costUsd: 1, source: "config" });
  }
});

test("a model named like an Object property (constructor, toString, __proto__) is not taken for a config override", () => {
  const table = new PriceTable({ "my-model": { inputPerMillion: 1, outputPerMillion: 2 } });
  for (const model of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
    assert.equal(table.price([model], 1000, 1000, "http://127.0.0.1:4000"), null, model);
  }
});
