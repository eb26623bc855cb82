import { describe, expect, it } from "vitest";
import { VigilError } from "../model/index.js";
import { resolveLlmConfig } from "./config.js";

describe("resolveLlmConfig", () => {
  it("is undefined when no provider is configured anywhere", () => {
    expect(resolveLlmConfig({}, { OPENAI_API_KEY: "k" }, undefined)).toBeUndefined();
  });

  it("reads the environment, with the provider's usual key variable", () => {
    const c = resolveLlmConfig({}, { VIGIL_LLM_PROVIDER: "anthropic", ANTHROPIC_API_KEY: "ak" }, undefined);
    expect(c).toMatchObject({
      provider: "anthropic",
      apiKey: "ak",
      model: "claude-sonnet-4-5",
      redaction: { emails: true, ips: false },
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(
      resolveLlmConfig({}, { VIGIL_LLM_PROVIDER: "gemini", GOOGLE_API_KEY: "g" }, undefined)?.apiKey,
    ).toBe("g");
  });

  it("flags beat the environment, which beats the file", () => {
    const file = {
      provider: "openai" as const,
      model: "from-file",
      baseURL: "http://file:1/v1",
      timeoutSeconds: 9,
      apiKeyEnv: "MY_KEY",
    };
    const env = { VIGIL_LLM_MODEL: "from-env", MY_KEY: "filekey" };
    const c = resolveLlmConfig({ baseUrl: "http://flag:2/v1" }, env, file);
    expect(c).toMatchObject({
      provider: "openai",
      model: "from-env",
      baseURL: "http://flag:2/v1",
      timeoutSeconds: 9,
      apiKey: "filekey",
    });
  });

  it("ollama needs no key and defaults to the local server", () => {
    expect(resolveLlmConfig({ provider: "ollama" }, {}, undefined)).toMatchObject({
      baseURL: "http://127.0.0.1:11434/v1",
      model: "qwen3:8b",
    });
  });

  it("rejects an unknown provider and a missing key, without echoing secrets", () => {
    expect(() => resolveLlmConfig({ provider: "watson" }, {}, undefined)).toThrow(/unknown LLM provider/);
    const err = (() => {
      try {
        resolveLlmConfig({}, { VIGIL_LLM_PROVIDER: "openai" }, undefined);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(VigilError);
    expect((err as VigilError).hint).toContain("OPENAI_API_KEY");
    const bad = (() => {
      try {
        resolveLlmConfig(
          { baseUrl: "not a url" },
          { VIGIL_LLM_PROVIDER: "openai", OPENAI_API_KEY: "sk-supersecret" },
          undefined,
        );
      } catch (e) {
        return e as VigilError;
      }
      return undefined;
    })();
    expect(bad?.message).toContain("baseURL");
    expect(`${bad?.message ?? ""} ${bad?.hint ?? ""}`).not.toContain("sk-supersecret");
  });
});
