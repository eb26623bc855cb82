// Golden plans: each testdata/*.scenario.yaml is a cluster state (raw objects, as the API serves them), a
// HealingPolicy and an action history; its plan is pinned in the .golden.json next to it. Regenerate with
// `npx vitest run --project unit -u` and review the diff: a changed patch is a changed behaviour.
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { format } from "prettier";
import { parse } from "yaml";
import { ACTION_KINDS, HealingPolicySpec, type Mode } from "../api/index.js";
import { analyze, defaultHealthConfig, groupByKind, ingest } from "../health/index.js";
import { refKey } from "../model/index.js";
import {
  LimitRange,
  historyEntry,
  verify,
  plan,
  type Action,
  type HistoryEntry,
  type Plan,
  type PlanInput,
} from "./index.js";

const dir = new URL("./testdata/", import.meta.url);

interface Scenario {
  readonly description: string;
  readonly now: string;
  readonly policy?: Record<string, unknown>;
  readonly history?: HistoryEntry[];
  readonly objects: Record<string, unknown>[];
  readonly expect?: { readonly actions?: string[] };
}

/** A scenario's plan input: the snapshot the analyzers see, its findings, and the raw objects by ref. */
function loadScenario(
  file: string,
  edit: (sc: Scenario) => Scenario = (x) => x,
): { sc: Scenario; now: Date; input: PlanInput } {
  const sc = edit(parse(readFileSync(new URL(file, dir), "utf8"), { merge: true }) as Scenario);
  const limitRanges = sc.objects.filter((o) => o["kind"] === "LimitRange").map((o) => LimitRange.parse(o));
  const { lists, unknownKinds } = groupByKind(sc.objects.filter((o) => o["kind"] !== "LimitRange"));
  expect(unknownKinds, `${file}: unknown kinds`).toEqual([]);
  const { snapshot, dropped } = ingest(lists);
  expect(dropped, `${file}: objects that did not parse`).toEqual([]);
  const now = new Date(sc.now);
  const raw = new Map<string, unknown>();
  for (const o of sc.objects) {
    const m = o["metadata"] as { name: string; namespace?: string };
    raw.set(`${String(o["kind"])}/${m.namespace ?? ""}/${m.name}`, o);
  }
  return {
    sc,
    now,
    input: {
      findings: analyze(now, snapshot, { ...defaultHealthConfig, hygiene: false }),
      snapshot,
      policy: HealingPolicySpec.parse(sc.policy ?? {}),
      history: sc.history ?? [],
      raw: (r) => raw.get(`${r.kind}/${r.namespace}/${r.name}`),
      limitRanges,
    },
  };
}

const scenarioFiles = readdirSync(dir)
  .filter((f) => f.endsWith(".scenario.yaml"))
  .sort();

describe("plan: golden scenarios", () => {
  it("has scenarios", () => {
    expect(scenarioFiles.length).toBeGreaterThanOrEqual(6);
  });
  for (const file of scenarioFiles) {
    it(file, async () => {
      const { sc, now, input } = loadScenario(file);
      const p = plan(now, input);
      if (sc.expect?.actions !== undefined) expect(p.actions.map((a) => a.kind)).toEqual(sc.expect.actions);
      // Deterministic, unique ids, JSON round trip (the executor journals plans).
      expect(plan(now, input)).toEqual(p);
      expect(new Set(p.actions.map((a) => a.id)).size).toBe(p.actions.length);
      expect(JSON.parse(JSON.stringify(p))).toEqual(JSON.parse(JSON.stringify(p)));
      for (const a of p.actions) expect(a.reason.message).not.toContain("\n");
      const golden = {
        description: sc.description,
        findings: input.findings.map((f) => `${f.id}: ${f.fix.action.kind}`),
        plan: p,
      };
      // Formatted as `prettier --check .` expects, so the goldens pass lint as written.
      const text = await format(JSON.stringify(golden), { parser: "json", printWidth: 110 });
      await expect(text).toMatchFileSnapshot(`./testdata/${file.replace(".scenario.yaml", ".golden.json")}`);
    });
  }
});

