/**
 * LLM settings: one zod schema, merged from a config file, the environment and flags (flags win), then
 * frozen. This module never reads `process.env` itself: the CLI passes the environment in as a record.
 */
import { z } from "zod";
import { VigilError } from "../model/index.js";

export const ProviderName = z.enum(["openai", "azure", "anthropic", "gemini", "ollama"]);
export type ProviderName = z.infer<typeof ProviderName>;

export const RedactionConfig = z.object({
  /** Mask e-mail addresses. */
  emails: z.boolean().default(true),
  /** Mask IPv4 and IPv6 addresses. */
  ips: z.boolean().default(false),
  /** Extra regular expressions (source strings); every match is masked. */
  patterns: z.array(z.string().min(1)).max(64).default([]),
});
export type RedactionConfig = z.output<typeof RedactionConfig>;

export const LlmConfig = z.object({
  provider: ProviderName,
  model: z.string().min(1),
  /** Base URL of an OpenAI-compatible server (vLLM, llama.cpp, Ollama), a proxy or a test fake. */
  baseURL: z.url().optional(),
  /** The key itself: never printed, never logged. Absent for local servers. */
  apiKey: z.string().min(1).optional(),
  /** Azure OpenAI API version (provider `azure`). */
  apiVersion: z.string().min(1).optional(),
  timeoutSeconds: z.number().int().min(1).max(3600).default(120),
  maxRetries: z.number().int().min(0).max(10).default(3),
  /** `native`: the API's tool calling; `json`: tools described in the prompt, calls parsed from text. */
  toolMode: z.enum(["native", "json"]).default("native"),
  maxSteps: z.number().int().min(1).max(50).default(12),
  maxOutputTokens: z.number().int().min(64).max(65_536).default(2048),
  /** Per million tokens, for the cost line; unknown models cost nothing in the report. */
  inputPricePerMTok: z.number().min(0).optional(),
  outputPricePerMTok: z.number().min(0).optional(),
  redaction: RedactionConfig.default(RedactionConfig.parse({})),
});
export type LlmConfig = Readonly<z.output<typeof LlmConfig>>;

/** The config file's shape: like LlmConfig, every field optional, plus the name of a key variable. */
export const LlmConfigFile = LlmConfig.partial().extend({
  /** Name of the environment variable holding the key (keys do not belong in files). */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/)
    .optional(),
});
export type LlmConfigFile = z.input<typeof LlmConfigFile>;

export type EnvRecord = Readonly<Record<string, string | undefined>>;

/** Flags from `vigil ask`/`vigil mcp` that override the file and the environment. */
export interface LlmFlags {
  readonly provider?: string | undefined;
  readonly model?: string | undefined;
  readonly baseUrl?: string | undefined;
  readonly toolMode?: string | undefined;
}

const KEY_VARS: Readonly<Record<ProviderName, readonly string[]>> = {
  openai: ["OPENAI_API_KEY"],
  azure: ["AZURE_OPENAI_API_KEY"],
  anthropic: ["ANTHROPIC_API_KEY"],
  gemini: ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
  ollama: ["OLLAMA_API_KEY"],
};

const DEFAULT_MODEL: Readonly<Record<ProviderName, string | undefined>> = {
  openai: "gpt-4.1-mini",
  azure: undefined, // the deployment name: no sensible default
  anthropic: "claude-sonnet-4-5",
  gemini: "gemini-2.5-flash",
  ollama: "qwen3:8b",
};

export function keyVariables(p: ProviderName): readonly string[] {
  return KEY_VARS[p];
}

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s === "" ? undefined : s);

/**
 * Resolves the LLM config, or undefined when no provider is configured anywhere (Vigil then answers
 * without a model). Precedence per field: flags, then environment, then file.
 */
