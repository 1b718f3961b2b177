// Opaque, tamper-proof pagination cursors: base64url(JSON position) + "." + HMAC-SHA256 tag.
// Lists order by (sort key, id) and resume strictly after the cursor's position, so rows inserted
// between pages are neither skipped nor repeated. A modified cursor answers 400.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { AppError } from "../errors.ts";
import type { SettingsStore } from "../settings/settings-store.ts";

const SECRET_SETTING = "http.cursor_secret";

export class CursorCodec {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    this.#secret = secret;
  }

  /** Loads the signing secret from settings, creating it on first use (shared by all processes). */
  static async fromSettings(settings: SettingsStore): Promise<CursorCodec> {
    let secret = await settings.get<string>(SECRET_SETTING);
    if (!secret) {
      await settings.setIfAbsent(SECRET_SETTING, randomBytes(32).toString("base64url"));
      secret = await settings.get<string>(SECRET_SETTING);
    }
    return new CursorCodec(Buffer.from(secret ?? "", "base64url"));
  }

  #tag(body: string): Buffer {
    return createHmac("sha256", this.#secret).update(body).digest();
  }

  encode(position: Record<string, string | number>): string {
    const body = Buffer.from(JSON.stringify(position)).toString("base64url");
    return `${body}.${this.#tag(body).toString("base64url")}`;
  }

  /** Returns the position, or throws 400 invalid_request for a malformed or modified cursor. */
  decode<T extends Record<string, string | number>>(cursor: string): T {
    const invalid = () => new AppError("invalid_request", "invalid cursor: pass next_cursor from the previous page unchanged");
    const [body, tag, extra] = cursor.split(".");
    if (!body || !tag || extra !== undefined || cursor.length > 2048) throw invalid();
    // Compare the canonical text of the tag: base64 decoding ignores a last character's spare
    // bits, so comparing decoded bytes would accept altered cursors.
    const given = Buffer.from(tag);
    const expected = Buffer.from(this.#tag(body).toString("base64url"));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    try {
      const value = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as unknown;
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid();
      return value as T;
    } catch {
      throw invalid();
    }
  }
}
