// Listening sockets beyond loopback, from /proc/net/{tcp,tcp6,udp,udp6}, attributed to their
// processes through /proc/<pid>/fd (socket:[inode] links) where those are readable: a process
// the scan may not inspect (another user's, without root) is reported as unknown, not skipped.
import type { PostureFinding, PostureSeverity } from "../findings.ts";
import type { HostFs } from "../host.ts";
import type { CheckOutcome, PostureCheck } from "./check.ts";
import { formatEndpoint, isListening, isLoopback, isWildcard, parseProcNet, type ProcSocket, type Proto } from "./proc-net.ts";

interface KnownPort {
  service: string;
  severity: PostureSeverity;
  why: string;
}

// Services whose exposure matters more (or less) than an arbitrary port's.
const KNOWN_PORTS: Record<string, KnownPort> = {
  "tcp:22": { service: "SSH", severity: "low", why: "SSH is often meant to be reachable; keep it key-only (see the SSH findings) and limit who can connect." },
  "tcp:2375": { service: "Docker API (plain HTTP)", severity: "critical", why: "the unauthenticated Docker API gives root on the host to anyone who reaches it." },
  "tcp:2376": { service: "Docker API (TLS)", severity: "high", why: "the Docker API controls every container; expose it only with client-certificate auth to trusted hosts." },
  "tcp:18789": { service: "OpenClaw gateway", severity: "high", why: "the gateway is the agents' control plane (tools, sessions, credentials)." },
  "tcp:11434": { service: "Ollama", severity: "high", why: "Ollama has no authentication: anyone reaching it can run and pull models." },
  "tcp:5432": { service: "PostgreSQL", severity: "high", why: "databases should not be reachable beyond the hosts that use them." },
  "tcp:3306": { service: "MySQL", severity: "high", why: "databases should not be reachable beyond the hosts that use them." },
  "tcp:6379": { service: "Redis", severity: "high", why: "Redis often runs without authentication." },
  "tcp:27017": { service: "MongoDB", severity: "high", why: "databases should not be reachable beyond the hosts that use them." },
  "tcp:9200": { service: "Elasticsearch", severity: "high", why: "search clusters often run without authentication." },
  "tcp:11211": { service: "memcached", severity: "high", why: "memcached has no authentication and amplifies UDP floods." },
  "udp:11211": { service: "memcached", severity: "high", why: "memcached has no authentication and amplifies UDP floods." },
  "udp:68": { service: "DHCP client", severity: "info", why: "the DHCP client listens for its lease; expected." },
  "udp:546": { service: "DHCPv6 client", severity: "info", why: "the DHCPv6 client listens for its lease; expected." },
  "udp:5353": { service: "mDNS", severity: "low", why: "multicast DNS announces the host on the local network." },
  "udp:123": { service: "NTP", severity: "low", why: "an NTP server can be abused for reflection if it answers queries." },
};

const TABLES: Array<{ file: string; proto: Proto }> = [
  { file: "/proc/net/tcp", proto: "tcp" },
  { file: "/proc/net/tcp6", proto: "tcp" },
  { file: "/proc/net/udp", proto: "udp" },
  { file: "/proc/net/udp6", proto: "udp" },
];

interface Owner {
  pid: number;
  name: string;
}

/** Maps socket inodes to the processes holding them; stops once every wanted inode is found. */
export function socketOwners(fs: HostFs, inodes: ReadonlySet<number>): { owners: Map<number, Owner>; unreadable: number } {
  const owners = new Map<number, Owner>();
  let unreadable = 0;
  if (inodes.size === 0) return { owners, unreadable };
  const pids = (fs.list("/proc") ?? []).filter((e) => /^\d+$/.test(e));
  for (const pid of pids) {
    const fds = fs.list(`/proc/${pid}/fd`);
    if (fds === null) {
      unreadable++;
      continue;
    }
    for (const fd of fds) {
      const target = fs.readLink(`/proc/${pid}/fd/${fd}`);
      const m = target ? /^socket:\[(\d+)\]$/.exec(target) : null;
      if (!m?.[1]) continue;
      const inode = Number(m[1]);
      if (!inodes.has(inode) || owners.has(inode)) continue;
      const comm = fs.read(`/proc/${pid}/comm`, 256);
      owners.set(inode, { pid: Number(pid), name: comm.ok ? comm.text.trim() || "?" : "?" });
    }
    if (owners.size === inodes.size) break;
  }
  return { owners, unreadable };
}

const EPHEMERAL = -1;
const EPHEMERAL_UDP: KnownPort = { service: "UDP client socket", severity: "info", why: "unconnected UDP sockets on ephemeral ports belong to clients; they accept datagrams from anyone who guesses the port." };

/** The kernel's ephemeral port range (net.ipv4.ip_local_port_range), Linux's default when unreadable. */
function ephemeralRange(fs: HostFs): { low: number; high: number } {
  const read = fs.read("/proc/sys/net/ipv4/ip_local_port_range", 64);
  const m = read.ok ? /^(\d+)\s+(\d+)/.exec(read.text.trim()) : null;
  return m ? { low: Number(m[1]), high: Number(m[2]) } : { low: 32768, high: 60999 };
}