describe("plan: targets", () => {
  it("names every patched object by ref and path", () => {
    for (const file of scenarioFiles) {
      const { now, input } = loadScenario(file);
      for (const a of plan(now, input).actions)
        for (const p of a.patches)
          expect(p.path.endsWith(`/${p.target.name}`) || p.type === "eviction", refKey(p.target)).toBe(true);
    }
  });
});

// ------------------------------------------------------------------------------------------------ helpers

const byKind = (p: Plan, kind: string) => p.actions.filter((a) => a.kind === kind);
const guardrails = (p: Plan) => p.skipped.map((s) => `${s.kind}:${s.target.name}:${s.guardrail}`);

function entry(a: Action, at: string, outcome: HistoryEntry["outcome"], mode: Mode = "Auto"): HistoryEntry {
  return { ...historyEntry(a, at, outcome), mode };
}

function withPolicy(input: PlanInput, policy: Record<string, unknown>): PlanInput {
  return { ...input, policy: HealingPolicySpec.parse({ mode: "Auto", ...policy }) };
}

/** Moves every namespaced object of a scenario into another namespace. */
function moveTo(ns: string) {
  return (sc: Scenario): Scenario => ({
    ...sc,
    objects: sc.objects.map((o) => {
      const m = o["metadata"] as Record<string, unknown>;
      return m["namespace"] === undefined ? o : { ...o, metadata: { ...m, namespace: ns } };
    }),
  });
}

const rollout = loadScenario("bad-rollout.scenario.yaml");
const minute = (n: number) => new Date(rollout.now.getTime() + n * 60_000).toISOString();

// ----------------------------------------------------------------------------------------------- guardrails

