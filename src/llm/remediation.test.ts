/**
 * The assistant's write path through the remediation engine, with a scripted model and the in-memory
 * cluster holding the planner's bad-rollout scenario: without approval nothing is written; with approval
 * exactly the planner's guardrail-built patch is sent (after its dry run, and after the Incident journal);
 * guardrail refusals (kube-system, mode Off, cooldown from the Incident history) go back to the model as
 * tool results and nothing is sent.
 */
import { readFileSync } from "node:fs";
import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import type * as remediate from "../remediate/index.js";
import { runAgent, type AgentOptions } from "./agent.js";
import { rawStateFindings } from "./cluster.js";
import { createRedactor } from "./redact.js";
import {
  createRemediator,
  planAll,
  planningState,
  type ActionJournal,
  type ReadyWrite,
} from "./remediation.js";
import { fakeCluster, scriptedProvider } from "./testkit.js";
import { ALL_TOOLS, READ_ONLY_TOOLS } from "./tools.js";
import type { ChatRequest, ChatResponse } from "./types.js";

const NOW = new Date("2026-11-26T10:00:00Z");
const scenario = parse(
  readFileSync(new URL("../remediate/testdata/bad-rollout.scenario.yaml", import.meta.url), "utf8"),
  { merge: true },
) as { objects: KubernetesObject[] };
const inNamespace = (ns: string) =>
  scenario.objects.map(
    (o) =>
      JSON.parse(
        JSON.stringify(o).replaceAll('"namespace":"shop"', `"namespace":"${ns}"`),
      ) as KubernetesObject,
  );

type Script = ((req: ChatRequest) => Partial<ChatResponse>)[];
const call = (name: string, args: unknown) => ({
  toolCalls: [{ id: `c_${name}`, name, arguments: JSON.stringify(args) }],
});
const lastTool = (req: ChatRequest) => {
  const m = [...req.messages].reverse().find((x) => x.role === "tool");
  return m !== undefined && "content" in m ? m.content : "";
};

interface Sent {
  readonly dryRun: boolean;
  readonly patch: remediate.Patch;
}

function setup(script: Script, objects: readonly KubernetesObject[], approve: AgentOptions["approve"]) {
  const cluster = fakeCluster({ objects });
  const provider = scriptedProvider(script);
  const log: string[] = [];
  const sent: Sent[] = [];
  const acted = vi.fn((e: { action: remediate.Action }) => {
    log.push(`journal ${e.action.kind} ${e.action.mode}`);
    return Promise.resolve("default/api-incident");
  });
  const journal: ActionJournal = { acted, failed: () => Promise.resolve() };
  const toolContext = {
    cluster,
    findings: rawStateFindings(cluster),
    defaultNamespace: "shop",
    now: () => NOW,
    signal: new AbortController().signal,
  };
  const opts: AgentOptions = {
    provider,
    tools: ALL_TOOLS,
    toolContext,
    redactor: createRedactor({ emails: true, ips: false, patterns: [] }),
    approve,
    remediator: createRemediator({
      cluster,
      send: (patch, dryRun) => {
        log.push(`${dryRun ? "dry-run" : "send"} ${patch.method} ${patch.path}`);
        sent.push({ dryRun, patch });
        return Promise.resolve();
      },
      journal,
      now: () => NOW,
    }),
    maxSteps: 6,
    toolMode: "native",
  };
  return { opts, provider, sent, acted, log, cluster };
}

const rollbackScript: Script = [
  () => call("rollback", { name: "api", reason: "revision 2 cannot pull its image" }),
  (req) => ({ text: lastTool(req) }),
];

