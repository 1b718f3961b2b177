// Parses /proc/net/{tcp,tcp6,udp,udp6}: one line per socket with hex local/remote addresses,
// the state and the socket inode. Addresses are 32-bit words in host byte order, so the bytes of
// 127.0.0.1 read "0100007F" on a little-endian machine.
import { endianness } from "node:os";

export type Proto = "tcp" | "udp";

export interface ProcSocket {
  proto: Proto;
  family: 4 | 6;
  address: string;
  port: number;
  remoteAddress: string;
  remotePort: number;
  /** Kernel state code (0A = TCP LISTEN; 07 = UDP unconnected). */
  state: number;
  uid: number;
  inode: number;
}

function wordBytes(hex: string, littleEndian: boolean): number[] {
  const bytes = [0, 2, 4, 6].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return littleEndian ? bytes.reverse() : bytes;
}

function decodeAddress(hex: string, littleEndian: boolean): { address: string; family: 4 | 6 } | null {
  if (hex.length === 8) return { address: wordBytes(hex, littleEndian).join("."), family: 4 };
  if (hex.length !== 32) return null;
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) bytes.push(...wordBytes(hex.slice(w * 8, w * 8 + 8), littleEndian));
  if (bytes.some((b) => Number.isNaN(b))) return null;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  // IPv4-mapped (::ffff:a.b.c.d) reads better in dotted form.
  if (groups.slice(0, 5).every((g) => g === "0") && groups[5] === "ffff") return { address: `::ffff:${bytes.slice(12).join(".")}`, family: 6 };
  return { address: compressIpv6(groups), family: 6 };
}

function compressIpv6(groups: string[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === "0") j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(":");
  return `${groups.slice(0, bestStart).join(":")}::${groups.slice(bestStart + bestLen).join(":")}`;
}

/** Parses one /proc/net table; malformed lines are skipped. */
export function parseProcNet(text: string, proto: Proto, littleEndian = endianness() === "LE"): ProcSocket[] {
  const out: ProcSocket[] = [];
  for (const line of text.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    const [local, remote, state, , , , uid, , inode] = cols.slice(1);
    const [lHex, lPort] = (local ?? "").split(":");
    const [rHex, rPort] = (remote ?? "").split(":");
    if (!lHex || !lPort || !rHex || !rPort) continue;
    const l = decodeAddress(lHex, littleEndian);
    const r = decodeAddress(rHex, littleEndian);
    if (!l || !r) continue;
    out.push({
      proto,
      family: l.family,
      address: l.address,
      port: Number.parseInt(lPort, 16),
      remoteAddress: r.address,
      remotePort: Number.parseInt(rPort, 16),
      state: Number.parseInt(state ?? "", 16),
      uid: Number.parseInt(uid ?? "", 10),
      inode: Number.parseInt(inode ?? "", 10),
    });
  }
  return out;
}

export const TCP_LISTEN = 0x0a;
export const UDP_UNCONNECTED = 0x07;

/** Sockets that accept traffic: TCP in LISTEN, UDP bound without a peer. */
export function isListening(s: ProcSocket): boolean {
  if (s.proto === "tcp") return s.state === TCP_LISTEN;
  return s.state === UDP_UNCONNECTED && s.remotePort === 0;
}

export function isLoopback(address: string): boolean {
  return address.startsWith("127.") || address === "::1" || address.startsWith("::ffff:127.");
}

export function isWildcard(address: string): boolean {
  return address === "0.0.0.0" || address === "::";
}

export function formatEndpoint(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}
