// Cost of a call: per-model overrides from the gateway config first, then the price table
// bundled with @pydantic/genai-prices (maintained upstream; offline, no fetch at run time).
// Lookups are cached per (provider URL, model): the table search costs ~0.1-0.4 ms, and even with
// the provider known, calcPrice copies the provider's whole model list and re-runs every model's
// match rules on each call (40-90 µs for OpenAI or Anthropic models). Prices are computed when the
// traffic recorder flushes, on the event loop, for a whole batch at once: that cost was a stall.
import { calcPrice, findProvider, type ModelInfo, type Provider } from "@pydantic/genai-prices";

export interface Price {
  costUsd: number;
  source: "config" | "genai-prices";
}

interface Override {
  inputPerMillion: number;
  outputPerMillion: number;
}

export class PriceTable {
  /** A Map, not the config's object: a model named "constructor" or "toString" is not an override. */
  readonly #overrides: ReadonlyMap<string, Override>;
  readonly #providers = new Map<string, Provider | null>();
  /**
   * What the table matched per (provider URL, model): null for "no price", else the provider
   * narrowed to the one model it matched, which calcPrice then resolves without a search. The
   * price itself is still computed per call (tiers by token count, dates and times of day). The
   * bundled table never changes at run time (updatePrices is not used), so neither do matches.
   */
  readonly #matches = new Map<string, Provider | null>();

  constructor(overrides: Record<string, Override>) {
    this.#overrides = new Map(Object.entries(overrides));
  }

  /**
   * The price of a call, or null when neither the config nor the table knows the model.
   * `models` are tried in order (e.g. the upstream name, then the name the client used).
   */
  price(models: ReadonlyArray<string | null | undefined>, tokensIn: number, tokensOut: number, providerUrl?: string): Price | null {
    for (const model of models) {
      if (!model) continue;
      const override = this.#overrides.get(model);
      if (override) return { costUsd: round((tokensIn * override.inputPerMillion + tokensOut * override.outputPerMillion) / 1e6), source: "config" };
    }
    for (const model of models) {
      if (!model) continue;
      const usage = { input_tokens: tokensIn, output_tokens: tokensOut };
      const key = `${providerUrl ?? ""}|${model}`;
      const narrowed = this.#matches.get(key);
      if (narrowed === null) continue;
      try {
        if (narrowed) {
          const result = calcPrice(usage, model, { provider: narrowed });
          if (result) return { costUsd: round(result.total_price), source: "genai-prices" };
          continue;
        }
        const provider = this.#provider(providerUrl, model);
        const result = calcPrice(usage, model, provider ? { provider } : {});
        this.#remember(key, result ? narrow(result.provider, result.model) : null);
        if (result) return { costUsd: round(result.total_price), source: "genai-prices" };
      } catch {
        // An unusual model id the table's matcher rejects: no price rather than a failed record.
        this.#remember(key, null);
      }
    }
    return null;
  }

  #remember(key: string, match: Provider | null): void {
    if (this.#matches.size > 5000) this.#matches.clear();
    this.#matches.set(key, match);
  }

  #provider(providerUrl: string | undefined, model: string): Provider | undefined {
    const key = `${providerUrl ?? ""}|${model}`;
    let found = this.#providers.get(key);
    if (found === undefined) {
      found = (providerUrl ? findProvider({ providerApiUrl: providerUrl, modelId: model }) : findProvider({ modelId: model })) ?? null;
      if (this.#providers.size > 5000) this.#providers.clear();
      this.#providers.set(key, found);
    }
    return found ?? undefined;
  }
}

/**
 * The provider with only the model the table matched (it may come from one of the provider's
 * fallback providers; no further fallback is needed then). calcPrice finds it again by the same
 * rules, so the result is the one the full search gives.
 */
function narrow(provider: Provider, model: ModelInfo): Provider {
  return { ...provider, models: [model], fallback_model_providers: [] };
}

function round(usd: number): number {
  return Math.round(usd * 1e10) / 1e10;
}
