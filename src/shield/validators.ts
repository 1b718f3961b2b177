// Checks that turn a pattern match into a finding: checksums (Luhn and card brands, IBAN mod-97,
// GitHub's CRC32, national identifiers), randomness (Shannon entropy, character classes),
// structure (JWT header) and placeholder rejection (EXAMPLE keys, xxxx, <token>, ${VAR}).
import { bsnValid, cpfValid, spanishIdValid, ssnValid, steuerIdValid } from "./national-ids.ts";
import type { Validator } from "./types.ts";

export { bsnValid, cpfValid, spanishIdValid, ssnValid, steuerIdValid };

export function luhn(value: string): boolean {
  // One pass from the right, skipping spaces and dashes: this runs on every card-shaped match.
  let sum = 0;
  let count = 0;
  let double = false;
  for (let i = value.length - 1; i >= 0; i--) {
    const c = value.charCodeAt(i);
    if (c === 32 || c === 45 || c === 9 || c === 10 || c === 13) continue;
    if (c < 48 || c > 57) return false;
    let d = c - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
    count++;
  }
  return count >= 12 && count <= 19 && sum % 10 === 0;
}

/** Card brands by issuer prefix, with the lengths each brand issues. */
const CARD_BRANDS: ReadonlyArray<{ test: (d: string) => boolean; lengths: readonly number[] }> = [
  { test: (d) => d.startsWith("4"), lengths: [13, 16, 19] }, // Visa
  { test: (d) => /^5[1-5]/.test(d) || (Number(d.slice(0, 4)) >= 2221 && Number(d.slice(0, 4)) <= 2720), lengths: [16] }, // Mastercard
  { test: (d) => /^3[47]/.test(d), lengths: [15] }, // American Express
  { test: (d) => /^(?:6011|65|64[4-9])/.test(d), lengths: [16, 17, 18, 19] }, // Discover
  { test: (d) => /^(?:30[0-5]|3095|36|3[89])/.test(d), lengths: [14, 15, 16, 17, 18, 19] }, // Diners Club
  { test: (d) => Number(d.slice(0, 4)) >= 3528 && Number(d.slice(0, 4)) <= 3589, lengths: [16, 17, 18, 19] }, // JCB
  { test: (d) => d.startsWith("62"), lengths: [16, 17, 18, 19] }, // UnionPay
];

/** Card numbers that payment providers publish for testing (Stripe, Braintree, Adyen docs). */
const TEST_CARDS = new Set([
  "4012888888881881", "4222222222222", "4000056655665556", "4000000000000077", "4000000000003220", "4000002500003155",
  "5105105105105100", "5200828282828210", "2223003122003222", "2223000048400011", "378734493671000", "371449635398431",
  "378282246310005", "6011000990139424", "6011111111111117", "6011981111111113", "3530111333300000", "3566002020360505",
  "3566111111111113", "30569309025904", "38520000023237", "36227206271667", "6200000000000005", "6205500000000000004",
]);

/**
 * A payment card number: a known issuer prefix with a length that brand issues, consistent
 * grouping (no separators, or one separator kind between groups), a valid Luhn check digit, and
 * not a well-known test number made of two or three repeated digits (4111 1111 1111 1111).
 * Written as one pass over the characters: it runs on every digit run that looks like a card.
 */
export function paymentCardValid(value: string): boolean {
  let digits = "";
  let separator = "";
  const groups: number[] = [];
  let run = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits += value[i];
      run++;
    } else {
      const ch = value[i] as string;
      if (ch !== " " && ch !== "-") return false;
      if (separator !== "" && ch !== separator) return false;
      separator = ch;
      groups.push(run);
      run = 0;
    }
  }
  groups.push(run);
  if (digits.length < 13 || digits.length > 19) return false;
  if (groups.length > 1) {
    const last = groups[groups.length - 1] as number;
    const fours = groups.slice(0, -1).every((g) => g === 4) && last >= 1 && last <= 4;
    const shape = groups.join("-");
    if (!fours && shape !== "4-6-5" && shape !== "4-6-4") return false;
  }
  const brand = CARD_BRANDS.find((b) => b.test(digits));
  if (!brand || !brand.lengths.includes(digits.length)) return false;
  if (new Set(digits).size <= 3 || /(\d)\1{5}/.test(digits) || TEST_CARDS.has(digits)) return false;
  return luhn(digits);
}

/** IBAN lengths per country (SWIFT IBAN registry). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23,
  GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18,
  NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19,
  SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** ISO 13616 IBAN: a registered country, that country's length, and the mod-97 check. */
