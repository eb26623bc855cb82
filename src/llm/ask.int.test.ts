/**
 * `vigil ask` and `vigil mcp` against a real sandbox: a crash-looping Deployment, the built CLI, and a
 * fake OpenAI-compatible model on loopback that investigates through the tools, obeys a would-be write,
 * and answers citing what the tools returned. Also the no-model answer and the MCP tools on live data.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { AppsV1Api, CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, ROOT, startSandbox, type TestSandbox } from "../../test/harness.js";
import * as mcp from "../mcp/index.js";
import { createRedactor } from "./redact.js";
import { kubeReader, rawStateFindings } from "./cluster.js";
import { startFakeLlm, type FakeLlmServer } from "./testkit.js";
import { READ_ONLY_TOOLS } from "./tools.js";

const run = promisify(execFile);
const NS = "shop";
let sb: TestSandbox;
let crashPod: V1Pod;

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(VIGIL_LLM_|OPENAI_|ANTHROPIC_|GEMINI_|GOOGLE_API|AZURE_OPENAI|OLLAMA_)/.test(k)) env[k] = v;
  }
  return { ...env, KUBECONFIG: sb.kubeconfig, VIGIL_HOME: sb.home, ...extra };
}

async function vigil(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, [join(ROOT, "dist", "cli", "main.js"), ...args], {
      env,
      timeout: 120_000,
      maxBuffer: 8 << 20,
    });
    return { ...r, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? "", stderr: e.stderr ?? "", code: e.code ?? 1 };
  }
}

beforeAll(async () => {
  sb = await startSandbox("ask", 1);
  const core = sb.kc.makeApiClient(CoreV1Api);
  const apps = sb.kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await apps.createNamespacedDeployment({
    namespace: NS,
    body: {
      metadata: { name: "checkout", labels: { app: "checkout" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "checkout" } },
        template: {
          metadata: {
            labels: { app: "checkout" },
            annotations: { "sandbox.vigil.dev/behavior": "crashloop", "sandbox.vigil.dev/exit-code": "3" },
          },
          spec: { containers: [{ name: "app", image: "shop/checkout:1.4.3" }] },
        },
      },
    },
  });
  crashPod = await eventually("checkout in CrashLoopBackOff", 90_000, async () => {
    const list = await core.listNamespacedPod({ namespace: NS, labelSelector: "app=checkout" });
    const p = list.items[0];
    const cs = p?.status?.containerStatuses?.[0];
    return cs?.state?.waiting?.reason === "CrashLoopBackOff" && cs.lastState?.terminated?.exitCode === 3
      ? p
      : undefined;
  });
}, 240_000);

afterAll(async () => {
  await sb.down();
}, 120_000);

describe("vigil ask on a crash-looping deployment", () => {
  it("answers without a model from the findings, and says how to configure one", async () => {
    const r = await vigil(["ask", "-n", NS, "why is checkout crashing?"], cleanEnv({}));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("checkout");
    expect(r.stdout).toContain("CrashLoopBackOff");
    expect(r.stdout).toMatch(/exit code 3|code 3/);
    expect(r.stdout).toContain("VIGIL_LLM_PROVIDER");
  });

  it("a model investigates through the tools on real data, cannot write without a terminal, and cites the data", async () => {
    let llm: FakeLlmServer | undefined;
    try {
      llm = await startFakeLlm("openai", [
        { kind: "tools", calls: [{ name: "get_findings", args: { namespace: NS } }] },
        {
          kind: "fn",
          fn: (body) => {
            const pod = /checkout-[a-z0-9]+-[a-z0-9]+/.exec(body)?.[0] ?? "unknown";
            return {
              kind: "tools",
              calls: [
                { name: "get_pod_logs", args: { pod, namespace: NS, previous: true } },
                { name: "describe_resource", args: { kind: "deployment", name: "checkout", namespace: NS } },
                // What an injected or over-eager model would do: it must be refused (no TTY).
                {
                  name: "propose_fix",
                  args: {
                    action: "scale",
                    name: "checkout",
                    namespace: NS,
                    replicas: 0,
                    reason: "stop the crash loop",
                  },
                },
              ],
            };
          },
        },
        {
          kind: "fn",
          fn: (body) => {
            const pod = /checkout-[a-z0-9]+-[a-z0-9]+/.exec(body)?.[0] ?? "unknown";
            const exit = /exit code (\d+)/.exec(body)?.[1] ?? "?";
            const fatal = /FATAL [^"\\]*/.exec(body)?.[0] ?? "no fatal line";
            const refused = body.includes("refused: not applied") ? "The scale-down was not applied." : "";
            return {
              kind: "text",
              text: `Pod ${pod} is in CrashLoopBackOff, exit code ${exit}. Its last log line: ${fatal}. ${refused}`,
            };
          },
        },
      ]);
      const r = await vigil(
        ["ask", "-n", NS, "why is checkout crashing?"],
        cleanEnv({
          VIGIL_LLM_PROVIDER: "openai",
          VIGIL_LLM_MODEL: "fake",
          VIGIL_LLM_BASE_URL: `${llm.url}/v1`,
          OPENAI_API_KEY: "test-key",
        }),
      );
      expect(r.code, r.stderr).toBe(0);
      const podName = crashPod.metadata?.name ?? "";
      // The tools returned real data: the real pod, its state, its previous logs.
      const wire = llm.requests.map((q) => q.body).join("\n");
      expect(wire).toContain(podName);
      expect(wire).toContain("CrashLoopBackOff");
      expect(wire).toContain("cannot start without a database");
      expect(wire).toContain("untrusted-data");
      // The answer cites it.
      expect(r.stdout).toContain(`Pod ${podName} is in CrashLoopBackOff, exit code 3`);
      expect(r.stdout).toContain("FATAL cannot start without a database");
      expect(r.stdout).toContain("The scale-down was not applied.");
      expect(r.stderr).toMatch(/openai:fake · \d+ step/);
      // And nothing was written.
      const replicas = await sb.kubectl(
        "get",
        "deployment",
        "checkout",
        "-n",
        NS,
        "-o",
        "jsonpath={.spec.replicas}",
      );
      expect(replicas.trim()).toBe("1");
    } finally {
      await llm?.close();
    }
  });

  it("serves the same live data over MCP (streamable HTTP)", async () => {
    const reader = kubeReader(sb.kc);
    const stop = new AbortController();
    const srv = await mcp.serveHttp(
      {
        tools: READ_ONLY_TOOLS,
        context: {
          cluster: reader,
          findings: rawStateFindings(reader),
          defaultNamespace: NS,
          now: () => new Date(),
        },
        redactor: createRedactor({ emails: true, ips: false, patterns: [] }),
        maxOutputBytes: 32 * 1024,
        version: "test",
      },
      { host: "127.0.0.1", port: 0 },
      stop.signal,
    );
    const client = new Client({ name: "int", version: "1" });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(srv.url)));
      const res = await client.callTool({
        name: "list_resources",
        arguments: { kind: "pods", labelSelector: "app=checkout" },
      });
      const text = (res.content as { text: string }[]).map((c) => c.text).join("");
      expect(text).toContain(crashPod.metadata?.name ?? "?");
      expect(text).toContain("CrashLoopBackOff");
      const metrics = await client.callTool({ name: "get_metrics", arguments: { kind: "nodes" } });
      expect(metrics.isError, JSON.stringify(metrics.content)).not.toBe(true);
    } finally {
      await client.close();
      stop.abort();
      await srv.close();
    }
  });
});
