/**
 * Each provider through its real SDK against a fake server on loopback: tool-call round trips (the
 * results go back in the API's own shape), malformed calls fed back as errors, 5xx and 429 retried with
 * backoff, slow answers cut by the timeout, garbage bodies and aborts turned into typed errors.
 */
import { afterEach, describe, expect, it } from "vitest";
import { runAgent } from "./agent.js";
import { rawStateFindings } from "./cluster.js";
import { LlmConfig } from "./config.js";
import { createProvider } from "./provider.js";
import { createRedactor } from "./redact.js";
import { LlmError } from "./retry.js";
import { CORPUS } from "./testdata/corpus.js";
import { fakeCluster, startFakeLlm, type FakeLlmServer, type Step, type WireFormat } from "./testkit.js";
import { READ_ONLY_TOOLS } from "./tools.js";

const servers: FakeLlmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(format: WireFormat, script: readonly Step[], over: Record<string, unknown> = {}) {
  const llm = await startFakeLlm(format, script);
  servers.push(llm);
  const cfg = LlmConfig.parse({
    provider: format,
    model: "fake-model",
    baseURL: format === "openai" ? `${llm.url}/v1` : llm.url,
    apiKey: "test-key",
    ...over,
  });
  const sleeps: number[] = [];
  const provider = createProvider(cfg, {
    baseDelayMs: 100,
    maxDelayMs: 5000,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
  });
  return { llm, provider, sleeps };
}

function agent(
  provider: Awaited<ReturnType<typeof setup>>["provider"],
  signal = new AbortController().signal,
) {
  const cluster = fakeCluster(CORPUS);
  return (q: string) =>
    runAgent(q, {
      provider,
      tools: READ_ONLY_TOOLS,
      toolContext: {
        cluster,
        findings: rawStateFindings(cluster),
        defaultNamespace: "shop",
        now: () => new Date("2026-11-26T10:00:00Z"),
        signal,
      },
      redactor: createRedactor({ emails: true, ips: false, patterns: [] }),
      approve: () => Promise.resolve(false),
      maxSteps: 6,
      toolMode: "native",
    });
}

const formats: WireFormat[] = ["openai", "anthropic", "gemini"];

