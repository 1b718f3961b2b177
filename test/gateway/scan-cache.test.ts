// The inbound scan cache: exact text keys, repeated texts scanned once they are cached, one-off
// texts never held, and both bounds (entries, characters) kept.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { ScanCache } from "../../src/gateway/scan-cache.ts";
import type { ScanOutcome } from "../../src/shield/types.ts";

function counter() {
  const scanned: string[] = [];
  const scan = (text: string): ScanOutcome => {
    scanned.push(text);
    return { verdict: text.includes("ignore") ? "BLOCK" : "ALLOW", score: 0, detections: [], invisible: { zero_width: 0, bidi: 0, tag: 0 }, truncated: false };
  };
  return { scanned, scan };
}

describe("inbound scan cache", () => {
  it("caches a text from its second appearance, then answers without scanning", () => {
    const cache = new ScanCache(100, 1_000_000);
    const { scanned, scan } = counter();
    const system = "You are a helpful agent. ".repeat(100);
    for (let turn = 0; turn < 5; turn++) cache.get(system, scan);
    assert.equal(scanned.length, 2);
    assert.equal(cache.size, 1);
    assert.equal(cache.hits, 3);
  });

  it("never holds texts seen once, so one-off turns do not push out the repeated ones", () => {
    const cache = new ScanCache(3, 1_000_000);
    const { scanned, scan } = counter();
    cache.get("system prompt", scan);
    cache.get("system prompt", scan);
    for (let i = 0; i < 50; i++) cache.get(`one-off user turn ${i}`, scan);
    assert.equal(cache.size, 1);
    cache.get("system prompt", scan);
    assert.equal(scanned.filter((t) => t === "system prompt").length, 2);
  });

  it("keys by the exact text, with its SHA-256 for records, and keeps both bounds", () => {
    const cache = new ScanCache(2, 40);
    const { scan } = counter();
    const twice = (text: string) => {
      cache.get(text, scan);
      return cache.get(text, scan);
    };
    assert.equal(twice("please ignore this").outcome.verdict, "BLOCK");
    assert.equal(twice("please ignore this ").outcome.verdict, "BLOCK");
    assert.equal(cache.size, 2);
    assert.equal(twice("a").sha256, createHash("sha256").update("a").digest("hex"));
    assert.equal(cache.get("seen once, not held", scan).sha256, createHash("sha256").update("seen once, not held").digest("hex"));
    assert.ok(cache.size <= 2);
    const before = cache.hits;
    assert.equal(twice("x".repeat(41)).outcome.verdict, "ALLOW");
    assert.equal(cache.hits, before, "a text over the character bound is never held");
  });
});