export function resolveLlmConfig(
  flags: LlmFlags,
  env: EnvRecord,
  file: LlmConfigFile | undefined,
): LlmConfig | undefined {
  const fileCfg = file === undefined ? undefined : LlmConfigFile.safeParse(file);
  if (fileCfg !== undefined && !fileCfg.success) {
    throw new VigilError("LlmConfig", `invalid LLM config file: ${z.prettifyError(fileCfg.error)}`);
  }
  const f = fileCfg?.data ?? {};
  const providerRaw = nonEmpty(flags.provider) ?? nonEmpty(env["VIGIL_LLM_PROVIDER"]) ?? f.provider;
  if (providerRaw === undefined) return undefined;
  const provider = ProviderName.safeParse(providerRaw);
  if (!provider.success) {
    throw new VigilError("LlmConfig", `unknown LLM provider "${providerRaw}"`, {
      hint: `use one of: ${ProviderName.options.join(", ")}`,
    });
  }
  const p = provider.data;
  const model = nonEmpty(flags.model) ?? nonEmpty(env["VIGIL_LLM_MODEL"]) ?? f.model ?? DEFAULT_MODEL[p];
  if (model === undefined) {
    throw new VigilError("LlmConfig", `provider ${p} needs a model`, {
      hint: "set VIGIL_LLM_MODEL or --model (for Azure: the deployment name)",
    });
  }
  const keyFromFileVar = f.apiKeyEnv !== undefined ? nonEmpty(env[f.apiKeyEnv]) : undefined;
  const apiKey =
    nonEmpty(env["VIGIL_LLM_API_KEY"]) ??
    keyFromFileVar ??
    KEY_VARS[p].map((k) => nonEmpty(env[k])).find((v) => v !== undefined);
  const baseURL =
    nonEmpty(flags.baseUrl) ??
    nonEmpty(env["VIGIL_LLM_BASE_URL"]) ??
    f.baseURL ??
    (p === "ollama" ? (nonEmpty(env["OLLAMA_HOST"]) ?? "http://127.0.0.1:11434") + "/v1" : undefined) ??
    (p === "azure" ? nonEmpty(env["AZURE_OPENAI_ENDPOINT"]) : undefined);
  const rest: Record<string, unknown> = { ...f };
  delete rest["apiKeyEnv"];
  const merged = {
    ...rest,
    provider: p,
    model,
    ...(baseURL !== undefined ? { baseURL } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(nonEmpty(flags.toolMode) !== undefined ? { toolMode: flags.toolMode } : {}),
    ...(p === "azure" && f.apiVersion === undefined && nonEmpty(env["OPENAI_API_VERSION"]) !== undefined
      ? { apiVersion: env["OPENAI_API_VERSION"] }
      : {}),
  };
  const r = LlmConfig.safeParse(merged);
  if (!r.success) {
    // The error names fields, never values: the key must not reach a terminal or a log.
    const fields = r.error.issues.map((i) => i.path.join(".")).join(", ");
    throw new VigilError("LlmConfig", `invalid LLM settings: ${fields}`, {
      hint: z.prettifyError(r.error).replaceAll(apiKey ?? "\u0000", "***"),
    });
  }
  if (
    r.data.apiKey === undefined &&
    (p === "openai" || p === "anthropic" || p === "gemini" || p === "azure")
  ) {
    if (r.data.baseURL === undefined) {
      throw new VigilError("LlmConfig", `provider ${p} needs an API key`, {
        hint: `set ${KEY_VARS[p].join(" or ")}`,
      });
    }
  }
  return Object.freeze({ ...r.data, redaction: Object.freeze(r.data.redaction) });
}

/** How to turn a model on, for the no-provider answer and errors. */
export const CONFIGURE_HINT = [
  "To get answers from a model, configure a provider, for example:",
  "  export VIGIL_LLM_PROVIDER=openai   OPENAI_API_KEY=…      (VIGIL_LLM_MODEL=gpt-4.1-mini)",
  "  export VIGIL_LLM_PROVIDER=anthropic ANTHROPIC_API_KEY=…",
  "  export VIGIL_LLM_PROVIDER=gemini   GEMINI_API_KEY=…",
  "  export VIGIL_LLM_PROVIDER=ollama   VIGIL_LLM_MODEL=qwen3:8b   (local; VIGIL_LLM_BASE_URL for vLLM/llama.cpp)",
  "See docs/assistant.md.",
].join("\n");