describe("writes through the remediation engine", () => {
  it("without approval nothing is written: only the dry run reached the API, and the human saw the planner's patch", async () => {
    const seen: ReadyWrite[] = [];
    const { opts, sent, acted } = setup(rollbackScript, scenario.objects, (w) => {
      seen.push(w);
      return Promise.resolve(false);
    });
    const res = await runAgent("roll back api", opts);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.action.kind).toBe("rollback");
    expect(seen[0]?.policy).toContain("no HealingPolicy");
    expect(seen[0]?.patch).toContain('"op": "replace"');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((s) => s.dryRun)).toBe(true);
    expect(acted).not.toHaveBeenCalled();
    expect(res.writes[0]).toMatchObject({ outcome: "notApproved", approved: false });
    expect(res.answer).toContain("did not approve");
  });

  it("with approval, exactly the planner's guardrail-built patch is sent, after its dry run and the journal", async () => {
    const { opts, sent, acted, log, cluster } = setup(rollbackScript, scenario.objects, () =>
      Promise.resolve(true),
    );
    // What the planner itself builds from the same cluster, independently of the agent.
    const state = await planningState(cluster, "shop", NOW, new AbortController().signal);
    const planned = planAll(state)[0]?.plan.actions.find((a) => a.kind === "rollback");
    expect(planned).toBeDefined();

    const res = await runAgent("roll back api", opts);
    expect(res.writes[0]).toMatchObject({ outcome: "applied", approved: true, actionId: planned?.id });
    const real = sent.filter((s) => !s.dryRun).map((s) => s.patch);
    expect(real).toEqual(planned?.patches);
    expect(sent.filter((s) => s.dryRun).map((s) => s.patch)).toEqual(planned?.patches);
    // The patch: the Deployment's generation is tested, the template is revision 1's, the action is annotated.
    const body = JSON.stringify(real[0]?.body);
    expect(body).toContain('"op":"test","path":"/metadata/generation","value":2');
    expect(body).toContain("shop/api:1.4.2");
    expect(body).not.toContain("pod-template-hash");
    expect(log).toEqual([
      "dry-run PATCH /apis/apps/v1/namespaces/shop/deployments/api",
      "journal rollback Auto",
      "send PATCH /apis/apps/v1/namespaces/shop/deployments/api",
    ]);
    expect(acted).toHaveBeenCalledTimes(1);
    expect(res.answer).toContain("applied: rollback Deployment/shop/api");
  });

  it("kube-system: the guardrail's refusal is the tool result; nothing is asked, dry-run or sent", async () => {
    const approve = vi.fn(() => Promise.resolve(true));
    const { opts, sent, provider } = setup(
      [
        () => call("rollback", { name: "api", namespace: "kube-system", reason: "bad image" }),
        (req) => ({ text: lastTool(req) }),
      ],
      inNamespace("kube-system"),
      approve,
    );
    const res = await runAgent("roll back api in kube-system", opts);
    expect(res.writes[0]).toMatchObject({
      outcome: "refused",
      guardrail: "systemNamespace",
      approved: false,
    });
    expect(approve).not.toHaveBeenCalled();
    expect(sent).toHaveLength(0);
    const toolMsg = provider.requests[1]!.messages.find((m) => m.role === "tool");
    expect(toolMsg).toMatchObject({ isError: true });
    expect(toolMsg && "content" in toolMsg ? toolMsg.content : "").toContain(
      "Guardrail systemNamespace: namespace kube-system is left alone",
    );
  });

  it("a HealingPolicy with rollback Off refuses it (modeOff)", async () => {
    const policy = {
      apiVersion: "vigil.dev/v1alpha1",
      kind: "HealingPolicy",
      metadata: { name: "shop", namespace: "shop" },
      spec: { mode: "Auto", actions: { rollback: "Off" } },
    } as KubernetesObject;
    const approve = vi.fn(() => Promise.resolve(true));
    const { opts, sent } = setup(rollbackScript, [...scenario.objects, policy], approve);
    const res = await runAgent("roll back api", opts);
    expect(res.writes[0]).toMatchObject({ outcome: "refused", guardrail: "modeOff" });
    expect(res.answer).toContain("HealingPolicy shop/shop");
    expect(approve).not.toHaveBeenCalled();
    expect(sent).toHaveLength(0);
  });

  it("the Incident history binds it: an action on the workload a minute ago means cooldown", async () => {
    const ref = { apiVersion: "apps/v1", kind: "Deployment", name: "api", namespace: "shop" };
    const incident = {
      apiVersion: "vigil.dev/v1alpha1",
      kind: "Incident",
      metadata: { name: "api-earlier", namespace: "default" },
      spec: { target: ref, findingId: "other", reason: "earlier", severity: "high" },
      status: {
        phase: "Open",
        actions: [
          {
            id: "raiseMemory-abc",
            kind: "raiseMemory",
            findingId: "other",
            target: ref,
            scope: ref,
            mode: "Auto",
            at: "2026-11-26T09:59:00Z",
            outcome: "verified",
          },
        ],
      },
    } as unknown as KubernetesObject;
    const { opts, sent } = setup(rollbackScript, [...scenario.objects, incident], () =>
      Promise.resolve(true),
    );
    const res = await runAgent("roll back api", opts);
    expect(res.writes[0]).toMatchObject({ outcome: "refused", guardrail: "cooldown" });
    expect(res.answer).toMatch(/may be planned again after 2026-11-26T10:04:00/);
    expect(sent).toHaveLength(0);
  });

  it("no finding, no write: the engine acts only on what it detected", async () => {
    const { opts, sent } = setup(
      [() => call("restart", { name: "config", reason: "why not" }), (req) => ({ text: lastTool(req) })],
      scenario.objects,
      () => Promise.resolve(true),
    );
    const res = await runAgent("restart config", opts);
    expect(res.writes[0]).toMatchObject({ outcome: "refused", guardrail: "noAction" });
    expect(res.answer).toContain("no finding on shop/config");
    expect(sent).toHaveLength(0);
  });

  it("plan_remediation (read-only) shows the planned rollback with its id and patch", async () => {
    const tool = READ_ONLY_TOOLS.find((t) => t.name === "plan_remediation")!;
    const { opts } = setup([], scenario.objects, () => Promise.resolve(false));
    const out = (await tool.run({ name: "api" }, opts.toolContext)) as {
      policy: string;
      actions: { actionId: string; kind: string; patch: string }[];
    }[];
    expect(out[0]?.actions[0]).toMatchObject({ kind: "rollback" });
    expect(out[0]?.actions[0]?.actionId).toMatch(/^rollback-/);
    expect(out[0]?.actions[0]?.patch).toContain("/spec/template");
    await expect(tool.run({ namespace: "*" }, opts.toolContext)).rejects.toThrow(/one namespace/);
  });

  it("apply_remediation with a stale actionId is refused", async () => {
    const { opts, sent } = setup(
      [
        () =>
          call("apply_remediation", {
            kind: "rollback",
            name: "api",
            actionId: "rollback-000000",
            reason: "x",
          }),
        (req) => ({ text: lastTool(req) }),
      ],
      scenario.objects,
      () => Promise.resolve(true),
    );
    const res = await runAgent("q", opts);
    expect(res.writes[0]).toMatchObject({ outcome: "refused", guardrail: "stale" });
    expect(sent).toHaveLength(0);
  });
});