describe.each(formats)("%s provider", (format) => {
  it("round-trips a tool call: the result goes back in the API's shape and the answer comes through", async () => {
    const { llm, provider } = await setup(format, [
      { kind: "tools", calls: [{ name: "list_resources", args: { kind: "pods", namespace: "shop" } }] },
      { kind: "text", text: "checkout-7d9f-abcde is in CrashLoopBackOff." },
    ]);
    const res = await agent(provider)("what is broken?");
    expect(res.answer).toBe("checkout-7d9f-abcde is in CrashLoopBackOff.");
    expect(res.stopReason).toBe("answer");
    expect(res.usage).toEqual({ inputTokens: 20, outputTokens: 10 });
    expect(llm.requests).toHaveLength(2);
    const second = JSON.parse(llm.requests[1]!.body) as Record<string, unknown>;
    const body = JSON.stringify(second);
    expect(body).toContain("CrashLoopBackOff");
    if (format === "openai") {
      expect(llm.requests[0]!.path).toBe("/v1/chat/completions");
      expect(llm.requests[0]!.headers.authorization).toBe("Bearer test-key");
      expect(body).toMatch(/"role":"tool","tool_call_id":"call_\d+"/);
    } else if (format === "anthropic") {
      expect(llm.requests[0]!.path).toBe("/v1/messages");
      const h = llm.requests[0]!.headers;
      expect([h["x-api-key"], h.authorization]).toContain(
        h["x-api-key"] === undefined ? "Bearer test-key" : "test-key",
      );
      expect(body).toMatch(/"type":"tool_result","tool_use_id":"toolu_\d+"/);
    } else {
      expect(llm.requests[0]!.path).toMatch(/models\/fake-model:generateContent/);
      expect(llm.requests[0]!.headers["x-goog-api-key"]).toBe("test-key");
      expect(body).toContain('"functionResponse"');
    }
  });

  it("feeds malformed tool calls back as errors and carries on", async () => {
    const { llm, provider } = await setup(format, [
      {
        kind: "tools",
        calls: [
          { name: "list_resources", args: format === "openai" ? '{"kind": "pods", ' : { kinds: 7 } },
          { name: "delete_everything", args: {} },
        ],
      },
      { kind: "tools", calls: [{ name: "list_resources", args: { kind: "pods" } }] },
      { kind: "text", text: "fixed it" },
    ]);
    const res = await agent(provider)("what is broken?");
    expect(res.answer).toBe("fixed it");
    expect(res.toolCalls.map((c) => c.ok)).toEqual([false, false, true]);
    const fedBack = llm.requests[1]!.body;
    expect(fedBack).toMatch(format === "openai" ? /not valid JSON/ : /invalid arguments/);
    expect(fedBack).toContain("unknown tool");
  });

  it("retries 500 and 429 with backoff, honouring retry-after", async () => {
    const { llm, provider, sleeps } = await setup(format, [
      { kind: "status", status: 500 },
      { kind: "status", status: 429, retryAfter: 2 },
      { kind: "text", text: "ok" },
    ]);
    const res = await provider.chat({
      messages: [{ role: "user", content: "hi" }],
      tools: [],
      signal: new AbortController().signal,
    });
    expect(res.text).toBe("ok");
    expect(llm.requests).toHaveLength(3);
    // 100 ms × (0.5 + 0.5 × 0.5), then retry-after 2 s; @google/genai's ApiError carries no headers, so
    // Gemini backs off exponentially instead.
    expect(sleeps).toEqual(format === "gemini" ? [75, 150] : [75, 2000]);
  });

  it("gives up after maxRetries with a typed error naming the status", async () => {
    const { llm, provider } = await setup(
      format,
      [
        { kind: "status", status: 503 },
        { kind: "status", status: 503 },
      ],
      { maxRetries: 1 },
    );
    const err = await provider
      .chat({ messages: [{ role: "user", content: "hi" }], tools: [], signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).status).toBe(503);
    expect((err as LlmError).message).not.toContain("test-key");
    expect(llm.requests).toHaveLength(2);
  });

  it("does not retry a 400", async () => {
    const { llm, provider } = await setup(format, [{ kind: "status", status: 400 }]);
    const err = await provider
      .chat({ messages: [{ role: "user", content: "hi" }], tools: [], signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect((err as LlmError).status).toBe(400);
    expect((err as LlmError).retryable).toBe(false);
    expect(llm.requests).toHaveLength(1);
  });

  it("cuts a slow answer at the timeout", async () => {
    const { provider } = await setup(
      format,
      [{ kind: "slow", ms: 5000, then: { kind: "text", text: "late" } }],
      { timeoutSeconds: 1, maxRetries: 0 },
    );
    const t0 = performance.now();
    const err = await provider
      .chat({ messages: [{ role: "user", content: "hi" }], tools: [], signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(["LlmTimeout", "LlmUnreachable", "Interrupted"]).toContain((err as LlmError).code);
    expect(performance.now() - t0).toBeLessThan(4000);
  });

  it("stops on abort without retrying", async () => {
    const { llm, provider } = await setup(format, [
      { kind: "slow", ms: 5000, then: { kind: "text", text: "late" } },
    ]);
    const ac = new AbortController();
    const p = provider
      .chat({ messages: [{ role: "user", content: "hi" }], tools: [], signal: ac.signal })
      .catch((e: unknown) => e);
    setTimeout(() => {
      ac.abort();
    }, 100);
    const err = await p;
    expect(err).toBeInstanceOf(LlmError);
    expect(llm.requests).toHaveLength(1);
  });

  it("turns a garbage body into an error, not a crash", async () => {
    const { provider } = await setup(format, [{ kind: "garbage" }], { maxRetries: 0 });
    const err = await provider
      .chat({ messages: [{ role: "user", content: "hi" }], tools: [], signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
  });
});

describe("openai streaming", () => {
  it("streams text deltas and assembles streamed tool calls", async () => {
    const { provider } = await setup("openai", [
      { kind: "tools", calls: [{ name: "get_findings", args: { namespace: "shop" } }] },
      { kind: "text", text: "checkout crash-loops with exit code 3" },
    ]);
    const deltas: string[] = [];
    const signal = new AbortController().signal;
    const first = await provider.chat({
      messages: [{ role: "user", content: "hi" }],
      tools: [],
      signal,
      onText: (d) => deltas.push(d),
    });
    expect(first.toolCalls).toEqual([
      {
        id: expect.stringMatching(/^call_/) as unknown,
        name: "get_findings",
        arguments: '{"namespace":"shop"}',
      },
    ]);
    const second = await provider.chat({
      messages: [{ role: "user", content: "hi" }],
      tools: [],
      signal,
      onText: (d) => deltas.push(d),
    });
    expect(second.text).toBe("checkout crash-loops with exit code 3");
    expect(deltas.join("")).toBe(second.text);
    expect(deltas.length).toBeGreaterThan(1);
    expect(second.usage).toEqual({ inputTokens: 10, outputTokens: 5 });
  });
});