function classify(proto: Proto, port: number, clawnexPort: number): KnownPort {
  if (proto === "tcp" && port === clawnexPort) return { service: "ClawNex API and gateway", severity: "high", why: "see the ClawNex exposure finding: API keys and prompts cross the network." };
  return KNOWN_PORTS[`${proto}:${port}`] ?? { service: `${proto}/${port}`, severity: proto === "tcp" ? "medium" : "low", why: "every listener beyond loopback is attack surface." };
}

export const socketsCheck: PostureCheck = {
  id: "sockets",
  title: "Listening sockets beyond loopback",
  async run(ctx, input): Promise<CheckOutcome> {
    const sockets: ProcSocket[] = [];
    let tablesRead = 0;
    for (const table of TABLES) {
      const read = ctx.fs.read(table.file);
      if (!read.ok) continue;
      tablesRead++;
      sockets.push(...parseProcNet(read.text, table.proto));
    }
    if (tablesRead === 0) {
      return {
        note: "no /proc/net socket tables readable (not Linux, or /proc hidden)",
        findings: [
          {
            checkId: "posture.net.unknown",
            severity: "info",
            title: "Listening sockets could not be checked",
            evidence: "/proc/net/tcp",
            detail: "None of /proc/net/tcp, tcp6, udp, udp6 could be read, so listeners beyond loopback are unknown.",
            remediation: "Run the scan on Linux with /proc mounted, or check listeners with `ss -lntup`.",
          },
        ],
      };
    }
    const exposed = sockets.filter((s) => isListening(s) && !isLoopback(s.address));
    const ephemeral = ephemeralRange(ctx.fs);
    const { owners, unreadable } = socketOwners(ctx.fs, new Set(exposed.map((s) => s.inode).filter((i) => i > 0)));
    const groups = new Map<string, { proto: Proto; port: number; process: Owner | undefined; endpoints: Set<string>; wildcard: boolean }>();
    for (const s of exposed) {
      const owner = owners.get(s.inode);
      // An unconnected UDP socket on an ephemeral port is a client's (resolvers, NTP, QUIC): its
      // port changes on every start, so it is grouped per process under "ephemeral".
      const clientUdp = s.proto === "udp" && s.port >= ephemeral.low && s.port <= ephemeral.high;
      const port = clientUdp ? EPHEMERAL : s.port;
      const key = `${s.proto}|${port}|${owner?.name ?? "?"}`;
      const group = groups.get(key) ?? { proto: s.proto, port, process: owner, endpoints: new Set<string>(), wildcard: false };
      group.endpoints.add(clientUdp ? `${formatEndpoint(s.address, 0).replace(/:0$/, "")}:ephemeral` : formatEndpoint(s.address, s.port));
      group.wildcard ||= isWildcard(s.address);
      groups.set(key, group);
    }
    const allowed = new Set(input.allowedListeners.map((l) => l.toLowerCase()));
    const findings: PostureFinding[] = [];
    for (const g of [...groups.values()].sort((a, b) => a.proto.localeCompare(b.proto) || a.port - b.port)) {
      const known = g.port === EPHEMERAL ? EPHEMERAL_UDP : classify(g.proto, g.port, input.clawnex.port);
      const isAllowed = g.port !== EPHEMERAL && allowed.has(`${g.proto}:${g.port}`);
      const processName = g.process ? g.process.name : "process unknown";
      const where = g.wildcard ? "on all interfaces" : `on ${[...g.endpoints].join(", ")}`;
      findings.push({
        checkId: "posture.net.listener_beyond_loopback",
        severity: isAllowed ? "info" : known.severity,
        title: g.port === EPHEMERAL ? `${processName} holds unconnected UDP client sockets ${where}` : `${known.service === `${g.proto}/${g.port}` ? `${g.proto}/${g.port} (${processName})` : `${known.service} (${g.proto}/${g.port}, ${processName})`} listens ${where}${isAllowed ? " (allowed by posture.allowedListeners)" : ""}`,
        evidence: `${g.proto} ${[...g.endpoints].sort().join(", ")} (${processName})`,
        detail: `${g.process ? `pid ${g.process.pid} (${g.process.name})` : unreadable > 0 ? `no inspectable process holds the socket (${unreadable} process${unreadable === 1 ? "" : "es"} could not be inspected: not readable without root, or gone)` : "no visible process holds the socket (it belongs to another PID namespace, e.g. the container host)"}; ${known.why}`,
        remediation: g.port === EPHEMERAL
          ? "Usually harmless (a resolver, NTP or QUIC client); a default-deny inbound firewall keeps unsolicited datagrams away from it."
          : isAllowed
          ? "Expected by configuration; keep it firewalled to the clients that need it."
          : `Bind the service to 127.0.0.1 if only local clients use it, otherwise restrict it with a firewall rule to the hosts that need it; stop it if unused. Expected listeners can be listed in posture.allowedListeners ("${g.proto}:${g.port}").`,
      });
    }
    const listening = sockets.filter(isListening).length;
    const note = `${listening} listening sockets in ${tablesRead}/4 tables, ${exposed.length} beyond loopback${unreadable > 0 && exposed.length > owners.size ? `; ${unreadable} process${unreadable === 1 ? "" : "es"} not inspectable (owner unknown for ${exposed.length - owners.size})` : ""}`;
    return { findings, note };
  },
};