describe("guardrails: modes and scope", () => {
  it("mode Off skips every action but still shows the patch it would send", () => {
    const p = plan(rollout.now, withPolicy(rollout.input, { mode: "Off" }));
    expect(p.actions).toEqual([]);
    expect(guardrails(p)).toEqual(["rollback:api:modeOff"]);
    expect(p.skipped[0]?.action?.patches[0]?.type).toBe("json");
  });

  it("a per-action mode overrides the policy's mode", () => {
    const p = plan(
      rollout.now,
      withPolicy(rollout.input, { mode: "Auto", actions: { rollback: "Recommend" } }),
    );
    expect(p.actions.map((a) => a.mode)).toEqual(["Recommend"]);
    const off = plan(rollout.now, withPolicy(rollout.input, { mode: "Auto", actions: { rollback: "Off" } }));
    expect(guardrails(off)).toEqual(["rollback:api:modeOff"]);
  });

  it("a suspended policy does nothing", () => {
    const p = plan(rollout.now, withPolicy(rollout.input, { suspend: true }));
    expect(p.actions).toEqual([]);
    expect(guardrails(p)).toEqual(["rollback:api:suspended"]);
  });

  it("selectors: namespaces and workload labels outside the policy are out of scope", () => {
    const ns = plan(
      rollout.now,
      withPolicy(rollout.input, { namespaceSelector: { matchLabels: { team: "x" } } }),
    );
    expect(guardrails(ns)).toEqual(["rollback:api:outOfScope"]);
    const labels = plan(
      rollout.now,
      withPolicy(rollout.input, { selector: { matchLabels: { app: "web" } } }),
    );
    expect(guardrails(labels)).toEqual(["rollback:api:outOfScope"]);
    const byName = plan(
      rollout.now,
      withPolicy(
        { ...rollout.input, namespaceLabels: { shop: { team: "x" } } },
        { namespaceSelector: { matchLabels: { team: "x" } }, selector: { matchLabels: { app: "api" } } },
      ),
    );
    expect(byName.actions.map((a) => a.kind)).toEqual(["rollback"]);
  });

  it("kube-system is untouched unless the namespaceSelector names it", () => {
    const sys = loadScenario("bad-rollout.scenario.yaml", moveTo("kube-system"));
    const p = plan(sys.now, withPolicy(sys.input, {}));
    expect(guardrails(p)).toEqual(["rollback:api:systemNamespace"]);
    const everything = plan(sys.now, withPolicy(sys.input, { namespaceSelector: {} }));
    expect(guardrails(everything)).toEqual(["rollback:api:systemNamespace"]);
    const optedIn = plan(
      sys.now,
      withPolicy(sys.input, {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
      }),
    );
    expect(optedIn.actions.map((a) => a.kind)).toEqual(["rollback"]);
  });

  it("a HealingPolicy object governs its own namespace; the cluster policy covers the rest", () => {
    const obj = (namespace: string, name: string, spec: Record<string, unknown>) => ({
      namespace,
      name,
      spec: HealingPolicySpec.parse(spec),
    });
    const cluster = withPolicy(rollout.input, { mode: "DryRun" });
    // The namespace's own policy says Auto: the rollback is sent for real although the cluster is DryRun.
    const local = plan(rollout.now, { ...cluster, policies: [obj("shop", "heal", { mode: "Auto" })] });
    expect(local.actions.map((a) => a.mode)).toEqual(["Auto"]);
    // A policy in another namespace does not apply.
    const other = plan(rollout.now, { ...cluster, policies: [obj("web", "heal", { mode: "Auto" })] });
    expect(other.actions.map((a) => a.mode)).toEqual(["DryRun"]);
    // The one with a selector that matches wins over the catch-all; its message names it.
    const specific = plan(rollout.now, {
      ...withPolicy(rollout.input, { mode: "Auto" }),
      policies: [
        obj("shop", "all", { mode: "Auto" }),
        obj("shop", "api-only", {
          mode: "Auto",
          actions: { rollback: "Off" },
          selector: { matchLabels: { app: "api" } },
        }),
        obj("shop", "web-only", { mode: "Off", selector: { matchLabels: { app: "web" } } }),
      ],
    });
    expect(guardrails(specific)).toEqual(["rollback:api:modeOff"]);
    expect(specific.skipped[0]?.message).toBe("rollback is Off in HealingPolicy shop/api-only");
    // Per-target limits follow the governing policy: its cooldown, not the cluster's.
    const first = plan(rollout.now, withPolicy(rollout.input, { mode: "Auto" })).actions[0] as Action;
    const history = [{ ...entry(first, minute(-2), "verified"), id: "rollback-earlier" }];
    const cooled = plan(rollout.now, {
      ...withPolicy({ ...rollout.input, history }, { mode: "Auto", cooldownSeconds: 60 }),
      policies: [obj("shop", "slow", { mode: "Auto", cooldownSeconds: 600 })],
    });
    expect(cooled.skipped.map((x) => x.guardrail)).toContain("cooldown");
    const clusterOnly = plan(
      rollout.now,
      withPolicy({ ...rollout.input, history }, { mode: "Auto", cooldownSeconds: 60 }),
    );
    expect(clusterOnly.actions.map((a) => a.kind)).toEqual(["rollback"]);
  });

  it("a HealingPolicy created in kube-system opts kube-system in", () => {
    const sys = loadScenario("bad-rollout.scenario.yaml", moveTo("kube-system"));
    const p = plan(sys.now, {
      ...withPolicy(sys.input, { mode: "Auto" }),
      policies: [
        { namespace: "kube-system", name: "opt-in", spec: HealingPolicySpec.parse({ mode: "Auto" }) },
      ],
    });
    expect(p.actions.map((a) => a.kind)).toEqual(["rollback"]);
  });

  it("node actions need a cluster-wide policy", () => {
    const n = loadScenario("nodes.scenario.yaml");
    const p = plan(n.now, withPolicy(n.input, { namespaceSelector: {}, maxUnhealthyNodesPercent: 40 }));
    expect(p.actions).toEqual([]);
    expect(new Set(p.skipped.map((s) => s.guardrail))).toEqual(new Set(["outOfScope"]));
  });
});

