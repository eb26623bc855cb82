/**
 * Chooses and builds the provider for a config, wrapped with Vigil's retry policy.
 */
import type { LlmConfig } from "./config.js";
import { withRetries, type RetryPolicy } from "./retry.js";
import type { Provider } from "./types.js";

/** Loads the provider's SDK on first use only: each SDK costs 25–35 MiB of memory and start-up time. */
async function loadProvider(cfg: LlmConfig): Promise<Provider> {
  switch (cfg.provider) {
    case "openai":
    case "azure":
    case "ollama":
      return (await import("./openai.js")).createOpenAIProvider(cfg);
    case "anthropic":
      return (await import("./anthropic.js")).createAnthropicProvider(cfg);
    case "gemini":
      return (await import("./gemini.js")).createGeminiProvider(cfg);
  }
}

export function createProvider(cfg: LlmConfig, retry: Omit<RetryPolicy, "retries">): Provider {
  let loaded: Promise<Provider> | undefined;
  const base: Provider = {
    id: `${cfg.provider}:${cfg.model}`,
    chat: async (req) => {
      loaded ??= loadProvider(cfg);
      return (await loaded).chat(req);
    },
  };
  return withRetries(base, { ...retry, retries: cfg.maxRetries });
}
