// Token counts for calls whose upstream reported no usage: counted with gpt-tokenizer's o200k_base
// encoding (GPT-4o family), which works offline. For other model families it is an estimate, and
// the traffic record says so (tokens_estimated = 1). Loading and first use of the tokenizer
// take ~0.3 s of CPU, so the gateway preloads it at start rather than inside a request.
type Counter = (text: string) => number;

let counter: Promise<Counter> | undefined;

function load(): Promise<Counter> {
  counter ??= import("gpt-tokenizer/encoding/o200k_base").then((m) => (text: string) => m.countTokens(text));
  return counter;
}

/** Loads the encoding and runs it once (its tables are built lazily on the first count). */
export async function preloadTokenizer(): Promise<void> {
  (await load())("warm up");
}

/** Tokens of the texts; chat framing adds about 4 tokens per message, as OpenAI documents. */
export async function countTokens(texts: readonly string[], perMessageOverhead = 0): Promise<number> {
  const count = await load();
  let total = 0;
  for (const text of texts) total += (text.length > 0 ? count(text) : 0) + perMessageOverhead;
  return total;
}
