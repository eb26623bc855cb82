/**
 * Chooses and builds the provider for a config, wrapped with Vigil's retry policy.
 */
import { createAnthropicProvider } from "./anthropic.js";
import type { LlmConfig } from "./config.js";
import { createGeminiProvider } from "./gemini.js";
import { createOpenAIProvider } from "./openai.js";
import { withRetries, type RetryPolicy } from "./retry.js";
import type { Provider } from "./types.js";

export function createProvider(cfg: LlmConfig, retry: Omit<RetryPolicy, "retries">): Provider {
  let base: Provider;
  switch (cfg.provider) {
    case "openai":
    case "azure":
    case "ollama":
      base = createOpenAIProvider(cfg);
      break;
    case "anthropic":
      base = createAnthropicProvider(cfg);
      break;
    case "gemini":
      base = createGeminiProvider(cfg);
      break;
  }
  return withRetries(base, { ...retry, retries: cfg.maxRetries });
}
