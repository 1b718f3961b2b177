// Webhook secrets must stay usable for HMAC signing, so they cannot be hashed like API keys: they
// are stored AES-256-GCM encrypted. The key is derived (HKDF) from a random master key kept in a
// file in the data dir (mode 0600), not in the database, so a database dump or a PostgreSQL
// replica alone does not reveal any secret. Servers that share one PostgreSQL database must share
// this file too. The webhook id is bound as associated data: a ciphertext copied onto another
// row does not decrypt.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const MASTER_KEY_FILE = "webhook-secrets.key";
const VERSION = "v1";

export class SecretBox {
  readonly #key: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length < 32) throw new Error("webhook master key must be at least 32 bytes");
    this.#key = Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), "clawnex webhook secrets v1", 32));
  }

  /** Loads the data dir's master key, creating it on first use (exclusive create: first writer wins). */
  static fromDataDir(dataDir: string): SecretBox {
    const path = join(dataDir, MASTER_KEY_FILE);
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      try {
        writeFileSync(path, randomBytes(32).toString("base64") + "\n", { mode: 0o600, flag: "wx" });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
    }
    const key = Buffer.from(readFileSync(path, "utf8").trim(), "base64");
    return new SecretBox(key);
  }

  seal(plaintext: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    cipher.setAAD(Buffer.from(boundTo, "utf8"));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(".");
  }

  /** Throws when the value was not sealed by this key for `boundTo` (wrong key file, tampering). */
  open(sealed: string, boundTo: string): string {
    const [version, iv, tag, ciphertext, extra] = sealed.split(".");
    if (version !== VERSION || !iv || !tag || ciphertext === undefined || extra !== undefined) throw new Error("malformed sealed secret");
    const decipher = createDecipheriv("aes-256-gcm", this.#key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(boundTo, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  }
}
