// Which IP addresses a webhook may be delivered to. Server-side request forgery is the risk: a
// webhook URL is chosen by an API client, so without this policy ClawNex could be made to POST to
// its own loopback services, the private network, or a cloud metadata endpoint. Addresses are
// classified from their bytes (IPv4-mapped, NAT64 and 6to4 IPv6 forms are judged by the IPv4
// address they carry), so alternative spellings of an address cannot slip through.
import { isIP } from "node:net";

export type AddressClass = "public" | "private" | "loopback" | "link-local" | "multicast" | "unspecified" | "metadata" | "reserved";

/** Classes that CLAWNEX_WEBHOOK_ALLOW_PRIVATE=true unlocks; the others are always refused. */
const PRIVATE_CLASSES: ReadonlySet<AddressClass> = new Set(["private", "loopback", "link-local"]);

/** Cloud instance-metadata services: refused even when private destinations are allowed. */
const METADATA_V4 = new Set(["169.254.169.254", "169.254.170.2", "169.254.169.253", "100.100.100.200", "192.0.0.192"]);
const METADATA_V6 = new Set(["fd00:ec2:0:0:0:0:0:254"]);
export const METADATA_HOSTNAMES: ReadonlySet<string> = new Set(["metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal", "metadata.azure.internal"]);

type V4 = [number, number, number, number];

function parseIPv4(text: string): V4 | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  if (bytes.some((b) => !(b >= 0 && b <= 255))) return null;
  return bytes as V4;
}

/** 16 bytes of an IPv6 address (zone id dropped, embedded dotted IPv4 allowed), or null. */
export function parseIPv6(text: string): number[] | null {
  let address = text.replace(/^\[|\]$/g, "").split("%")[0] ?? "";
  if (isIP(address) !== 6) return null;
  const lastColon = address.lastIndexOf(":");
  const tail = address.slice(lastColon + 1);
  if (tail.includes(".")) {
    // Re-express a dotted IPv4 tail as two hex groups so the group arithmetic below stays uniform.
    const v4 = parseIPv4(tail);
    if (!v4) return null;
    address = address.slice(0, lastColon + 1) + `${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const [left, right, more] = address.split("::");
  if (more !== undefined) return null;
  const groupsOf = (s: string | undefined) => (s ? s.split(":") : []);
  const l = groupsOf(left);
  const r = groupsOf(right);
  const missing = 8 - l.length - r.length;
  if (right === undefined ? missing !== 0 : missing < 1) return null;
  const groups = [...l, ...Array<string>(right === undefined ? 0 : missing).fill("0"), ...r];
  const bytes: number[] = [];
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    const value = parseInt(g, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  return bytes.length === 16 ? bytes : null;
}

function inV4(a: V4, base: V4, bits: number): boolean {
  const ai = ((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]) >>> 0;
  const bi = ((base[0] << 24) | (base[1] << 16) | (base[2] << 8) | base[3]) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (ai & mask) === (bi & mask);
}

function classifyV4(a: V4): AddressClass {
  if (METADATA_V4.has(a.join("."))) return "metadata";
  if (inV4(a, [0, 0, 0, 0], 8)) return "unspecified";
  if (inV4(a, [127, 0, 0, 0], 8)) return "loopback";
  if (inV4(a, [10, 0, 0, 0], 8) || inV4(a, [172, 16, 0, 0], 12) || inV4(a, [192, 168, 0, 0], 16) || inV4(a, [100, 64, 0, 0], 10)) return "private";
  if (inV4(a, [169, 254, 0, 0], 16)) return "link-local";
  if (inV4(a, [224, 0, 0, 0], 4)) return "multicast";
  if (
    inV4(a, [240, 0, 0, 0], 4) || // reserved, incl. 255.255.255.255 broadcast
    inV4(a, [192, 0, 0, 0], 24) || // IETF protocol assignments
    inV4(a, [192, 0, 2, 0], 24) ||
    inV4(a, [198, 51, 100, 0], 24) ||
    inV4(a, [203, 0, 113, 0], 24) || // documentation
    inV4(a, [198, 18, 0, 0], 15) || // benchmarking
    inV4(a, [192, 88, 99, 0], 24) // deprecated 6to4 relay anycast
  ) {
    return "reserved";
  }
  return "public";
}

function startsWith(bytes: number[], prefix: number[], bits: number): boolean {
  for (let bit = 0; bit < bits; bit++) {
    const i = bit >> 3;
    const m = 0x80 >> (bit & 7);
    if (((bytes[i] ?? 0) & m) !== ((prefix[i] ?? 0) & m)) return false;
  }
  return true;
}

function classifyV6(b: number[]): AddressClass {
  const groups = Array.from({ length: 8 }, (_, i) => (((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0)).toString(16));
  if (METADATA_V6.has(groups.join(":"))) return "metadata";
  const embedded = (offset: number): V4 => [b[offset] ?? 0, b[offset + 1] ?? 0, b[offset + 2] ?? 0, b[offset + 3] ?? 0];
  if (b.every((x) => x === 0)) return "unspecified";
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return "loopback";
  // ::ffff:a.b.c.d (IPv4-mapped) and 64:ff9b::a.b.c.d (NAT64) reach the IPv4 address they carry.
  if (startsWith(b, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96)) return classifyV4(embedded(12));
  if (startsWith(b, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96)) return classifyV4(embedded(12));
  // 2002:a.b.c.d::/48 (6to4) likewise.
  if (startsWith(b, [0x20, 0x02], 16)) return classifyV4(embedded(2));
  if (startsWith(b, [], 96)) return "reserved"; // ::a.b.c.d, deprecated IPv4-compatible
  if (startsWith(b, [0, 0x64, 0xff, 0x9b, 0, 1], 48)) return "private"; // local-use NAT64
  if (startsWith(b, [0xfc], 7)) return "private"; // unique local
  if (startsWith(b, [0xfe, 0x80], 10)) return "link-local";
  if (startsWith(b, [0xfe, 0xc0], 10)) return "private"; // deprecated site-local
  if (startsWith(b, [0xff], 8)) return "multicast";
  if (startsWith(b, [0x20, 0x01, 0x0d, 0xb8], 32)) return "reserved"; // documentation
  if (startsWith(b, [0x20, 0x01, 0, 0], 32)) return "reserved"; // Teredo tunnels reach arbitrary IPv4
  if (startsWith(b, [0x01, 0, 0, 0, 0, 0, 0, 0], 64)) return "reserved"; // discard-only
  return "public";
}

/** Classifies an IP literal; null when `address` is not one. */
export function classifyAddress(address: string): AddressClass | null {
  const v4 = isIP(address) === 4 ? parseIPv4(address) : null;
  if (v4) return classifyV4(v4);
  const v6 = parseIPv6(address);
  return v6 ? classifyV6(v6) : null;
}

export function isAllowedClass(kind: AddressClass, allowPrivate: boolean): boolean {
  return kind === "public" || (allowPrivate && PRIVATE_CLASSES.has(kind));
}

export function isAllowedAddress(address: string, allowPrivate: boolean): boolean {
  const kind = classifyAddress(address);
  return kind !== null && isAllowedClass(kind, allowPrivate);
}
