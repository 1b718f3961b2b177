// Cost of a call: per-model overrides from the gateway config first, then the price table
// bundled with @pydantic/genai-prices (maintained upstream; offline, no fetch at run time).
// Lookups are cached per (provider URL, model) because the table search costs ~0.1-0.4 ms.
import { calcPrice, findProvider, type Provider } from "@pydantic/genai-prices";

export interface Price {
  costUsd: number;
  source: "config" | "genai-prices";
}

interface Override {
  inputPerMillion: number;
  outputPerMillion: number;
}

export class PriceTable {
  readonly #overrides: Record<string, Override>;
  readonly #providers = new Map<string, Provider | null>();

  constructor(overrides: Record<string, Override>) {
    this.#overrides = overrides;
  }

  /**
   * The price of a call, or null when neither the config nor the table knows the model.
   * `models` are tried in order (e.g. the upstream name, then the name the client used).
   */
  price(models: ReadonlyArray<string | null | undefined>, tokensIn: number, tokensOut: number, providerUrl?: string): Price | null {
    for (const model of models) {
      if (!model) continue;
      const override = this.#overrides[model];
      if (override) return { costUsd: round((tokensIn * override.inputPerMillion + tokensOut * override.outputPerMillion) / 1e6), source: "config" };
    }
    for (const model of models) {
      if (!model) continue;
      const provider = this.#provider(providerUrl, model);
      try {
        const result = calcPrice({ input_tokens: tokensIn, output_tokens: tokensOut }, model, provider ? { provider } : {});
        if (result) return { costUsd: round(result.total_price), source: "genai-prices" };
      } catch {
        // An unusual model id the table's matcher rejects: no price rather than a failed record.
      }
    }
    return null;
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

function round(usd: number): number {
  return Math.round(usd * 1e10) / 1e10;
}