export function ibanValid(value: string): boolean {
  const iban = value.replace(/\s/g, "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) return false;
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected === undefined || expected !== iban.length) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const chunk = code >= 65 ? String(code - 55) : ch;
    for (const digit of chunk) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Explicit template and documentation markers: never a real value. */
const TEMPLATE_MARKERS = /example|sample|dummy|placeholder|your[_-]?(?:api[_-]?)?(?:key|token|secret|password)|changeme|redacted|insert|replace|xxxx|\*\*\*\*|<[^>]*>|\.\.\.|\$\{|\{\{|#{4}/i;
const PLACEHOLDER_WORDS = /fake|test[_-]?key|0{8}|1234567|abcdefgh|abcdef(?:gh)?(?:ij)?$/i;
/** Whole values that stand for "a secret goes here" (compared lower-cased). */
const DUMMY_VALUES = new Set([
  "password", "passwd", "pass", "pwd", "secret", "token", "apikey", "api_key", "key", "test", "testing", "changeit",
  "user", "username", "foo", "bar", "baz", "null", "none", "undefined", "true", "false", "string", "value", "xxx", "yyy",
  "mypassword", "yourpassword", "mysecret", "mytoken", "secretpassword", "pass123", "password123", "123456", "12345678",
]);
/** A dictionary word that stands for a password, with a few digits or a "!" appended (Password123!). */
const DUMMY_SHAPE = /^(?:password|passwd|secret|changeme|example|admin|test|demo|qwerty|letmein)\d{0,6}[!.]?$/i;
/** Whole values that are references to a variable rather than a value: $VAR, %VAR%, [PASSWORD], $(cmd). */
const VARIABLE_REFERENCE = /^(?:\$\w+|\$\{[^}]*\}|\$\([^)]*\)|%\w+%|\[[^\]]*\]|\{[^}]*\}|@\w+@|process\.env\.\w+|env\.\w+)$/;

/** True for values that only mark where a value goes: <token>, ${VAR}, xxxx, "password". */
export function isTemplate(value: string): boolean {
  if (TEMPLATE_MARKERS.test(value)) return true;
  if (VARIABLE_REFERENCE.test(value)) return true;
  if (DUMMY_VALUES.has(value.toLowerCase()) || DUMMY_SHAPE.test(value)) return true;
  const body = value.replace(/^[A-Za-z]{2,5}[_-]/, "");
  if (body.length >= 8 && new Set(body).size <= 3) return true;
  return false;
}

/** True for values that are clearly not real credentials (documentation placeholders). */
export function isPlaceholder(value: string): boolean {
  return isTemplate(value) || PLACEHOLDER_WORDS.test(value);
}

/** Counts character classes present: lower-case, upper-case, digits, anything else. */
export function charClasses(value: string): { count: number; digit: boolean } {
  const lower = /[a-z]/.test(value);
  const upper = /[A-Z]/.test(value);
  const digit = /\d/.test(value);
  const other = /[^A-Za-z0-9]/.test(value);
  return { count: Number(lower) + Number(upper) + Number(digit) + Number(other), digit };
}

function base64UrlDecode(part: string): string | null {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(part)) return null;
  try {
    return Buffer.from(part.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
  } catch {
    return null;
  }
}

/**
 * A JSON Web Token: dot-separated base64url parts whose header decodes to a JSON object naming an
 * "alg". The jwt.io sample token ("John Doe", sub 1234567890) is documentation, not a credential.
 */
export function jwtValid(value: string): boolean {
  const parts = value.split(".");
  if (parts.length < 2 || parts.length > 5) return false;
  const header = base64UrlDecode(parts[0] ?? "");
  if (!header) return false;
  try {
    const parsed: unknown = JSON.parse(header);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return false;
    if (typeof (parsed as { alg?: unknown }).alg !== "string") return false;
  } catch {
    return false;
  }
  const payload = base64UrlDecode(parts[1] ?? "") ?? "";
  return !(/"sub"\s*:\s*"1234567890"/.test(payload) && /"name"\s*:\s*"John Doe"/.test(payload));
}

/**
 * A "user:password" pair (curl -u, basic auth): rejected when either side is a template or
 * variable, or the secret side is a dummy word. A lone "token:" (key as user name) counts
 * only if it looks random.
 */
export function credentialPairValid(value: string): boolean {
  const colon = value.indexOf(":");
  if (colon < 0 || isTemplate(value)) return false;
  const user = value.slice(0, colon);
  const password = value.slice(colon + 1);
  // The user name may be a plain word (admin, postgres); only templates and variables disqualify it.
  if (TEMPLATE_MARKERS.test(user) || VARIABLE_REFERENCE.test(user)) return false;
  if (password.length === 0) return user.length >= 8 && !isPlaceholder(user) && entropy(user) >= 3;
  if (user.length === 0) return password.length >= 8 && !isPlaceholder(password) && entropy(password) >= 3;
  if (password.length < 4 || isTemplate(password)) return false;
  // "somepassword", "mySecret", "apiToken": a name standing in for the password.
  if (/pass|pwd|secret|word|user|name|token|key/i.test(password) && looksLikeIdentifier(password)) return false;
  if (password.toLowerCase() === user.toLowerCase()) return false;
  return true;
}

/** A telephone number: 8 to 15 digits (E.164 allows at most 15), not one digit repeated. */
export function phoneValid(value: string): boolean {
  const digits = value.replace(/\D/g, "");
  return digits.length >= 8 && digits.length <= 15 && new Set(digits).size >= 3;
}

