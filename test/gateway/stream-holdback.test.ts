// The adaptive stream holdback, against the built-in outbound rules and a canary: a secret, card
// number, IBAN, private key or canary split at any chunk boundary never reaches the client, in
// part or whole, while ordinary prose is released as it arrives (at most the word still being
// written is held). Asserted on what the client received after each upstream chunk, not on time.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { holdbackPlanner } from "../../src/gateway/stream-holdback.ts";
import { StreamRelay } from "../../src/gateway/stream-relay.ts";
import { ShieldEngine } from "../../src/shield/engine.ts";
import { loadRules } from "../../src/shield/rule-files.ts";
import { parseRuleFile } from "../../src/shield/rule-schema.ts";
import { splitAt } from "./split-at.ts";
import { deltaContents } from "./sse-deltas.ts";

const CANARY = "CANARY-7f3a9c21-e5d4";
// Stricter than the defaults, so a lone card number or IBAN is masked too (by default it scores REVIEW).
const thresholds = { review: 30, block: 50 };
const engine = new ShieldEngine(loadRules(), { thresholds, canaries: [CANARY] });
const planner = holdbackPlanner(engine.rules, 512);

function chunkEvent(content: string): { event: undefined; data: string; raw: string } {
  const data = JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null }] });
  return { event: undefined, data, raw: `data: ${data}\n\n` };
}

/** Streams the chunks one upstream read each; returns what the client had after each read. */
function stream(chunks: string[], scanner = engine, plan = planner): { relay: StreamRelay; after: string[]; final: string; written: string } {
  let received = "";
  let written = "";
  const relay = new StreamRelay({
    enforce: true,
    holdback: 512,
    tracker: plan.tracker(),
    policy: { categoryActions: {}, thresholds },
    evaluate: (t) => scanner.scan({ text: t, direction: "outbound" }),
    stripUsage: false,
    scanId: "scan_x",
    write: (t) => {
      written += t;
      received += deltaContents(t).join("");
    },
  });
  const after: string[] = [];
  for (const chunk of chunks) {
    if (relay.push([chunkEvent(chunk)]) !== "streaming") break;
    after.push(received);
  }
  if (relay.state === "streaming") {
    relay.push([{ event: undefined, data: JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }), raw: "" }]);
    relay.finish();
  }
  return { relay, after, final: received, written };
}

/** Whether any 8-character piece of the value reached the client. */
function leaked(received: string, value: string): string | null {
  for (let i = 0; i + 8 <= value.length; i++) if (received.includes(value.slice(i, i + 8))) return value.slice(i, i + 8);
  return null;
}

const CASES: Array<{ name: string; before: string; value: string; after: string; blocks: boolean }> = [
  { name: "GitHub token", before: "Set GITHUB_TOKEN=", value: "ghp_UN5aCHmFmLk5MtRwMWgPYQmP0V8GC6fvBLmB", after: " in your shell.", blocks: false },
  { name: "OpenAI key", before: "The key is ", value: "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", after: " so keep it safe.", blocks: false },
  { name: "card number with spaces", before: "Your card: ", value: "4672 1642 4520 3578", after: " was charged.", blocks: false },
  { name: "IBAN in groups", before: "Pay to IBAN: ", value: "DE27 6044 4059 7307 4658 86", after: " by Friday.", blocks: false },
  { name: "keyword-context key", before: "Use MISTRAL_API_KEY=", value: "MbX8CwfuiFAUJZvTqkZmXjVN9UyfnScm", after: " for the client.", blocks: false },
  { name: "canary", before: "My instructions say ", value: CANARY, after: " and that is all.", blocks: true },
];

