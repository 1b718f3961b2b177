// Reads packet-filter rule sets (nft list ruleset, iptables-save) far enough to answer one
// question: does anything filter inbound traffic? That is: an input-hook chain (nft) or the
// INPUT chain (iptables) whose policy drops, or from which a drop/reject rule is reachable
// through jumps. Forwarding and NAT rules (Docker's, for instance) do not count.

export interface InputFiltering {
  /** Something drops or rejects inbound packets. */
  filtering: boolean;
  /** Where, for the evidence ("inet filter input policy drop"). */
  reason: string;
}

interface Chain {
  name: string;
  policyDrops: boolean;
  dropsDirectly: boolean;
  jumps: string[];
}

function reachableFiltering(chains: Map<string, Chain>, roots: string[]): InputFiltering {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const chain = chains.get(name);
    if (!chain) continue;
    if (chain.policyDrops) return { filtering: true, reason: `${name} policy drop` };
    if (chain.dropsDirectly) return { filtering: true, reason: `${name} has drop/reject rules` };
    queue.push(...chain.jumps);
  }
  return { filtering: false, reason: roots.length === 0 ? "no input chain" : `${roots.join(", ")} accept everything` };
}

/** `nft list ruleset` output. Chain names are qualified by their table ("inet filter input"). */
export function nftInputFiltering(ruleset: string): InputFiltering {
  const chains = new Map<string, Chain>();
  const roots: string[] = [];
  let table = "";
  let current: Chain | null = null;
  for (const raw of ruleset.split("\n")) {
    const line = raw.trim();
    const tableMatch = /^table\s+(\S+)\s+(\S+)\s*\{/.exec(line);
    if (tableMatch) {
      table = `${tableMatch[1]} ${tableMatch[2]}`;
      continue;
    }
    const chainMatch = /^chain\s+(\S+)\s*\{/.exec(line);
    if (chainMatch) {
      current = { name: `${table} ${chainMatch[1]}`, policyDrops: false, dropsDirectly: false, jumps: [] };
      chains.set(current.name, current);
      continue;
    }
    if (!current) continue;
    if (line === "}") {
      current = null;
      continue;
    }
    if (/\bhook\s+input\b/.test(line)) {
      if (/\btype\s+filter\b/.test(line)) roots.push(current.name);
      if (/\bpolicy\s+drop\b/.test(line)) current.policyDrops = true;
      continue;
    }
    const jump = /\b(?:jump|goto)\s+(\S+)/.exec(line);
    if (jump?.[1]) current.jumps.push(`${table} ${jump[1]}`);
    if (/\b(drop|reject)\b/.test(line)) current.dropsDirectly = true;
  }
  return reachableFiltering(chains, roots);
}

/** `iptables-save` output (its *filter table). */
export function iptablesInputFiltering(save: string): InputFiltering {
  const chains = new Map<string, Chain>();
  let inFilter = false;
  const chain = (name: string) => {
    const existing = chains.get(name);
    if (existing) return existing;
    const created: Chain = { name, policyDrops: false, dropsDirectly: false, jumps: [] };
    chains.set(name, created);
    return created;
  };
  for (const raw of save.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("*")) {
      inFilter = line === "*filter";
      continue;
    }
    if (!inFilter) continue;
    const policy = /^:(\S+)\s+(\S+)/.exec(line);
    if (policy?.[1]) {
      const c = chain(policy[1]);
      c.policyDrops = policy[2] === "DROP" || policy[2] === "REJECT";
      continue;
    }
    const rule = /^-A\s+(\S+)\s.*?-[jg]\s+(\S+)/.exec(line);
    if (rule?.[1] && rule[2]) {
      const c = chain(rule[1]);
      if (rule[2] === "DROP" || rule[2] === "REJECT") c.dropsDirectly = true;
      else if (!["ACCEPT", "RETURN", "LOG", "MARK", "CONNMARK", "NFLOG", "ULOG"].includes(rule[2])) c.jumps.push(rule[2]);
    }
  }
  return reachableFiltering(chains, chains.has("INPUT") ? ["INPUT"] : []);
}
