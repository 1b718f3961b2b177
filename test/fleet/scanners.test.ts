// The streaming detectors on their own, with generated inputs: EICAR is found however the
// stream is cut into chunks; magic bytes decide the type, not names; clamd replies parse.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseClamdReply } from "../../src/fleet/files/clamd.ts";
import { EicarDetector, eicarTestString } from "../../src/fleet/files/eicar.ts";
import { sniff } from "../../src/fleet/files/sniff.ts";
import { newId } from "../../src/store/ids.ts";

function feed(content: Buffer, cuts: number[]): boolean {
  const detector = new EicarDetector();
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (content.length + 1)))].sort((a, b) => a - b)) {
    detector.push(content.subarray(from, cut));
    from = cut;
  }
  detector.push(content.subarray(from));
  return detector.found;
}

describe("file scanners", () => {
  it("finds EICAR wherever it sits and however the stream is chunked", () => {
    const eicar = Buffer.from(eicarTestString(), "latin1");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 12 }), (before, after, cuts) => {
        const content = Buffer.concat([Buffer.from(before), eicar, Buffer.from(after)]);
        assert.equal(feed(content, cuts), true);
        // One byte changed in the middle: no neighbours can complete it.
        const broken = Buffer.from(eicar);
        broken[34] = 0x2e;
        assert.equal(feed(Buffer.concat([Buffer.from(before), broken, Buffer.from(after)]), cuts), false);
      }),
      { numRuns: 300 },
    );
  });

  it("classifies by magic bytes", () => {
    assert.deepEqual(sniff(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1]), true), { kind: "executable", type: "elf" });
    assert.deepEqual(sniff(Buffer.from("MZ\x90\x00\x03\x00", "latin1"), true), { kind: "executable", type: "pe" });
    assert.deepEqual(sniff(Buffer.from([0x1f, 0x8b, 8, 0]), true), { kind: "archive", type: "gzip" });
    const tar = Buffer.alloc(512);
    tar.write("ustar", 257, "latin1");
    assert.deepEqual(sniff(tar, true), { kind: "archive", type: "tar" });
    assert.deepEqual(sniff(Buffer.from("héllo wörld\n"), true), { kind: "text", type: "utf8-text" });
    assert.equal(sniff(Buffer.from([0xff, 0xfe, 0x00, 0x41]), true).kind, "binary");
    assert.equal(sniff(Buffer.alloc(0), true).kind, "empty");
    // A multi-byte character cut at the end of the sample is still text.
    const cut = Buffer.from("é".repeat(40_000)).subarray(0, 70_001);
    assert.equal(sniff(cut, false).kind, "text");
  });

  it("parses clamd replies", () => {
    assert.deepEqual(parseClamdReply("stream: OK\0"), { status: "clean", signature: null, reply: "stream: OK" });
    assert.deepEqual(parseClamdReply("stream: Win.Test.EICAR_HDB-1 FOUND\0"), { status: "infected", signature: "Win.Test.EICAR_HDB-1", reply: "stream: Win.Test.EICAR_HDB-1 FOUND" });
    assert.equal(parseClamdReply("INSTREAM size limit exceeded. ERROR\0").status, "error");
    assert.equal(parseClamdReply("").status, "error");
  });

  it("makes strictly increasing ids with matching timestamps, even within one millisecond", () => {
    const ids = Array.from({ length: 2000 }, () => newId("agt", () => 1_700_000_000_000));
    for (let i = 1; i < ids.length; i++) assert.ok((ids[i]?.id ?? "") > (ids[i - 1]?.id ?? ""));
    assert.equal(ids[0]?.at, new Date(1_700_000_000_000).toISOString());
    const later = newId("agt");
    assert.ok(later.id > (ids.at(-1)?.id ?? ""));
  });
});