const VERSION = /^v?\d{1,4}(?:\.\d{1,6}){1,3}(?:[-+][\w.]{1,40})?$/;
const EMAIL = /^[^@\s]{1,64}@[^@\s]{1,253}\.[A-Za-z]{2,24}$/;
/** Two-letter words that end a camelCase name (userId, isOk, toUpperCase...). */
const SHORT_HUMPS = new Set(["Id", "Is", "Of", "To", "At", "By", "On", "In", "Or", "Up", "No", "Ok", "As", "If", "Do", "Go", "Me", "My", "Us", "Ui", "Io", "Db", "Os"]);
const HUMP = /[A-Z]+\d*(?![a-z])|[A-Z]?[a-z]+\d*|\d+/g;

/**
 * True for a piece of a name: a word, an UPPER word, or camelCase / PascalCase humps (getValue,
 * azureADTokenProvider, APIKey, MD5Hash, v2). Random tokens switch case every letter or two and
 * leave humps of one lower-case letter, which names do not.
 */
function wordLike(part: string): boolean {
  if (part.length <= 1) return true;
  if (!/^[A-Za-z0-9]+$/.test(part)) return false;
  if ((part.match(/\d+/g)?.length ?? 0) > 1) return false; // names carry one number at most (GPT4, MD5Hash)
  const humps = part.match(HUMP) ?? [];
  for (let i = 0; i < humps.length; i++) {
    const h = humps[i] as string;
    const letters = h.replace(/\d+$/, "");
    if (letters === "") continue; // digits, counted by the caller
    if (/^[a-z]/.test(letters)) {
      if (i !== 0) return false; // a lower-case run only starts a name
      continue;
    }
    if (/^[A-Z]+$/.test(letters)) {
      if (letters.length === 1 && i !== humps.length - 1) return false;
      continue;
    }
    if (letters.length < 3 && !SHORT_HUMPS.has(letters)) return false;
  }
  return true;
}

/**
 * True for values that read as code or prose rather than a secret: every piece between
 * separators is a name (config.api_key_v2, NEXUS-GPT4-API-KEY, this.#cacheKey.headers,
 * /etc/ssl/private/key.pem) with at most four digits in all, version strings and e-mail
 * addresses.
 */
export function looksLikeIdentifier(value: string): boolean {
  if (VERSION.test(value) || EMAIL.test(value)) return true;
  let digits = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  if (digits > 4) return false;
  const parts = value.split(/[._\-/:~*#$@]/).filter((p) => p.length > 0);
  return parts.length > 0 && parts.every(wordLike);
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
let crcTable: Uint32Array | undefined;

function crc32(text: string): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = (crcTable[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function base62(value: number, width: number): string {
  let out = "";
  let v = value;
  while (v > 0) {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out.padStart(width, "0");
}

/** GitHub's 2021 token format: prefix_ + 30 random base62 + 6-char base62 CRC32 of the random part. */
export function githubChecksumValid(token: string): boolean {
  const m = /^(gh[pousr]|github_pat)_([A-Za-z0-9_]+)$/.exec(token);
  if (!m || !m[2] || m[1] === "github_pat") return m !== null && m[1] === "github_pat";
  const body = m[2];
  if (body.length !== 36) return false;
  return base62(crc32(body.slice(0, 30)), 6) === body.slice(30);
}

export function runValidators(validators: readonly Validator[], value: string): boolean {
  for (const v of validators) {
    switch (v.type) {
      case "luhn":
        if (!luhn(value)) return false;
        break;
      case "payment_card":
        if (!paymentCardValid(value)) return false;
        break;
      case "iban":
        if (!ibanValid(value)) return false;
        break;
      case "entropy":
        if (entropy(value) < v.min) return false;
        break;
      case "not_placeholder":
        if (isPlaceholder(value)) return false;
        break;
      case "not_template":
        if (isTemplate(value)) return false;
        break;
      case "github_checksum":
        if (!githubChecksumValid(value)) return false;
        break;
      case "min_distinct":
        if (new Set(value).size < v.min) return false;
        break;
      case "char_classes": {
        const c = charClasses(value);
        if (c.count < v.min || (v.digit === true && !c.digit)) return false;
        break;
      }
      case "jwt":
        if (!jwtValid(value)) return false;
        break;
      case "credential_pair":
        if (!credentialPairValid(value)) return false;
        break;
      case "ssn":
        if (!ssnValid(value)) return false;
        break;
      case "es_dni":
        if (!spanishIdValid(value)) return false;
        break;
      case "nl_bsn":
        if (!bsnValid(value)) return false;
        break;
      case "de_steuer_id":
        if (!steuerIdValid(value)) return false;
        break;
      case "br_cpf":
        if (!cpfValid(value)) return false;
        break;
      case "phone":
        if (!phoneValid(value)) return false;
        break;
      case "not_identifier":
        if (looksLikeIdentifier(value)) return false;
        break;
    }
  }
  return true;
}
