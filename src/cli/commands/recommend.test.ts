import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as rs from "../../rightsize/index.js";
import {
  ANNOTATION,
  PLAN_DEFAULTS,
  oomNeed,
  parsePod,
  planLive,
  proposeContainer,
  quantity,
  type ContainerSample,
  type LiveInput,
  type PodView,
  type WorkloadView,
} from "../rightsize/index.js";
import { parseTarget, renderLiveTable } from "./recommend.js";

const Mi = rs.MiB;
const Gi = rs.GiB;
const NOW = 1_800_000_000;

function workload(name: string, c: Partial<WorkloadView["containers"][number]> = {}): WorkloadView {
  return {
    kind: "Deployment",
    namespace: "shop",
    name,
    labels: { app: name },
    replicas: 2,
    containers: [
      {
        name: "app",
        requests: { cpu: 1, mem: Gi },
        limits: { cpu: 1, mem: Gi },
        readiness: { periodSeconds: 5 },
        liveness: { periodSeconds: 10 },
        ...c,
      },
    ],
  };
}

function pod(w: WorkloadView, name: string, oomKills: number[] = []): PodView {
  return {
    namespace: w.namespace,
    name,
    node: "node-1",
    owner: { kind: w.kind, name: w.name },
    terminal: false,
    containers: w.containers.map((c) => ({ ...c, oomKills })),
  };
}

function samples(pods: readonly string[], cpu: number, mem: number, n = 5, step = 15): ContainerSample[] {
  return pods.flatMap((p) =>
    Array.from({ length: n }, (_, i) => ({
      t: NOW - (n - 1 - i) * step,
      pod: p,
      namespace: "shop",
      container: "app",
      cpu,
      mem,
    })),
  );
}

function input(over: Partial<LiveInput>): LiveInput {
  return {
    now: NOW,
    source: "60s of metrics.k8s.io samples",
    workloads: [],
    pods: [],
    samples: [],
    quotas: [],
    nodes: [],
    clusterPods: [],
    policies: [],
    ...over,
  };
}

