import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { AppError } from "../../src/errors.ts";
import { CursorCodec } from "../../src/http/cursor.ts";

describe("pagination cursors", () => {
  const codec = new CursorCodec(randomBytes(32));

  it("round-trips any position", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.string({ maxLength: 40 }), fc.integer())), (position) => {
        assert.equal(JSON.stringify(codec.decode(codec.encode(position))), JSON.stringify(position));
      }),
    );
  });

  it("refuses any modified cursor with a 400", () => {
    const cursor = codec.encode({ ts: "2026-11-24T10:00:00.000Z", id: "agent_1" });
    fc.assert(
      fc.property(fc.nat({ max: cursor.length - 1 }), fc.constantFrom(..."ABCxyz019-_."), (index, ch) => {
        const tampered = cursor.slice(0, index) + ch + cursor.slice(index + 1);
        if (tampered === cursor) return;
        assert.throws(() => codec.decode(tampered), (err: unknown) => err instanceof AppError && err.status === 400);
      }),
    );
  });

  it("refuses cursors signed with another secret", () => {
    const foreign = new CursorCodec(randomBytes(32)).encode({ id: "x" });
    assert.throws(() => codec.decode(foreign), AppError);
  });
});
