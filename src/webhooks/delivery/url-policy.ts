// Webhook URL safety, applied twice: when a webhook is registered or changed (so mistakes fail
// fast) and again on every delivery, inside the connection's own DNS lookup (so a name that
// resolved to a public address at registration and to 127.0.0.1 later — DNS rebinding — is
// refused, and the socket connects only to the addresses that were checked).
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { isIP } from "node:net";
import { classifyAddress, isAllowedClass, METADATA_HOSTNAMES } from "./address-policy.ts";

export const MAX_URL_LENGTH = 2048;

/** Why a destination is refused; the message never names the resolved addresses (no SSRF oracle). */
export class DestinationRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DestinationRefusedError";
  }
}

export interface UrlPolicy {
  allowPrivate: boolean;
}

function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
}

/** Syntax and literal checks that need no DNS; returns the parsed URL. */
export function checkUrlSyntax(raw: string, policy: UrlPolicy): URL {
  if (raw.length > MAX_URL_LENGTH) throw new DestinationRefusedError(`url is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DestinationRefusedError("url is not a valid absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new DestinationRefusedError("url must use http or https");
  // Credentials in a URL end up in listings and logs; receivers authenticate by the signature.
  if (url.username || url.password) throw new DestinationRefusedError("url must not contain credentials (user:password@); verify the signature instead");
  const host = bareHost(url);
  if (!host) throw new DestinationRefusedError("url has no host");
  if (METADATA_HOSTNAMES.has(host.replace(/\.$/, ""))) throw new DestinationRefusedError("url points at a cloud metadata service");
  if (isIP(host)) {
    const kind = classifyAddress(host);
    if (!kind || !isAllowedClass(kind, policy.allowPrivate)) throw new DestinationRefusedError(refusal(kind));
  }
  return url;
}

function refusal(kind: string | null): string {
  return `url is not an allowed destination (${kind ?? "unrecognised"} address); private, loopback and link-local destinations need CLAWNEX_WEBHOOK_ALLOW_PRIVATE=true, metadata, multicast and unspecified ones are always refused`;
}

/** Host name to addresses; the system resolver (getaddrinfo, /etc/hosts included) by default. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/** Resolves `hostname` and refuses it unless every address it resolves to is allowed. */
export async function resolveAllowed(hostname: string, policy: UrlPolicy, resolver: Resolver = systemResolver): Promise<LookupAddress[]> {
  let addresses: LookupAddress[];
  try {
    addresses = await resolver(hostname);
  } catch {
    throw new DestinationRefusedError("url host could not be resolved");
  }
  if (addresses.length === 0) throw new DestinationRefusedError("url host could not be resolved");
  for (const { address } of addresses) {
    const kind = classifyAddress(address);
    if (!kind || !isAllowedClass(kind, policy.allowPrivate)) throw new DestinationRefusedError(`url host resolves to a refused address: ${refusal(kind).replace(/^url is /, "")}`);
  }
  return addresses;
}

/** Full check for registration: syntax, literal address, and every address the host resolves to. */
export async function checkDestination(raw: string, policy: UrlPolicy, resolver?: Resolver): Promise<URL> {
  const url = checkUrlSyntax(raw, policy);
  const host = bareHost(url);
  if (!isIP(host)) await resolveAllowed(host, policy, resolver);
  return url;
}

/**
 * A `lookup` for net/tls.connect (undici's connect options) that resolves, checks every address,
 * and hands the socket only checked addresses: the check and the connection use the same answer.
 */
export function guardedLookup(policy: UrlPolicy, resolver: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolveAllowed(hostname, policy, resolver).then(
      (addresses) => {
        const family = typeof options === "object" && options ? options.family : undefined;
        const matching = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
        if (matching.length === 0) {
          callback(Object.assign(new Error(`no IPv${String(family)} address for host`), { code: "ENOTFOUND" }), "", 0);
        } else if (typeof options === "object" && options?.all) {
          (callback as unknown as (err: null, addresses: LookupAddress[]) => void)(null, matching);
        } else {
          const first = matching[0] as LookupAddress;
          callback(null, first.address, first.family);
        }
      },
      (err: Error) => callback(Object.assign(err, { code: "EREFUSED" }), "", 0),
    );
  };
}
