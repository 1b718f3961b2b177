import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkRegexSafety } from "../../src/shield/regex-safety.ts";

const unsafe = ["(a+)+$", "(\\w+\\s?)*x", "(?:a|aa)+b", "x.*y", "key=.+", "x[^\\n]*y", "tok\\S+", "(\\d{1,9})+", "^\\s+x", "(a)\\1", "x\\w+y", "x[A-Za-z0-9]+y", "a{0,5000}"];
const safe = ["\\bghp_[A-Za-z0-9]{36}\\b", "ignore\\s+(?:all\\s+)?previous", "(?:\\s{1,3}\\w{1,20}){0,5}", "x[^\\n]{0,80}y", "AKIA[A-Z2-7]{16}", "-{5}BEGIN [A-Z ]{0,40}PRIVATE KEY-{5}", "a_+b"];

describe("regex safety policy", () => {
  for (const pattern of unsafe) {
    it(`refuses /${pattern}/`, () => assert.ok(checkRegexSafety(pattern).length > 0));
  }
  for (const pattern of safe) {
    it(`accepts /${pattern}/`, () => assert.deepEqual(checkRegexSafety(pattern), []));
  }
});
