/**
 * `vigil ask` and `vigil mcp` against a real sandbox: a crash-looping Deployment, the built CLI, and a
 * fake OpenAI-compatible model on loopback that investigates through the tools, obeys a would-be write,
 * and answers citing what the tools returned. Also the no-model answer, the MCP tools on live data, and the
 * write path end to end: a bad rollout, a model asking for a rollback, the planner's patch refused without
 * approval and applied with it, journaled in an Incident.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { AppsV1Api, CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, installVigilCrds, ROOT, startSandbox, type TestSandbox } from "../../test/harness.js";
import * as mcp from "../mcp/index.js";
import { applyObjects, rawRequest } from "../kube/index.js";
import { runAgent } from "./agent.js";
import { createRedactor } from "./redact.js";
import { kubeJournal, kubeReader, kubeSender, rawStateFindings } from "./cluster.js";
import { createRemediator, planAll, planningState, type ReadyWrite } from "./remediation.js";
import { scriptedProvider, startFakeLlm, type FakeLlmServer } from "./testkit.js";
import { ALL_TOOLS, READ_ONLY_TOOLS } from "./tools.js";

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
                  name: "rollback",
                  args: { name: "checkout", namespace: NS, reason: "stop the crash loop" },
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
            const refused = body.includes("refused: not applied") ? "The rollback was not applied." : "";
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
      expect(r.stdout).toContain("The rollback was not applied.");
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

describe("the write path on a real cluster", () => {
  const WNS = "rb";
  const get = async <T>(path: string): Promise<T> => (await rawRequest(sb.kc, "GET", path)).body as T;
  const image = async () =>
    (
      await get<{ spec: { template: { spec: { containers: { image: string }[] } } } }>(
        `/apis/apps/v1/namespaces/${WNS}/deployments/web`,
      )
    ).spec.template.spec.containers[0]?.image;

  it("a model's rollback is the planner's patch: refused without approval, applied and journaled with it", async () => {
    await installVigilCrds(sb);
    await sb.kubectl("create", "namespace", WNS);
    await applyObjects(
      sb.kc,
      [
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "web", namespace: WNS },
          spec: {
            replicas: 2,
            progressDeadlineSeconds: 30,
            selector: { matchLabels: { app: "web" } },
            template: {
              metadata: { labels: { app: "web" } },
              spec: {
                terminationGracePeriodSeconds: 1,
                containers: [
                  {
                    name: "app",
                    image: "nginx:1.27",
                    ports: [{ containerPort: 8080 }],
                    readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 2 },
                  },
                ],
              },
            },
          },
        },
      ] as never,
      { force: true },
    );
    await eventually("web available", 60_000, async () => {
      const d = await get<{ status?: { availableReplicas?: number } }>(
        `/apis/apps/v1/namespaces/${WNS}/deployments/web`,
      );
      return d.status?.availableReplicas === 2 ? true : undefined;
    });
    await eventually("incident CRD served", 30_000, async () =>
      (await rawRequest(sb.kc, "GET", "/apis/vigil.dev/v1alpha1/incidents")).status === 200
        ? true
        : undefined,
    );
    await sb.kubectl("-n", WNS, "set", "image", "deployment/web", "app=registry.invalid/web:2");
    const reader = kubeReader(sb.kc);
    const signal = new AbortController().signal;
    await eventually("the planner proposes a rollback", 90_000, async () => {
      const state = await planningState(reader, WNS, new Date(), signal);
      return planAll(state).some((p) => p.plan.actions.some((a) => a.kind === "rollback")) ? true : undefined;
    });

    const agent = async (approve: boolean) => {
      const seen: ReadyWrite[] = [];
      const provider = scriptedProvider([
        () => ({
          toolCalls: [
            {
              id: "c1",
              name: "rollback",
              arguments: JSON.stringify({ name: "web", reason: "revision 2 cannot pull its image" }),
            },
          ],
        }),
        (req) => {
          const m = [...req.messages].reverse().find((x) => x.role === "tool");
          return { text: m !== undefined && "content" in m ? m.content : "" };
        },
      ]);
      const res = await runAgent("roll back web", {
        provider,
        tools: ALL_TOOLS,
        toolContext: {
          cluster: reader,
          findings: rawStateFindings(reader),
          defaultNamespace: WNS,
          now: () => new Date(),
          signal,
        },
        redactor: createRedactor({ emails: true, ips: false, patterns: [] }),
        approve: (w) => {
          seen.push(w);
          return Promise.resolve(approve);
        },
        remediator: createRemediator({
          cluster: reader,
          send: kubeSender(sb.kc),
          journal: kubeJournal(sb.kc, "default", () => new Date()),
          now: () => new Date(),
        }),
        maxSteps: 4,
        toolMode: "native",
      });
      return { res, seen };
    };

    // Not approved: the human saw the planner's dry-run patch; nothing changed.
    const no = await agent(false);
    expect(no.res.writes[0], JSON.stringify(no.res.writes)).toMatchObject({ outcome: "notApproved" });
    expect(no.seen[0]?.dryRun).toContain("accepted by the API server");
    expect(no.seen[0]?.patch).toContain("nginx:1.27");
    expect(await image()).toBe("registry.invalid/web:2");

    // Approved: the same action is sent, the Deployment is back on revision 1's template, the action is
    // annotated on it and journaled in an Incident the planner reads back as history.
    const yes = await agent(true);
    expect(yes.res.writes[0], JSON.stringify(yes.res.writes)).toMatchObject({
      outcome: "applied",
      actionId: no.seen[0]?.action.id,
    });
    expect(await image()).toBe("nginx:1.27");
    const dep = await get<{ metadata: { annotations?: Record<string, string> } }>(
      `/apis/apps/v1/namespaces/${WNS}/deployments/web`,
    );
    expect(dep.metadata.annotations?.["vigil.dev/action"]).toBe(no.seen[0]?.action.id);
    const incidents = await get<{
      items: {
        spec: { findingId: string };
        status?: {
          phase?: string;
          actions?: { id: string; kind: string; mode: string; outcome: string }[];
          timeline?: { kind: string; patch?: string; message: string }[];
        };
      }[];
    }>("/apis/vigil.dev/v1alpha1/namespaces/default/incidents");
    const inc = incidents.items.find((i) => i.status?.actions?.some((a) => a.id === no.seen[0]?.action.id));
    expect(inc?.status?.phase).toBe("Verifying");
    expect(inc?.status?.actions?.[0]).toMatchObject({ kind: "rollback", mode: "Auto", outcome: "pending" });
    const acted = inc?.status?.timeline?.find((t) => t.kind === "Acted");
    expect(acted?.message).toContain("approved in vigil ask");
    expect(acted?.patch).toContain("nginx:1.27");

    // A second rollback is refused: the workload is busy (the journaled action is being verified) or,
    // once the rollout recovered, there is no finding left to act on.
    const again = await agent(true);
    expect(again.res.writes[0]?.outcome).toBe("refused");
  }, 240_000);
});