describe("guardrails: history", () => {
  const first = plan(rollout.now, rollout.input).actions[0]!;

  it("cooldown: another action on the workload a minute ago", () => {
    const other = { ...entry(first, minute(-1), "verified"), id: "restart-1", kind: "restart" as const };
    const p = plan(rollout.now, { ...rollout.input, history: [other] });
    expect(guardrails(p)).toEqual(["rollback:api:cooldown"]);
    expect(p.skipped[0]?.retryAt).toBe(minute(4));
  });

  it("per-hour cap: maxActionsPerHour actions on the workload in the last hour", () => {
    const history = [10, 20, 30].map((m, i) => ({ ...entry(first, minute(-m), "verified"), id: `x-${i}` }));
    const p = plan(
      rollout.now,
      withPolicy({ ...rollout.input, history }, { cooldownSeconds: 0, maxActionsPerHour: 3 }),
    );
    expect(guardrails(p)).toEqual(["rollback:api:rateLimit"]);
    expect(p.skipped[0]?.retryAt).toBe(minute(30));
    const older = history.map((h) => ({ ...h, at: minute(-61) }));
    const ok = plan(
      rollout.now,
      withPolicy({ ...rollout.input, history: older }, { cooldownSeconds: 0, maxActionsPerHour: 3 }),
    );
    expect(ok.actions.map((a) => a.kind)).toEqual(["rollback"]);
  });

  it("busy: an action on the same workload is still being verified", () => {
    const pending = {
      ...entry(first, minute(-1), "pending"),
      id: "raisememory-1",
      kind: "raiseMemory" as const,
    };
    const p = plan(rollout.now, withPolicy({ ...rollout.input, history: [pending] }, { cooldownSeconds: 0 }));
    expect(guardrails(p)).toEqual(["rollback:api:busy"]);
  });

  it("concurrency: the global cap counts disruptive actions in flight elsewhere", () => {
    const elsewhere = ["a", "b"].map((n) => ({
      ...entry(first, minute(-1), "pending" as const),
      id: `x-${n}`,
      scope: { ...first.scope, name: n },
      target: { ...first.target, name: n },
    }));
    const p = plan(rollout.now, { ...rollout.input, history: elsewhere });
    expect(guardrails(p)).toEqual(["rollback:api:concurrency"]);
    const done = elsewhere.map((h) => ({ ...h, outcome: "verified" as const }));
    expect(plan(rollout.now, { ...rollout.input, history: done }).actions).toHaveLength(1);
  });

  it("concurrency: the cap also binds within one plan, most severe first", () => {
    const oom = loadScenario("oom.scenario.yaml");
    const p = plan(oom.now, withPolicy(oom.input, { maxConcurrentDisruptions: 1 }));
    expect(p.actions.map((a) => a.target.name)).toEqual(["batch"]);
    expect(guardrails(p)).toContain("raiseMemory:worker:concurrency");
  });

  it("an action that made things worse is not retried for a day, and escalates", () => {
    const p = plan(rollout.now, {
      ...rollout.input,
      history: [{ ...entry(first, minute(-30), "undone"), id: "rollback-old" }],
    });
    expect(guardrails(p)).toEqual(["rollback:api:failedBefore"]);
    expect(p.escalations.map((e) => e.reason)).toEqual(["failedBefore"]);
  });

  it("OOMKilled again within a day of a raise: escalate (a leak), do not raise again", () => {
    const oom = loadScenario("oom.scenario.yaml");
    const raised = byKind(plan(oom.now, oom.input), "raiseMemory").find((a) => a.target.name === "worker")!;
    const history = [{ ...entry(raised, "2026-11-26T08:00:00Z", "verified"), id: "raisememory-old" }];
    const p = plan(oom.now, withPolicy({ ...oom.input, history }, { cooldownSeconds: 0 }));
    expect(byKind(p, "raiseMemory").map((a) => a.target.name)).toEqual(["batch"]);
    expect(p.escalations.map((e) => `${e.reason}:${e.target.name}`)).toEqual(["repeatedOom:worker"]);
  });
});