describe("planLive: over-provisioned Deployment", () => {
  const w = workload("api");
  const pods = [pod(w, "api-1-a"), pod(w, "api-1-b")];
  const base = input({
    workloads: [w],
    pods,
    clusterPods: pods,
    samples: samples(["api-1-a", "api-1-b"], 0.05, 64 * Mi),
  });

  it("recommends far below, never below the memory peak, and keeps Guaranteed", () => {
    const p = planLive(base);
    const wp = p.workloads[0]!;
    const c = wp.containers[0]!;
    expect(wp.status).toBe("resize");
    expect(c.proposed.requests.cpu).toBeLessThan(0.2);
    expect(c.proposed.requests.mem).toBeGreaterThanOrEqual(64 * Mi);
    expect(c.proposed.requests.mem).toBeLessThan(128 * Mi);
    expect(c.proposed.limits).toEqual(c.proposed.requests);
    expect(wp.qos).toMatchObject({ now: "Guaranteed", recommended: "Guaranteed" });
    expect(wp.monthly.savings).toBeGreaterThan(0);
  });

  it("patches only the template's resources and annotates why; the bytes are the patch", () => {
    const wp = planLive(base).workloads[0]!;
    expect(JSON.parse(wp.patchBytes!)).toEqual(wp.patch);
    expect(wp.patch).toEqual({
      metadata: { annotations: { [ANNOTATION]: wp.reason } },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "app",
                resources: {
                  limits: { cpu: "65m", memory: "74Mi" },
                  requests: { cpu: "65m", memory: "74Mi" },
                },
              },
            ],
          },
        },
      },
    });
    expect(wp.reason).toContain("memory peak 64Mi");
    expect(wp.reason).toContain("cpu request 1→65m");
  });

  it("is deterministic under sub-millicore jitter (dry run and apply send the same bytes)", () => {
    const a = planLive(base).workloads[0]!.patchBytes;
    const jittered = base.samples.map((s, i) => ({ ...s, cpu: s.cpu + (i % 3) * 0.0004 }));
    expect(planLive({ ...base, samples: jittered }).workloads[0]!.patchBytes).toBe(a);
  });

  it("applies only with --apply or an Auto HealingPolicy selecting the workload", () => {
    expect(planLive(base).workloads[0]!.apply).toEqual({
      allowed: false,
      why: "no HealingPolicy selects it and --apply is not given",
    });
    expect(planLive(base, { ...PLAN_DEFAULTS, explicitApply: true }).workloads[0]!.apply.allowed).toBe(true);
    const pol = (mode: "Auto" | "DryRun", app = "api", suspend = false) => ({
      namespace: "shop",
      name: "heal",
      mode,
      suspend,
      selector: { matchLabels: { app } },
    });
    expect(planLive({ ...base, policies: [pol("Auto")] }).workloads[0]!.apply).toEqual({
      allowed: true,
      why: "HealingPolicy heal is in Auto mode",
    });
    expect(planLive({ ...base, policies: [pol("DryRun")] }).workloads[0]!.apply.allowed).toBe(false);
    expect(planLive({ ...base, policies: [pol("Auto", "web")] }).workloads[0]!.apply.allowed).toBe(false);
    expect(planLive({ ...base, policies: [pol("Auto", "api", true)] }).workloads[0]!.apply.allowed).toBe(
      false,
    );
    expect(
      planLive({ ...base, policies: [{ ...pol("Auto"), namespace: "other" }] }).workloads[0]!.apply.allowed,
    ).toBe(false);
  });

  it("reports cost per namespace, quota headroom after the change, and node overcommitment", () => {
    const p = planLive({
      ...base,
      quotas: [
        {
          namespace: "shop",
          name: "compute",
          hard: { requestsCpu: 4, requestsMemory: 4 * Gi },
          used: { requestsCpu: 2, requestsMemory: 2 * Gi },
        },
      ],
      nodes: [{ name: "node-1", allocatable: { cpu: 1, mem: 1 * Gi } }],
    });
    const ns = p.namespaces[0]!;
    expect(ns.monthly.savings).toBeCloseTo(p.workloads[0]!.monthly.savings);
    const cpu = ns.quotas[0]!.lines.find((l) => l.resource === "requestsCpu")!;
    expect(cpu.headroom).toBe(2);
    expect(cpu.recommendedUse).toBeCloseTo(2 - 2 * (1 - 0.065));
    expect(p.nodes![0]!.memLimitRatio).toBe(2);
    expect(p.nodes![0]!.risk).not.toBe("none");
    const table = renderLiveTable(p, [], true);
    expect(table).toContain("deployment/api");
    expect(table).toContain("strategic merge patch");
    expect(table).toContain(p.workloads[0]!.patchBytes);
  });

  it("says nothing changes when usage matches the requests", () => {
    const w2 = workload("api", {
      requests: { cpu: 0.065, mem: 74 * Mi },
      limits: { cpu: 0.065, mem: 74 * Mi },
    });
    const p = planLive({ ...base, workloads: [w2], pods: [pod(w2, "api-1-a"), pod(w2, "api-1-b")] });
    expect(p.workloads[0]!.status).toBe("ok");
    expect(p.workloads[0]!.patch).toBeUndefined();
  });
});

describe("planLive: OOM kills", () => {
  const w = workload("worker", { requests: { cpu: 0.05, mem: 64 * Mi }, limits: { mem: 100 * Mi } });

  it("raises memory above what the kill showed was needed, never lowers it", () => {
    const pods = [pod(w, "worker-1-a", [NOW - 30])];
    const p = planLive(input({ workloads: [w], pods, samples: samples(["worker-1-a"], 0.05, 20 * Mi) }));
    const c = p.workloads[0]!.containers[0]!;
    expect(c.proposed.limits.mem).toBeGreaterThanOrEqual(oomNeed(100 * Mi, rs.VIGIL_DEFAULTS.oom));
    expect(c.proposed.requests.mem).toBeGreaterThanOrEqual(oomNeed(100 * Mi, rs.VIGIL_DEFAULTS.oom));
    expect(c.proposed.limits.cpu).toBeUndefined(); // Vigil never adds a limit
    expect(c.reasons.join(" ")).toContain("OOMKilled 1×");
  });

  it("raises memory from the kill alone when no usage was sampled (a crash-looping pod)", () => {
    const pods = [pod(w, "worker-1-a", [NOW - 30])];
    const wp = planLive(input({ workloads: [w], pods })).workloads[0]!;
    expect(wp.status).toBe("raiseMemory");
    const c = wp.containers[0]!;
    expect(c.proposed.limits.mem).toBeGreaterThanOrEqual(200 * Mi);
    expect(c.proposed.requests.cpu).toBe(0.05);
    expect(wp.patch).toMatchObject({
      spec: {
        template: {
          spec: {
            containers: [
              {
                resources: {
                  limits: { memory: `${c.proposed.limits.mem! / Mi}Mi` },
                  requests: { memory: `${c.proposed.requests.mem! / Mi}Mi` },
                },
              },
            ],
          },
        },
      },
    });
    expect(JSON.parse(wp.patchBytes!)).toEqual(wp.patch);
  });

  it("uses a raiseMemory override of the policy for raise-only plans", () => {
    const pods = [pod(w, "worker-1-a", [NOW - 30])];
    const policies = [
      {
        namespace: "shop",
        name: "p",
        mode: "DryRun" as const,
        raiseMemoryMode: "Auto" as const,
        suspend: false,
      },
    ];
    expect(planLive(input({ workloads: [w], pods, policies })).workloads[0]!.apply.allowed).toBe(true);
  });
});

