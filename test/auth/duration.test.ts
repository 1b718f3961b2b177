import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDuration } from "../../src/auth/keys.ts";
import { randomBase62 } from "../../src/auth/random.ts";
import { AppError } from "../../src/errors.ts";

test("parseDuration accepts s, m, h, d and w", () => {
  assert.equal(parseDuration("90s"), 90_000);
  assert.equal(parseDuration("45m"), 45 * 60_000);
  assert.equal(parseDuration("12h"), 12 * 3_600_000);
  assert.equal(parseDuration("30d"), 30 * 86_400_000);
  assert.equal(parseDuration("2w"), 14 * 86_400_000);
});

test("parseDuration rejects anything else with a message listing the forms", () => {
  for (const bad of ["", "30", "d", "0d", "-1d", "1.5h", "30 days", "1y", "10000000d", "1e3s", "30D"]) {
    assert.throws(
      () => parseDuration(bad),
      (err: unknown) => err instanceof AppError && err.code === "invalid_request" && /30d/.test(err.message),
      bad,
    );
  }
});

test("randomBase62 yields the requested length over the whole alphabet", () => {
  const sample = Array.from({ length: 400 }, () => randomBase62(32)).join("");
  assert.match(sample, /^[0-9A-Za-z]+$/);
  assert.equal(randomBase62(8).length, 8);
  assert.equal(new Set(sample).size, 62);
});