describe("guardrails: nodes", () => {
  const nodes = loadScenario("nodes.scenario.yaml");

  it("PDBs: no eviction beyond disruptionsAllowed; unhealthy pods go while the budget is healthy", () => {
    const evac = byKind(plan(nodes.now, nodes.input), "evacuateNode")[0]!;
    expect(evac.patches.filter((x) => x.type === "eviction").map((x) => x.target.name)).toEqual(["api-1-a"]);
    const strict = loadScenario("nodes.scenario.yaml", (sc) => ({
      ...sc,
      objects: sc.objects.map((o) =>
        o["kind"] === "PodDisruptionBudget"
          ? { ...o, status: { currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0 } }
          : o,
      ),
    }));
    const p = plan(strict.now, strict.input);
    expect(byKind(p, "evacuateNode")[0]!.patches.filter((x) => x.type === "eviction")).toEqual([]);
    expect(guardrails(p)).toEqual(
      expect.arrayContaining(["evacuateNode:api-1-a:pdb", "evacuateNode:api-1-b:pdb"]),
    );
    const unready = loadScenario("nodes.scenario.yaml", (sc) => ({
      ...sc,
      objects: sc.objects.map((o) =>
        o["kind"] === "PodDisruptionBudget"
          ? { ...o, status: { currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0 } }
          : o["kind"] === "Pod" && (o["metadata"] as { name: string }).name.startsWith("api-1-")
            ? { ...o, status: { phase: "Running", conditions: [{ type: "Ready", status: "False" }] } }
            : o,
      ),
    }));
    const evicted = byKind(plan(unready.now, unready.input), "evacuateNode")[0]!.patches.filter(
      (x) => x.type === "eviction",
    );
    expect(evicted.map((x) => x.target.name)).toEqual(["api-1-a", "api-1-b"]);
  });

  it("storm: more NotReady nodes than maxUnhealthyNodesPercent allows stops every node action", () => {
    const storm = loadScenario("storm.scenario.yaml");
    const stopped = plan(storm.now, storm.input);
    expect(stopped.actions).toEqual([]);
    expect(stopped.escalations).toHaveLength(1);
    const tolerant = plan(storm.now, withPolicy(storm.input, { maxUnhealthyNodesPercent: 60 }));
    expect(tolerant.escalations).toEqual([]);
    expect(tolerant.actions.map((a) => `${a.kind}:${a.target.name}`)).toEqual([
      "evacuateNode:node-1",
      "evacuateNode:node-2",
      "forceDeletePod:node-2",
    ]);
    // maxConcurrentDisruptions (default 2) still binds: the third evacuation waits.
    expect(guardrails(tolerant)).toEqual(["evacuateNode:node-3:concurrency"]);
  });

  it("a single NotReady node in a small cluster is never a storm; percent 0 disables node actions", () => {
    const p = plan(nodes.now, withPolicy(nodes.input, { maxUnhealthyNodesPercent: 0 }));
    expect(p.actions.map((a) => a.kind)).toEqual([]);
    expect(p.escalations.map((e) => e.reason)).toEqual(["storm"]);
  });

  it("grace: a node NotReady for less than nodeNotReadyGraceSeconds is left, with a retry time", () => {
    const p = plan(
      nodes.now,
      withPolicy(nodes.input, { maxUnhealthyNodesPercent: 40, nodeNotReadyGraceSeconds: 300 }),
    );
    expect(byKind(p, "evacuateNode")).toEqual([]);
    expect(
      p.skipped.filter((s) => s.guardrail === "grace").map((s) => `${s.kind}:${s.target.name}:${s.retryAt}`),
    ).toEqual([
      "evacuateNode:node-3:2026-11-26T10:04:50.000Z",
      "evacuateNode:node-2:2026-11-26T10:03:00.000Z",
      "forceDeletePod:node-2:2026-11-26T10:03:00.000Z",
    ]);
  });
});

// --------------------------------------------------------------------------------- dry run and idempotency