describe("planLive: what is not patched", () => {
  it("skips bare pods and workloads without data", () => {
    const w = workload("idle");
    const bare: PodView = {
      namespace: "shop",
      name: "debug",
      node: "node-1",
      owner: undefined,
      terminal: false,
      containers: [],
    };
    const p = planLive(input({ workloads: [w], pods: [bare] }));
    expect(p.skipped).toEqual([
      expect.objectContaining({
        kind: "Pod",
        name: "debug",
        reason: expect.stringContaining("never patches pods") as unknown,
      }),
    ]);
    expect(p.workloads[0]!.status).toBe("noData");
    expect(p.workloads[0]!.patch).toBeUndefined();
  });
});

describe("proposeContainer: memory is never below the observed peak", () => {
  it("holds for any usage", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            cpu: fc.double({ min: 0, max: 8, noNaN: true }),
            mem: fc.integer({ min: 0, max: 8 * Gi }),
          }),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        fc.option(fc.integer({ min: Mi, max: 4 * Gi }), { nil: undefined }),
        fc.boolean(),
        (xs, limit, oom) => {
          const s = xs.map((x, i) => ({ t: NOW + 15 * i, ...x }));
          const c = proposeContainer(
            { name: "app", requests: { cpu: 0.1, mem: limit }, limits: { mem: limit } },
            s,
            oom ? [NOW] : [],
            PLAN_DEFAULTS,
          );
          const peak = Math.max(...xs.map((x) => x.mem));
          expect(c.proposed.requests.mem).toBeGreaterThanOrEqual(peak);
          if (c.proposed.limits.mem !== undefined)
            expect(c.proposed.limits.mem).toBeGreaterThanOrEqual(c.proposed.requests.mem!);
          if (oom && limit !== undefined) expect(c.proposed.limits.mem).toBeGreaterThan(limit);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("cluster objects", () => {
  it("parses quantities", () => {
    expect(quantity("250m")).toBe(0.25);
    expect(quantity("64Mi")).toBe(64 * Mi);
    expect(quantity("50000000n")).toBeCloseTo(0.05);
    expect(quantity("1Gi")).toBe(Gi);
    expect(quantity("x")).toBeUndefined();
  });

  it("resolves a pod's Deployment through its ReplicaSet and reads OOM kills", () => {
    const p = parsePod(
      {
        metadata: {
          namespace: "shop",
          name: "worker-abc-1",
          ownerReferences: [{ kind: "ReplicaSet", name: "worker-abc", controller: true }],
        },
        spec: {
          nodeName: "node-2",
          containers: [{ name: "app", resources: { limits: { memory: "100Mi" } } }],
        },
        status: {
          phase: "Running",
          containerStatuses: [
            {
              name: "app",
              lastState: { terminated: { reason: "OOMKilled", finishedAt: "2027-01-15T08:00:00Z" } },
            },
          ],
        },
      },
      new Map([["shop/worker-abc", "worker"]]),
    );
    expect(p.owner).toEqual({ kind: "Deployment", name: "worker" });
    expect(p.containers[0]).toMatchObject({
      limits: { mem: 100 * Mi },
      oomKills: [Date.parse("2027-01-15T08:00:00Z") / 1000],
    });
  });

  it("parses targets kubectl-style and refuses anything else", () => {
    expect(parseTarget("deploy/api")).toEqual({ kind: "Deployment", name: "api" });
    expect(parseTarget("pod/debug")).toEqual({ kind: "Pod", name: "debug" });
    expect(() => parseTarget("service/api")).toThrow(/not a workload/);
  });
});
