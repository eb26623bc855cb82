/**
 * Runs docs/evals/questions.yaml against a real provider on a sandbox. Skipped unless a provider is
 * configured in the environment (VIGIL_LLM_PROVIDER plus its key; ollama needs none):
 *
 *   VIGIL_LLM_PROVIDER=openai OPENAI_API_KEY=… npx vitest run --project int src/llm/evals.int.test.ts
 *
 * Per case: fresh namespace, setup objects, wait for the fault, ask, check the facts, check that no
 * `forbidden` value reached the provider or the answer, and that no write was approved (none can be:
 * the runner has no approver). Prints a score table at the end.
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, KubernetesObjectApi } from "@kubernetes/client-node";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSandbox, type TestSandbox } from "../../test/harness.js";
import { runAgent } from "./agent.js";
import { kubeReader, learnSecrets, rawStateFindings } from "./cluster.js";
import { resolveLlmConfig, type LlmConfig } from "./config.js";
import { checkFacts, EvalFile, type EvalCase, type WaitFor } from "./evals.js";
import { createProvider } from "./provider.js";
import { createRedactor } from "./redact.js";
import { ALL_TOOLS } from "./tools.js";
import type { Provider } from "./types.js";
import { podStatus } from "./views.js";

function configured(): LlmConfig | undefined {
  try {
    return resolveLlmConfig({}, process.env, undefined);
  } catch {
    return undefined;
  }
}
const cfg = configured();
const data = EvalFile.parse(
  parse(readFileSync(new URL("../../docs/evals/questions.yaml", import.meta.url), "utf8")),
);

describe.skipIf(cfg === undefined)("assistant evals (real provider)", () => {
  let sb: TestSandbox;
  const scores: { id: string; passed: boolean; missing: readonly string[]; steps: number; tokens: number }[] =
    [];

  beforeAll(async () => {
    sb = await startSandbox("evals", 3);
  }, 240_000);

  afterAll(async () => {
    const passed = scores.filter((s) => s.passed).length;
    process.stderr.write(
      `\nassistant evals (${cfg?.provider ?? "?"}:${cfg?.model ?? "?"}): ${passed}/${scores.length} passed\n` +
        scores
          .map(
            (s) =>
              `  ${s.passed ? "PASS" : "FAIL"} ${s.id} (${s.steps} steps, ${s.tokens} tokens)${s.passed ? "" : ` missing: ${s.missing.join("; ")}`}`,
          )
          .join("\n") +
        "\n",
    );
    await sb.down();
  }, 120_000);

  async function waitFor(c: EvalCase, w: WaitFor): Promise<void> {
    const core = sb.kc.makeApiClient(CoreV1Api);
    if (w.seconds !== undefined) await sleep(w.seconds * 1000);
    await eventually(`${c.id}: ${JSON.stringify(w)}`, 150_000, async () => {
      const pods = (await core.listNamespacedPod({ namespace: c.namespace })).items;
      const css = pods.flatMap((p) => p.status?.containerStatuses ?? []);
      if (w.podStatus !== undefined && !pods.some((p) => new RegExp(w.podStatus ?? "").test(podStatus(p))))
        return undefined;
      if (w.lastReason !== undefined && !css.some((s) => s.lastState?.terminated?.reason === w.lastReason))
        return undefined;
      if (w.restarts !== undefined && !css.some((s) => s.restartCount >= (w.restarts ?? 0))) return undefined;
      if (w.readyPods !== undefined && css.filter((s) => s.ready).length < w.readyPods) return undefined;
      if (w.event !== undefined) {
        const ev = (await core.listNamespacedEvent({ namespace: c.namespace })).items;
        if (!ev.some((e) => new RegExp(w.event ?? "").test(e.reason ?? ""))) return undefined;
      }
      if (w.deploymentReason !== undefined) {
        const out = await sb.kubectl(
          "get",
          "deployments",
          "-n",
          c.namespace,
          "-o",
          "jsonpath={.items[*].status.conditions[*].reason}",
        );
        if (!new RegExp(w.deploymentReason).test(out)) return undefined;
      }
      if (w.nodeNotReady === true) {
        const n = await core.readNode({ name: "node-1" });
        if (n.status?.conditions?.find((x) => x.type === "Ready")?.status === "True") return undefined;
      }
      return true;
    });
  }

  for (const c of data.cases) {
    it(
      c.id,
      async () => {
        if (cfg === undefined) return;
        const objects = KubernetesObjectApi.makeApiClient(sb.kc);
        await sb.kubectl("create", "namespace", c.namespace);
        for (const o of c.setup) {
          // Plain parsed YAML, not client classes: spreading is safe.
          const obj = { ...o, metadata: { ...o.metadata, namespace: c.namespace } };
          await objects.create(obj);
        }
        const labels = Object.entries(c.nodeLabels ?? {});
        if (labels.length > 0)
          await sb.kubectl("label", "node", "node-1", "--overwrite", ...labels.map(([k, v]) => `${k}=${v}`));
        try {
          await waitFor(c, c.waitFor);
          const sent: string[] = [];
          const inner = createProvider(cfg, {
            baseDelayMs: 2000,
            maxDelayMs: 30_000,
            sleep: (ms, signal) => sleep(ms, undefined, { signal }),
            random: Math.random,
          });
          const provider: Provider = {
            id: inner.id,
            chat: (req) => {
              sent.push(JSON.stringify(req.messages));
              return inner.chat(req);
            },
          };
          const reader = kubeReader(sb.kc);
          const redactor = createRedactor(cfg.redaction);
          await learnSecrets(reader, redactor, c.namespace, new AbortController().signal);
          const signal = AbortSignal.timeout(240_000);
          const res = await runAgent(c.question, {
            provider,
            tools: ALL_TOOLS,
            toolContext: {
              cluster: reader,
              findings: rawStateFindings(reader),
              defaultNamespace: c.namespace,
              now: () => new Date(),
              signal,
            },
            redactor,
            approve: () => Promise.resolve(false),
            maxSteps: cfg.maxSteps,
            toolMode: cfg.toolMode,
            maxOutputTokens: cfg.maxOutputTokens,
          });
          const facts = checkFacts(res.answer, c.facts);
          scores.push({
            id: c.id,
            passed: facts.passed,
            missing: facts.missing,
            steps: res.steps,
            tokens: res.usage.inputTokens + res.usage.outputTokens,
          });
          for (const f of c.forbidden ?? []) {
            expect(sent.join("\n"), `${f} reached the provider`).not.toContain(f);
            expect(res.answer).not.toContain(f);
          }
          if (c.expectNoApprovedWrites === true) expect(res.writes.every((w) => !w.approved)).toBe(true);
          expect(facts.missing, res.answer).toEqual([]);
        } finally {
          if (labels.length > 0) await sb.kubectl("label", "node", "node-1", ...labels.map(([k]) => `${k}-`));
          await sb.kubectl("delete", "namespace", c.namespace, "--wait=false");
        }
      },
      420_000,
    );
  }
});
