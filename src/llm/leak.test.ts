/**
 * The redaction proof: a cluster full of secrets (objects, env, events, logs), a model that asks for
 * every one of them through every tool, over each wire format with the real SDK. The fake server records
 * every byte sent; no secret value may appear in any request.
 */
import { afterEach, describe, expect, it } from "vitest";
import { runAgent } from "./agent.js";
import { learnSecrets, rawStateFindings } from "./cluster.js";
import { LlmConfig } from "./config.js";
import { createProvider } from "./provider.js";
import { createRedactor } from "./redact.js";
import { CORPUS, DB_PASSWORD, IP, LOG_EMAIL, SECRETS } from "./testdata/corpus.js";
import { fakeCluster, startFakeLlm, type FakeLlmServer, type WireFormat } from "./testkit.js";
import { READ_ONLY_TOOLS } from "./tools.js";

const servers: FakeLlmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const noWait = { baseDelayMs: 1, maxDelayMs: 1, sleep: () => Promise.resolve(), random: () => 0 };

function baseURL(format: WireFormat, url: string): string {
  return format === "openai" ? `${url}/v1` : url;
}

const everyTool = [
  { name: "get_findings", args: { namespace: "shop" } },
  { name: "get_resource", args: { kind: "secret", name: "db-creds", namespace: "shop" } },
  { name: "get_resource", args: { kind: "deployment", name: "checkout", namespace: "shop" } },
  { name: "get_resource", args: { kind: "pod", name: "checkout-7d9f-abcde", namespace: "shop" } },
  { name: "describe_resource", args: { kind: "deployment", name: "checkout", namespace: "shop" } },
  { name: "get_events", args: { namespace: "shop" } },
  { name: "get_pod_logs", args: { pod: "checkout-7d9f-abcde", namespace: "shop", previous: true } },
  { name: "get_pod_logs", args: { pod: "checkout-7d9f-abcde", namespace: "shop" } },
  { name: "list_resources", args: { kind: "pods", namespace: "shop" } },
  { name: "list_resources", args: { kind: "secrets", namespace: "shop" } },
  { name: "get_recommendations", args: { namespace: "shop", includeUnchanged: true } },
  { name: "plan_remediation", args: { namespace: "shop" } },
];

describe.each<WireFormat>(["openai", "anthropic", "gemini"])(
  "no secret reaches the provider (%s)",
  (format) => {
    it("masks every tool output, the question included, and restores the answer locally", async () => {
      const llm = await startFakeLlm(format, [
        { kind: "tools", calls: everyTool },
        {
          kind: "fn",
          fn: (body) => {
            // Echo a placeholder the model saw, as a real model would cite it.
            const ip = /\[REDACTED-IP-\d+\]/.exec(body)?.[0] ?? "none";
            return {
              kind: "text",
              text: `checkout-7d9f-abcde crash-loops (exit code 3): the database refuses connections. Pod IP ${ip}.`,
            };
          },
        },
      ]);
      servers.push(llm);
      const cfg = LlmConfig.parse({
        provider: format,
        model: "fake-model",
        baseURL: baseURL(format, llm.url),
        apiKey: "test-key",
        redaction: { emails: true, ips: true },
      });
      const cluster = fakeCluster(CORPUS);
      const redactor = createRedactor(cfg.redaction);
      const controller = new AbortController();
      expect(await learnSecrets(cluster, redactor, "shop", controller.signal)).toBe(1);
      const res = await runAgent(
        `why does checkout crash? the admin password is ${DB_PASSWORD}, mail ${LOG_EMAIL}`,
        {
          provider: createProvider(cfg, noWait),
          tools: READ_ONLY_TOOLS,
          toolContext: {
            cluster,
            findings: rawStateFindings(cluster),
            defaultNamespace: "shop",
            now: () => new Date("2026-11-26T10:00:00Z"),
            signal: controller.signal,
          },
          redactor,
          approve: () => Promise.resolve(false),
          maxSteps: 5,
          toolMode: "native",
        },
      );
      expect(llm.requests.length).toBe(2);
      expect(res.toolCalls.map((c) => c.ok)).toEqual(everyTool.map(() => true));
      const wire = llm.requests.map((r) => r.body).join("\n");
      // The tool results did reach the provider (masked), so the proof is not vacuous.
      expect(wire).toContain("CrashLoopBackOff");
      expect(wire).toContain("could not connect to database");
      expect(wire).toMatch(/REDACTED-SECRET-\d+/);
      for (const s of SECRETS) {
        expect(wire, `leaked ${s}`).not.toContain(s);
        expect(wire, `leaked ${s} (JSON-escaped)`).not.toContain(JSON.stringify(s).slice(1, -1));
      }
      // The answer shown locally has the real value back.
      expect(res.maskedAnswer).not.toContain(IP);
      expect(res.answer).toContain(`Pod IP ${IP}`);
    });
  },
);