describe("dry run fidelity", () => {
  for (const file of scenarioFiles) {
    it(`${file}: a DryRun plan sends byte for byte what an Auto plan sends`, () => {
      const { now, input } = loadScenario(file);
      const auto = plan(now, withPolicy(input, { ...input.policy, mode: "Auto" }));
      const dry = plan(now, withPolicy(input, { ...input.policy, mode: "DryRun" }));
      expect(dry.actions.map((a) => a.id)).toEqual(auto.actions.map((a) => a.id));
      for (const [i, a] of dry.actions.entries()) {
        const b = auto.actions[i]!;
        expect(JSON.stringify(a.patches)).toBe(JSON.stringify(b.patches));
        expect(JSON.stringify(a.undo)).toBe(JSON.stringify(b.undo));
        expect({ ...a, mode: "Auto" }).toEqual({ ...b, mode: "Auto" });
      }
      expect(dry.skipped.map((s) => s.guardrail)).toEqual(auto.skipped.map((s) => s.guardrail));
    });
  }

  it("any mix of DryRun and Auto per action kind gives the same patches (property)", () => {
    const loaded = scenarioFiles.map((f) => loadScenario(f));
    fc.assert(
      fc.property(
        fc.nat({ max: loaded.length - 1 }).map((i) => loaded[i]!),
        fc.dictionary(fc.constantFrom(...ACTION_KINDS), fc.constantFrom("DryRun" as const, "Auto" as const)),
        ({ now, input }, actions) => {
          const auto = plan(now, withPolicy(input, { ...input.policy, mode: "Auto", actions: {} }));
          const mixed = plan(now, withPolicy(input, { ...input.policy, mode: "Auto", actions }));
          expect(JSON.stringify(mixed.actions.map((a) => [a.id, a.patches]))).toBe(
            JSON.stringify(auto.actions.map((a) => [a.id, a.patches])),
          );
          for (const a of mixed.actions) {
            const m = actions[a.kind] ?? "Auto";
            expect(a.mode).toBe(a.kind === "recommendCapacity" && m === "Auto" ? "Recommend" : m);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("idempotency", () => {
  for (const file of scenarioFiles) {
    it(`${file}: planning again with the actions in history plans none of them twice`, () => {
      const { now, input } = loadScenario(file);
      const first = plan(now, input);
      const sent = first.actions.filter((a) => a.mode === "Auto");
      for (const outcome of ["pending", "verified", "timedOut"] as const) {
        const again = plan(new Date(now.getTime() + 5_000), {
          ...input,
          history: [...input.history, ...sent.map((a) => entry(a, now.toISOString(), outcome))],
        });
        const ids = new Set(again.actions.map((a) => a.id));
        for (const a of sent) {
          expect(ids.has(a.id), `${a.kind} ${a.target.name} planned twice`).toBe(false);
          const why = again.skipped.find((s) => s.kind === a.kind && s.target.name === a.target.name);
          // A raise that did not cure an OOM is not repeated either: it escalates as a likely leak.
          if (outcome !== "pending" && a.kind === "raiseMemory") expect(why?.guardrail).toBe("noSafeAction");
          else expect(why?.guardrail).toBe("duplicate");
        }
      }
    });
  }

  it("the first action in history: no duplicate, the other actions still go", () => {
    const n = loadScenario("nodes.scenario.yaml");
    const first = plan(n.now, n.input);
    const [a, ...rest] = first.actions;
    const again = plan(n.now, { ...n.input, history: [entry(a!, n.now.toISOString(), "pending")] });
    expect(again.actions.map((x) => x.id)).toEqual(rest.map((x) => x.id));
  });

  it("a rejected request (failed) may be planned again; a DryRun record does not block Auto", () => {
    const a = plan(rollout.now, rollout.input).actions[0]!;
    const failed = plan(rollout.now, { ...rollout.input, history: [entry(a, minute(-1), "failed")] });
    expect(failed.actions.map((x) => x.id)).toEqual([a.id]);
    const dry = plan(rollout.now, { ...rollout.input, history: [entry(a, minute(-1), "pending", "DryRun")] });
    expect(dry.actions.map((x) => x.id)).toEqual([a.id]);
  });

  it("ids are stable per finding, action and target generation", () => {
    const a = plan(rollout.now, rollout.input).actions[0]!;
    expect(a.id).toMatch(/^rollback-[0-9a-f]{16}$/);
    const later = plan(new Date(rollout.now.getTime() + 3_600_000), rollout.input).actions[0]!;
    expect(later.id).toBe(a.id);
    const bumped = loadScenario("bad-rollout.scenario.yaml", (sc) => ({
      ...sc,
      objects: sc.objects.map((o) =>
        o["kind"] === "Deployment" ? { ...o, metadata: { ...(o["metadata"] as object), generation: 3 } } : o,
      ),
    }));
    expect(plan(bumped.now, bumped.input).actions[0]!.id).not.toBe(a.id);
  });
});

// ------------------------------------------------------------------------------------------------- verify

type Obj = Record<string, unknown>;
const nameOf = (o: Obj) => (o["metadata"] as { name: string }).name;

/** A later cluster state: `edit` returns the changed object, or undefined to delete it. */
function after(file: string, edit: (o: Obj) => Obj | undefined) {
  return loadScenario(file, (sc) => ({
    ...sc,
    objects: sc.objects.map(edit).filter((o): o is Obj => o !== undefined),
  })).input;
}

describe("verify", () => {
  const a = plan(rollout.now, rollout.input).actions[0]!;
  const at = (s: number) => new Date(rollout.now.getTime() + s * 1000);
  const healed = (o: Obj): Obj | undefined => {
    if (o["kind"] === "Pod" && nameOf(o) === "api-v2-a") return undefined;
    if (o["kind"] === "Deployment")
      return {
        ...o,
        metadata: { ...(o["metadata"] as object), generation: 3 },
        status: {
          observedGeneration: 3,
          replicas: 2,
          updatedReplicas: 2,
          readyReplicas: 2,
          availableReplicas: 2,
          conditions: [
            { type: "Available", status: "True" },
            { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" },
          ],
        },
      };
    return o;
  };

  it("pending while the finding is there and the deadline is ahead; timedOut after it", () => {
    const { snapshot, findings } = rollout.input;
    expect(verify(at(60), a, snapshot, findings)).toMatchObject({ outcome: "pending", undo: false });
    const late = verify(at(181), a, snapshot, findings);
    expect(late.outcome).toBe("timedOut");
    expect(late.reason).toContain("Deployment/BadRollout/Deployment/shop/api still present");
  });

  it("verified when the finding is gone and the workload is available", () => {
    const s = after("bad-rollout.scenario.yaml", healed);
    expect(s.findings.map((f) => f.code)).toEqual([]);
    expect(verify(at(60), a, s.snapshot, s.findings)).toEqual({
      outcome: "verified",
      reason:
        "verified: finding Deployment/BadRollout/Deployment/shop/api gone; Deployment api ≥ 2 available",
      undo: false,
    });
  });

  it("worse (undo) when availability dropped below what it was before, once the rollout settled", () => {
    // Every pod runs the new template, but one is not available: it may still be starting, so the dip is
    // judged at the deadline (a crash shows up earlier as a new finding, see the next test).
    const s = after("bad-rollout.scenario.yaml", (o) => {
      const h = healed(o);
      return h?.["kind"] === "Deployment"
        ? { ...h, status: { ...(h["status"] as object), availableReplicas: 1, readyReplicas: 1 } }
        : h;
    });
    expect(verify(at(60), a, s.snapshot, s.findings).outcome).toBe("pending");
    const v = verify(at(181), a, s.snapshot, s.findings);
    expect(v).toMatchObject({ outcome: "worse", undo: true });
    expect(v.reason).toContain("Deployment api available 2 → 1");
    // Mid-rollout the same dip is not yet "worse".
    const rolling = after("bad-rollout.scenario.yaml", (o) => {
      const h = healed(o);
      return h?.["kind"] === "Deployment"
        ? {
            ...h,
            status: { ...(h["status"] as object), availableReplicas: 1, replicas: 3, updatedReplicas: 1 },
          }
        : h;
    });
    expect(verify(at(60), a, rolling.snapshot, rolling.findings).outcome).toBe("pending");
    expect(verify(at(181), a, rolling.snapshot, rolling.findings).outcome).toBe("worse");
  });

  it("worse when a new high finding appears on the workload (the old revision crashes too)", () => {
    const s = after("bad-rollout.scenario.yaml", (o) => {
      const h = healed(o);
      return h?.["kind"] === "Pod" && nameOf(h) === "api-v1-b"
        ? {
            ...h,
            status: {
              phase: "Running",
              containerStatuses: [
                {
                  name: "app",
                  restartCount: 5,
                  state: { waiting: { reason: "CrashLoopBackOff" } },
                  lastState: { terminated: { reason: "Error", exitCode: 1 } },
                },
              ],
            },
          }
        : h;
    });
    const v = verify(at(30), a, s.snapshot, s.findings);
    expect(v).toMatchObject({ outcome: "worse", undo: true });
    expect(v.reason).toContain("new CrashLoopBackOff on Deployment/shop/api");
    // A finding whose onset predates the action is the fault being fixed, reported late: not harm.
    const early = s.findings.map((f) => ({ ...f, since: at(-5).toISOString() }));
    expect(verify(at(30), a, s.snapshot, early, at(0).toISOString()).outcome).not.toBe("worse");
    expect(verify(at(30), a, s.snapshot, early, at(-10).toISOString()).outcome).toBe("worse");
  });

  const nodes = loadScenario("nodes.scenario.yaml");
  const np = plan(nodes.now, nodes.input);
  const evac = byKind(np, "evacuateNode")[0]!;
  const force = byKind(np, "forceDeletePod")[0]!;
  const uncordon = byKind(np, "uncordonNode")[0]!;

  it("evacuation: verified once the node is cordoned and its evicted pods are terminating", () => {
    expect(verify(nodes.now, evac, nodes.input.snapshot, nodes.input.findings).outcome).toBe("pending");
    const s = after("nodes.scenario.yaml", (o) =>
      o["kind"] === "Node" && nameOf(o) === "node-2"
        ? { ...o, spec: { unschedulable: true } }
        : o["kind"] === "Pod" && nameOf(o) === "api-1-a"
          ? { ...o, metadata: { ...(o["metadata"] as object), deletionTimestamp: "2026-11-26T10:00:30Z" } }
          : o,
    );
    expect(verify(nodes.now, evac, s.snapshot, s.findings)).toMatchObject({ outcome: "verified" });
  });

  it("force delete: verified when the pods are gone", () => {
    const s = after("nodes.scenario.yaml", (o) => (nameOf(o) === "old-0" ? undefined : o));
    expect(verify(nodes.now, force, s.snapshot, s.findings).outcome).toBe("verified");
    expect(verify(nodes.now, force, nodes.input.snapshot, nodes.input.findings).outcome).toBe("pending");
  });

  it("uncordon: verified when schedulable; worse (re-cordon) when the node fails again", () => {
    const ok = after("nodes.scenario.yaml", (o) =>
      o["kind"] === "Node" && nameOf(o) === "node-5" ? { ...o, spec: {} } : o,
    );
    expect(verify(nodes.now, uncordon, ok.snapshot, ok.findings).outcome).toBe("verified");
    const flap = after("nodes.scenario.yaml", (o) =>
      o["kind"] === "Node" && nameOf(o) === "node-5"
        ? { ...o, spec: {}, status: { conditions: [{ type: "Ready", status: "False" }] } }
        : o,
    );
    expect(verify(nodes.now, uncordon, flap.snapshot, flap.findings)).toMatchObject({
      outcome: "worse",
      undo: true,
    });
    expect(uncordon.undo?.[0]?.body).toEqual([
      { op: "add", path: "/spec/unschedulable", value: true },
      {
        op: "add",
        path: "/metadata/annotations/vigil.dev~1cordoned",
        value: "evacuatenode-00000000000000aa",
      },
    ]);
  });

  it("actions without an undo never ask for one", () => {
    const s = after("nodes.scenario.yaml", (o) =>
      o["kind"] === "Deployment" ? { ...o, status: { ...(o["status"] as object), availableReplicas: 1 } } : o,
    );
    const v = verify(new Date(nodes.now.getTime() + 600_000), evac, s.snapshot, s.findings);
    expect(v).toMatchObject({ outcome: "worse", undo: false });
  });
});