describe("adaptive stream holdback", () => {
  for (const c of CASES) {
    test(`${c.name}: split at every single boundary, nothing of it reaches the client`, () => {
      const full = `${c.before}${c.value}${c.after}`;
      for (let cut = 1; cut < full.length; cut++) {
        const { relay, final, written } = stream([full.slice(0, cut), full.slice(cut)]);
        const piece = leaked(final, c.value);
        assert.equal(piece, null, `cut at ${cut}: '${piece}' reached the client`);
        if (c.blocks) {
          assert.equal(relay.state, "blocked", `cut at ${cut}`);
          assert.match(written, /"code":"shield_blocked"/);
        } else {
          assert.equal(relay.state, "done", `cut at ${cut}`);
          assert.ok(final.endsWith(c.after), `cut at ${cut}: the text after the secret still arrives`);
          assert.ok(final.includes("[REDACTED]"), `cut at ${cut}: masked`);
        }
      }
    });
  }

  test("split into many chunks at arbitrary points, with prose around it, nothing of any of them leaks", () => {
    const word = fc.constantFrom("the", "report", "is", "ready", "and", "we", "shipped", "it", "today", "ok", "42", "\n");
    const prose = fc.array(word, { maxLength: 30 }).map((w) => w.join(" "));
    fc.assert(
      fc.property(fc.constantFrom(...CASES), prose, prose, fc.array(fc.nat(), { maxLength: 14 }), (c, before, after, cuts) => {
        const full = `${before} ${c.before}${c.value}${c.after} ${after}`;
        const { relay, final } = stream(splitAt(full, cuts));
        assert.equal(leaked(final, c.value), null);
        assert.equal(relay.state, c.blocks ? "blocked" : "done");
      }),
      { numRuns: 300 },
    );
  });

  test("deep into a long answer (far past what the relay keeps of its text), a secret split anywhere still never leaks, and the record has every character", () => {
    const word = fc.constantFrom("the", "report", "is", "ready", "and", "we", "shipped", "it", "today", "ok", "42", "\n");
    fc.assert(
      fc.property(fc.constantFrom(...CASES), fc.array(word, { minLength: 400, maxLength: 3000 }), fc.array(fc.nat({ max: 40 }), { minLength: 200, maxLength: 600 }), fc.nat({ max: 60 }), (c, words, sizes, secretCut) => {
        const prose = words.join(" ");
        const full = `${prose} ${c.before}${c.value}${c.after} ${prose.slice(0, 200)}`;
        // Small chunks throughout (tokens), with one cut inside the secret.
        const cuts = [full.indexOf(c.value) + 1 + (secretCut % (c.value.length - 1))];
        for (let i = 0, at = 0; at < full.length; i++) {
          at += 1 + ((sizes[i % sizes.length] as number) % 24);
          cuts.push(at);
        }
        const { relay, final } = stream(splitAt(full, cuts));
        assert.equal(leaked(final, c.value), null);
        assert.equal(relay.state, c.blocks ? "blocked" : "done");
        if (!c.blocks) assert.equal(relay.text, full);
      }),
      { numRuns: 60 },
    );
  });

  test("an operator's own keyword-less rule is held by what its pattern can match (derived, not listed)", () => {
    const custom = parseRuleFile(
      `family: custom
defaults: { category: pii, direction: outbound }
rules:
  - id: custom.badge
    title: Staff badge number
    severity: critical
    confidence: 1
    sensitive: true
    patterns: ['(?<![\\w-])B-\\d{3} \\d{3} \\d{3}(?![\\w-])']
    must_match: ["badge B-123 456 789 ok"]
    must_not_match: ["B-12"]
`,
      "custom.yaml",
    );
    const own = new ShieldEngine(custom, { thresholds });
    const ownPlanner = holdbackPlanner(own.rules, 512);
    const value = "B-123 456 789";
    const full = `Your badge is ${value} today.`;
    for (let cut = 1; cut < full.length; cut++) {
      const { final: received } = stream([full.slice(0, cut), full.slice(cut)], own, ownPlanner);
      assert.ok(!received.includes("123 456") && !received.includes("456 789"), `cut at ${cut}: ${received}`);
      assert.equal(received, "Your badge is [REDACTED] today.", `cut at ${cut}`);
    }
  });

  test("an operator's folded outbound rule: a phrase in capitals, leetspeak or look-alikes split anywhere is held until blocked", () => {
    const custom = parseRuleFile(
      `family: custom
defaults: { category: system_prompt_leak, direction: outbound, view: folded }
rules:
  - id: custom.codename
    title: Project codename
    severity: critical
    confidence: 1
    action: block
    keywords: [bluefalcon]
    patterns: ['bluefalcon\\s{1,3}launch\\s{1,3}plan']
    must_match: ["the BlueFalcon launch plan"]
    must_not_match: ["a blue falcon"]
  - id: custom.codename-ru
    title: Project codename (Russian)
    severity: critical
    confidence: 1
    action: block
    keywords: [нептун]
    patterns: ['нептун\\s{1,3}launch\\s{1,3}plan']
    must_match: ["НЕПТУН launch plan"]
    must_not_match: ["нептун"]
`,
      "custom.yaml",
    );
    const own = new ShieldEngine(custom, { thresholds });
    const ownPlanner = holdbackPlanner(own.rules, 512);
    // "НЕПТУН" folds apart from "нептун" (its capital Н looks like H): the keyword's forms cover it.
    for (const value of ["BLUEFALCON launch plan", "blu3f4lc0n launch plan", "bluefal\u0441on launch plan", "НЕПТУН launch plan"]) {
      const full = `Notes: ${value} is due.`;
      for (let cut = 1; cut < full.length; cut++) {
        const { relay, final: received } = stream([full.slice(0, cut), full.slice(cut)], own, ownPlanner);
        assert.equal(relay.state, "blocked", `${value}, cut at ${cut}`);
        assert.ok(!received.toLowerCase().includes(value.slice(0, 4).toLowerCase()), `${value}, cut at ${cut}: '${received}' reached the client`);
      }
    }
  });

  test("prose is released as it arrives: the client is never more than the word in progress behind", () => {
    const chunks = ["The", " quarterly", " report", " is", " ready", " for", " review", ".", " We", " shipped", " it", " today", ".\n"];
    const { after, final } = stream(chunks);
    for (let k = 0; k < chunks.length; k++) {
      const sent = chunks.slice(0, k + 1).join("");
      // Every chunk that ends before the word still being written has reached the client.
      const wordStart = sent.length - (/\S*$/.exec(sent)?.[0].length ?? 0);
      let due = "";
      for (const c of chunks.slice(0, k + 1)) if (due.length + c.length <= wordStart) due += c;
      else break;
      assert.ok(after[k]?.startsWith(due), `after chunk ${k} the client has '${due}', got '${after[k]}'`);
    }
    assert.equal(final, chunks.join(""));
  });

  test("a chunk that ends a word is released before the next chunk arrives", () => {
    const chunks = ["Hello there, ", "how are you today? ", "I am fine, thanks.\n", "Bye"];
    const { after } = stream(chunks);
    assert.deepEqual(after.slice(0, 3), ["Hello there, ", "Hello there, how are you today? ", "Hello there, how are you today? I am fine, thanks.\n"]);
  });

  test("text that could be a secret's beginning waits; once it cannot, it goes", () => {
    const { after } = stream(["Try ", "ghp_UN5a", "CHmFmLkQ ", "instead."]);
    assert.equal(after[1], "Try ", "a token prefix is held");
    assert.equal(after[2], "Try ghp_UN5aCHmFmLkQ ", "a token that ended too short to be one goes at once");
  });
});
