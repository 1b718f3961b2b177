// Signatures as receivers check them: the Standard Webhooks reference library (npm
// `standardwebhooks`) must accept ours, and the X-ClawNex-Signature must be the plain hex
// HMAC-SHA256 of the raw body under the secret. Secrets at rest are sealed to their webhook.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { MASTER_KEY_FILE, SecretBox } from "../../src/webhooks/secret-box.ts";
import { clawnexSignature, generateSecret, signatureHeaders } from "../../src/webhooks/signing.ts";

describe("delivery signatures", () => {
  it("secrets are whsec_ + base64 of 32 random bytes, never repeated", () => {
    const secrets = new Set(Array.from({ length: 200 }, generateSecret));
    assert.equal(secrets.size, 200);
    for (const s of secrets) {
      assert.match(s, /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.equal(Buffer.from(s.slice(6), "base64").length, 32);
    }
  });

  it("the Standard Webhooks reference verifier accepts every signed body, and rejects any change", () => {
    fc.assert(
      fc.property(fc.json(), fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !s.includes(".")), (body, suffix) => {
        const secret = generateSecret();
        const id = `evt_${Buffer.from(suffix).toString("hex")}`;
        const headers = signatureHeaders([secret], id, body, new Date());
        const verifier = new Webhook(secret);
        verifier.verify(body, headers);
        assert.throws(() => verifier.verify(body + " ", headers));
        assert.throws(() => verifier.verify(body, { ...headers, "webhook-id": `${id}x` }));
        assert.throws(() => new Webhook(generateSecret()).verify(body, headers));
      }),
      { numRuns: 100 },
    );
  });

  it("the reference verifier rejects a replay outside its 5-minute tolerance", () => {
    const secret = generateSecret();
    const headers = signatureHeaders([secret], "evt_1", "{}", new Date(Date.now() - 10 * 60_000));
    assert.throws(() => new Webhook(secret).verify("{}", headers), /too old/);
  });

  it("X-ClawNex-Signature is sha256=<hex HMAC-SHA256 of the raw body keyed with the secret string>", () => {
    const secret = generateSecret();
    const body = '{"id":"evt_1","type":"task.created","data":{"é":"ü"}}';
    const expected = createHmac("sha256", secret).update(Buffer.from(body, "utf8")).digest("hex");
    assert.equal(clawnexSignature(secret, body), `sha256=${expected}`);
    assert.equal(signatureHeaders([secret], "evt_1", body, new Date())["x-clawnex-signature"], `sha256=${expected}`);
  });

  it("during a rotation's overlap, both headers list one signature per secret and either secret verifies", () => {
    const [current, previous] = [generateSecret(), generateSecret()];
    const body = '{"id":"evt_2","type":"task.created","data":{}}';
    const headers = signatureHeaders([current, previous], "evt_2", body, new Date());
    assert.equal(headers["x-clawnex-signature"], `${clawnexSignature(current, body)}, ${clawnexSignature(previous, body)}`);
    assert.equal(headers["webhook-signature"].split(" ").length, 2);
    new Webhook(current).verify(body, headers);
    new Webhook(previous).verify(body, headers);
    assert.throws(() => new Webhook(generateSecret()).verify(body, headers));
  });
});

describe("secrets at rest", () => {
  const dir = mkdtempSync(join(tmpdir(), "clawnex-secretbox-"));

  it("round-trips, and the ciphertext differs each time and does not contain the secret", () => {
    const box = SecretBox.fromDataDir(dir);
    const secret = generateSecret();
    const a = box.seal(secret, "wh_1");
    const b = box.seal(secret, "wh_1");
    assert.notEqual(a, b);
    assert.ok(!a.includes(secret.slice(6, 20)));
    assert.equal(box.open(a, "wh_1"), secret);
  });

  it("keeps its master key in a 0600 file that a second instance reuses", () => {
    const sealed = SecretBox.fromDataDir(dir).seal("whsec_x", "wh_2");
    assert.equal(SecretBox.fromDataDir(dir).open(sealed, "wh_2"), "whsec_x");
    assert.equal(statSync(join(dir, MASTER_KEY_FILE)).mode & 0o777, 0o600);
    assert.equal(Buffer.from(readFileSync(join(dir, MASTER_KEY_FILE), "utf8").trim(), "base64").length, 32);
  });

  it("refuses a ciphertext moved to another webhook, tampered with, or opened with another key", () => {
    const box = SecretBox.fromDataDir(dir);
    const sealed = box.seal(generateSecret(), "wh_a");
    assert.throws(() => box.open(sealed, "wh_b"));
    const parts = sealed.split(".");
    const last = parts[3] ?? "";
    parts[3] = (last[0] === "A" ? "B" : "A") + last.slice(1);
    assert.throws(() => box.open(parts.join("."), "wh_a"));
    const other = mkdtempSync(join(tmpdir(), "clawnex-secretbox-"));
    try {
      assert.throws(() => SecretBox.fromDataDir(other).open(sealed, "wh_a"));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
