import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  assess,
  flatSteps,
  measure,
  parseScenario,
  recoveryTime,
  summarize,
  type ClusterView,
  type RunObservations,
  type Sample,
  type Scenario,
} from "./index.js";

const dir = new URL("../../deploy/scenarios/", import.meta.url);

function load(file: string): Scenario {
  const r = parseScenario(parse(readFileSync(new URL(file, dir), "utf8")));
  if (r.kind !== "ok") throw new Error(r.message);
  return r.scenario;
}

describe("the shipped catalogue", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
  it("has at least 12 scenarios, each named like its file", () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const f of files) expect(load(f).metadata.name).toBe(f.replace(/\.yaml$/, ""));
  });
  it("covers the issue's faults", () => {
    const names = files.map((f) => f.replace(/\.yaml$/, ""));
    for (const n of [
      "bad-image-rollout",
      "crashloop-rollout",
      "missing-config-rollout",
      "oom-under-load",
      "slow-start-liveness",
      "node-not-ready",
      "flapping-node",
      "dependency-outage",
      "stuck-terminating",
      "noisy-neighbour",
      "memory-leak",
      "mass-node-failure",
    ])
      expect(names).toContain(n);
  });
  it("the mass node failure forbids any action", () => {
    expect(load("mass-node-failure.yaml").spec.expect.maxActions).toBe(0);
  });
});

describe("parseScenario", () => {
  const base = {
    apiVersion: "vigil.dev/v1alpha1",
    kind: "Scenario",
    metadata: { name: "x" },
    spec: {
      workload: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }],
      fault: [{ wait: "1m" }, { repeat: { times: 2, steps: [{ wait: 500 }, { wait: "250ms" }] } }],
    },
  };
  it("applies defaults and reads durations", () => {
    const r = parseScenario(base);
    expect(r.kind).toBe("ok");
    if (r.kind !== "ok") return;
    expect(r.scenario.spec.recovery.timeoutSeconds).toBe(180);
    expect(flatSteps(r.scenario.spec.fault)).toEqual([
      { wait: 60 },
      { wait: 500 },
      { wait: 0.25 },
      { wait: 500 },
      { wait: 0.25 },
    ]);
  });
  it("names every problem", () => {
    const r = parseScenario({
      ...base,
      metadata: { name: "Bad Name" },
      spec: { ...base.spec, fault: [{ jump: 1 }] },
    });
    expect(r.kind).toBe("invalid");
    if (r.kind === "invalid") {
      expect(r.message).toContain("metadata.name");
      expect(r.message).toContain("spec.fault");
    }
  });
  it("a patch needs a name", () => {
    const r = parseScenario({
      ...base,
      spec: { ...base.spec, fault: [{ patch: { kind: "Deployment", body: {} } }] },
    });
    expect(r).toEqual({ kind: "invalid", message: "a patch step needs patch.name" });
  });
});

const ready = { type: "Ready", status: "True" };
function view(readyPods: number, opts: { nodeDown?: boolean; terminating?: boolean } = {}): ClusterView {
  return {
    nodes: [
      { metadata: { name: "n1" }, status: { conditions: [ready] } },
      {
        metadata: { name: "n2" },
        status: { conditions: [opts.nodeDown === true ? { type: "Ready", status: "Unknown" } : ready] },
      },
    ],
    deployments: [
      {
        metadata: { name: "web", generation: 2 },
        spec: { replicas: 2, selector: { matchLabels: { app: "web" } } },
        status: { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 },
      },
    ],
    pods: [
      ...Array.from({ length: 2 }, (_, i) => ({
        metadata: { name: `web-${i}`, labels: { app: "web" } },
        spec: { nodeName: `n${i + 1}` },
        status: { phase: "Running", conditions: i < readyPods ? [ready] : [] },
      })),
      ...(opts.terminating === true
        ? [{ metadata: { name: "old", labels: { app: "web" }, deletionTimestamp: "2026-01-01T00:00:00Z" } }]
        : []),
    ],
  };
}
const rec = {
  minObserveSeconds: 30,
  noTerminatingPods: false,
  noFailedPods: false,
  nodesReady: false,
  timeoutSeconds: 60,
  baselineTimeoutSeconds: 60,
};

describe("assess", () => {
  it("healthy when every replica is Ready on a Ready node", () => {
    expect(assess(view(2), rec, [])).toEqual({ healthy: true, score: 1, detail: "" });
  });
  it("a Ready pod on a node that is not Ready does not count", () => {
    const a = assess(view(2, { nodeDown: true }), rec, []);
    expect(a.healthy).toBe(false);
    expect(a.score).toBe(0.5);
    expect(a.detail).toContain("web: 1/2 ready on ready nodes");
  });
  it("terminating pods count only when the scenario asks", () => {
    expect(assess(view(2, { terminating: true }), rec, []).healthy).toBe(true);
    expect(assess(view(2, { terminating: true }), { ...rec, noTerminatingPods: true }, []).detail).toBe(
      "1 pods terminating",
    );
  });
});

const s = (t: number, healthy: boolean, score = healthy ? 1 : 0.5): Sample => ({
  at: t * 1000,
  healthy,
  score,
});

describe("recoveryTime", () => {
  it("the start of the last healthy stretch, once it held long enough", () => {
    const xs = [s(0, true), s(1, false), s(2, true), s(3, false), s(4, true), s(9, true)];
    expect(recoveryTime(xs, 0, 5)).toBe(4000);
    expect(recoveryTime(xs.slice(0, 5), 0, 5)).toBeUndefined();
  });
  it("no impact at all counts as recovered at the fault", () => {
    expect(recoveryTime([s(0, true), s(6, true)], 0, 5)).toBe(0);
  });
  it("never, when it ends unhealthy", () => {
    expect(recoveryTime([s(0, false), s(10, false)], 0, 5)).toBeUndefined();
  });
});

describe("measure", () => {
  const sc = load("mass-node-failure.yaml");
  const obs: RunObservations = {
    faultAt: 0,
    namespace: "ns",
    touchedNodes: ["node-1"],
    samples: [s(0, true), s(5, false), s(40, true), s(50, true)],
    findings: [
      { at: -5000, kind: "Deployment", namespace: "ns", name: "web", code: "MissingRequests" },
      { at: 21_000, kind: "Node", namespace: "", name: "node-1", code: "NodeUnreachable" },
      { at: 22_000, kind: "Node", namespace: "", name: "node-9", code: "NodeUnreachable" },
    ],
    actions: [],
    escalations: 1,
    stableSeconds: 5,
    harmWindowSeconds: 30,
  };
  it("detection is the first finding after the fault on the namespace or a touched node", () => {
    const r = measure(obs, sc, false);
    expect(r).toMatchObject({
      recovered: true,
      detect_s: 21,
      mttr_s: 40,
      actions: 0,
      harmful_actions: 0,
      expectation_met: true,
    });
  });
  it("the baseline's detection is Kubernetes' own status showing the fault", () => {
    expect(measure(obs, sc, true).detect_s).toBe(5);
  });
  it("harmful: undone actions, availability lower 30 s later, actions over the cap, untouched workloads", () => {
    const r = measure(
      {
        ...obs,
        samples: [s(0, true), s(5, false, 0.5), s(20, false, 0.25), s(60, true)],
        actions: [
          {
            at: 6000,
            id: "a",
            kind: "evacuateNode",
            targetKind: "Node",
            targetName: "node-1",
            outcome: "verified",
          },
          {
            at: 70_000,
            id: "b",
            kind: "rollback",
            targetKind: "Deployment",
            targetName: "web",
            outcome: "undone",
          },
        ],
      },
      sc,
      false,
    );
    expect(r.harmful_actions).toBe(2);
    expect(r.expectation_met).toBe(false);
    expect(r.notes.join("\n")).toContain("availability 0.50 -> 0.25");
    expect(r.notes.join("\n")).toContain("at most 0 are expected");
  });
  it("summarize: medians and the MTTR change where both recovered", () => {
    const v = measure(obs, sc, false);
    const b = { ...v, mttr_s: 400 };
    const sum = summarize([
      { name: "a", vigil: v, baseline: b },
      { name: "b", vigil: v, baseline: { ...b, recovered: false, mttr_s: null } },
    ]);
    expect(sum).toMatchObject({
      scenarios: 2,
      vigil_recovered: 2,
      mttr_change_median: -0.9,
      vigil_mttr_median_s: 40,
    });
  });
});
