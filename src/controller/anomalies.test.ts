// Live metric anomalies with synthetic informer objects and metrics.k8s.io polls (15 s apart, production
// detector defaults: 150 points of warm-up): a flat noisy workload stays quiet; a CPU level shift, a memory ramp
// and a burst of restarts each give exactly one signal for the Deployment; series of deleted workloads,
// series past the cap and idle series are evicted. Also measures the detectors' cost per point
// (1,000 series × 100 points), printed, not asserted.
import { describe, expect, it } from "vitest";
import * as anomaly from "../anomaly/index.js";
import {
  Anomalies,
  NAB_STANDARD_THRESHOLD,
  anomalyLine,
  anomalySignal,
  type AnomalyMetric,
  type MetricAnomaly,
} from "./index.js";

const T0 = Date.parse("2026-11-20T10:00:00Z");
const STEP_MS = 15_000;

/** Deterministic uniform noise in [-1, 1) (mulberry32). */
function noise(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (((x ^ (x >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

const rs = (ns: string, name: string, deployment: string) => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: {
    namespace: ns,
    name,
    ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: deployment, controller: true }],
  },
});
const dep = (ns: string, name: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { namespace: ns, name },
});
const pod = (
  ns: string,
  name: string,
  owner: string | undefined,
  node: string | undefined,
  restarts = 0,
) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    namespace: ns,
    name,
    ...(owner !== undefined
      ? { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: owner, controller: true }] }
      : {}),
  },
  spec: node !== undefined ? { nodeName: node } : {},
  status: { containerStatuses: [{ restartCount: restarts }] },
});
const usage = (ns: string, name: string, i: number, cores: number, bytes: number) => ({
  metadata: { namespace: ns, name },
  timestamp: new Date(T0 + i * STEP_MS).toISOString(),
  window: "10s",
  containers: [
    { name: "app", usage: { cpu: `${Math.round(cores * 1e9)}n`, memory: `${Math.round(bytes / 1024)}Ki` } },
  ],
});

interface Sample {
  /** Cores per pod. */
  cpu: number;
  /** Bytes per pod. */
  memory: number;
  /** Cumulative restarts of pod a. */
  restarts: number;
}

const WARM = 200;
const MI = 2 ** 20;
const BASE: Sample = { cpu: 0.05, memory: 64 * MI, restarts: 0 };

/** Two pods of Deployment shop/web (via ReplicaSet web-1) on node-1 and node-2, one poll per point. */
function drive(
  points: number,
  at: (i: number, r: () => number) => Sample,
  a = new Anomalies({ onAnomaly: () => undefined }),
  seed = 7,
) {
  a.object("deployments", "d/web", dep("shop", "web"));
  a.object("replicaSets", "r/web-1", rs("shop", "web-1", "web"));
  const r = noise(seed);
  for (let i = 0; i < points; i++) {
    const s = at(i, r);
    a.object("pods", "p/a", pod("shop", "web-1-a", "web-1", "node-1", s.restarts));
    a.object("pods", "p/b", pod("shop", "web-1-b", "web-1", "node-2"));
    a.metrics([usage("shop", "web-1-a", i, s.cpu, s.memory), usage("shop", "web-1-b", i, s.cpu, s.memory)]);
  }
  return a;
}

/** ±3 % noise around the base. */
const quiet = (r: () => number): Sample => ({
  cpu: BASE.cpu * (1 + 0.03 * r()),
  memory: BASE.memory * (1 + 0.03 * r()),
  restarts: 0,
});

const cases: {
  name: string;
  at: (i: number, r: () => number) => Sample;
  expect: AnomalyMetric | undefined;
}[] = [
  { name: "a flat noisy series stays quiet", at: (_, r) => quiet(r), expect: undefined },
  {
    name: "a CPU level shift (×4) gives one cpu signal",
    at: (i, r) => {
      const q = quiet(r);
      return i < WARM ? q : { ...q, cpu: q.cpu * 4 };
    },
    expect: "cpu",
  },
  {
    name: "a memory ramp (+1 Mi per point) gives one memory signal",
    at: (i, r) => {
      const q = quiet(r);
      return i < WARM ? q : { ...q, memory: q.memory + (i - WARM) * MI };
    },
    expect: "memory",
  },
  {
    name: "a burst of restarts (crash-loop back-off) gives one restarts signal",
    at: (i, r) => {
      const q = quiet(r);
      const bursts = [0, 1, 3, 6, 11].filter((d) => i >= WARM + d).length;
      return { ...q, restarts: bursts };
    },
    expect: "restarts",
  },
];

describe("Anomalies", () => {
  it.each(cases)("$name (10 noise seeds)", ({ at, expect: metric }) => {
    for (let seed = 1; seed <= 10; seed++) {
      const got: MetricAnomaly[] = [];
      drive(WARM + 100, at, new Anomalies({ onAnomaly: (x) => got.push(x) }), seed);
      const onWeb = got.filter((x) => x.object.kind === "Deployment" && x.object.name === "web");
      expect(
        onWeb.map((x) => x.metric),
        `seed ${String(seed)}`,
      ).toEqual(metric === undefined ? [] : [metric]);
      // Nothing fires during the warm-up; a quiet workload gives no signal at all, not even on its nodes.
      for (const x of got) expect(Date.parse(x.at)).toBeGreaterThanOrEqual(T0 + WARM * STEP_MS);
      if (metric === undefined) expect(got, `seed ${String(seed)}`).toEqual([]);
      const hit = onWeb[0];
      if (hit === undefined) continue;
      expect(hit.object).toEqual({
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: "shop",
        name: "web",
      });
      expect(hit.score).toBeGreaterThanOrEqual(NAB_STANDARD_THRESHOLD);
      expect(hit.value).toBeGreaterThan(hit.baseline);
      expect(anomalySignal(hit)).toMatchObject({ kind: "anomaly", metric, object: hit.object });
      expect(anomalyLine(hit)).toMatch(
        new RegExp(`ANOMALY  score \\d\\.\\d\\d Deployment shop/web ${metric}: `),
      );
    }
  });

  it("the CPU shift also shows on the nodes the pods run on", () => {
    const got: MetricAnomaly[] = [];
    drive(
      WARM + 100,
      (i, r) => (i < WARM ? quiet(r) : { ...quiet(r), cpu: 0.2 }),
      new Anomalies({ onAnomaly: (x) => got.push(x) }),
    );
    const nodes = got.filter((x) => x.object.kind === "Node" && x.metric === "cpu");
    expect(nodes.map((x) => x.node).sort()).toEqual(["node-1", "node-2"]);
  });

  it("a poll with no newer sample is not a new point", () => {
    const a = drive(3, (_, r) => quiet(r));
    const points = a.stats.points;
    a.metrics([usage("shop", "web-1-a", 2, 0.05, 64 * MI)]);
    expect(a.stats.points).toBe(points);
    expect(a.stats.stale).toBe(1);
  });

  it("drops the series of a deleted Deployment and of a deleted bare Pod", () => {
    const a = drive(5, (_, r) => quiet(r));
    a.object("pods", "p/solo", pod("shop", "solo", undefined, undefined));
    a.metrics([usage("shop", "solo", 6, 0.01, MI)]);
    expect(
      a
        .refs("cpu")
        .map((r) => `${r.kind}/${r.name}`)
        .sort(),
    ).toEqual(["Deployment/web", "Node/node-1", "Node/node-2", "Pod/solo"]);
    expect(a.size).toBe(12); // 4 refs × cpu, memory, restarts
    a.object("deployments", "d/web", undefined);
    a.object("pods", "p/solo", undefined);
    expect(
      a
        .refs("cpu")
        .map((r) => `${r.kind}/${r.name}`)
        .sort(),
    ).toEqual(["Node/node-1", "Node/node-2"]);
    a.object("nodes", "n/node-1", { apiVersion: "v1", kind: "Node", metadata: { name: "node-1" } });
    a.object("nodes", "n/node-1", undefined);
    expect(a.refs("cpu").map((r) => `${r.kind}/${r.name}`)).toEqual(["Node/node-2"]);
  });

  it("caps the series, evicting the least recently fed", () => {
    const a = new Anomalies({ onAnomaly: () => undefined, maxSeries: 7 });
    for (let w = 0; w < 3; w++) {
      a.object("deployments", `d/w${w}`, dep("shop", `w${w}`));
      a.object("replicaSets", `r/w${w}`, rs("shop", `w${w}-1`, `w${w}`));
      a.object("pods", `p/w${w}`, pod("shop", `w${w}-1-a`, `w${w}-1`, undefined));
    }
    for (let i = 0; i < 3; i++) a.metrics([0, 1, 2].map((w) => usage("shop", `w${w}-1-a`, i, 0.01, MI)));
    expect(a.size).toBe(7);
    expect(a.stats.evicted).toBeGreaterThan(0);
  });

  it("drops a series no longer fed after idleSeconds", () => {
    const a = drive(3, (_, r) => quiet(r), new Anomalies({ onAnomaly: () => undefined, idleSeconds: 60 }));
    a.object("pods", "p/a", undefined);
    a.object("pods", "p/b", undefined);
    a.object("pods", "p/x", pod("other", "x", undefined, undefined));
    for (let i = 3; i < 10; i++) a.metrics([usage("other", "x", i, 0.01, MI)]);
    expect(a.refs("cpu").map((r) => `${r.kind}/${r.name}`)).toEqual(["Pod/x"]);
  });

  it("costs little per point (1,000 series × 100 points; measured, not asserted)", () => {
    const a = new Anomalies({ onAnomaly: () => undefined, maxSeries: 10_000 });
    const r = noise(3);
    const W = 334; // × cpu, memory, restarts = 1,002 series
    for (let w = 0; w < W; w++) {
      a.object("replicaSets", `r/${w}`, rs("load", `w${w}-1`, `w${w}`));
      a.object("pods", `p/${w}`, pod("load", `w${w}-1-a`, `w${w}-1`, undefined));
    }
    let detectMs = 0;
    for (let i = 0; i < 100; i++) {
      const items = Array.from({ length: W }, (_, w) =>
        usage("load", `w${w}-1-a`, i, 0.05 * (1 + 0.05 * r()), 64 * MI),
      );
      const t0 = performance.now();
      a.metrics(items);
      detectMs += performance.now() - t0;
    }
    expect(a.size).toBe(3 * W);
    expect(a.stats.points).toBe(3 * W * 100 - W); // no restart point on the first tick
    const perPoint = (detectMs * 1000) / a.stats.points;
    // The detectors alone (no parsing or grouping): 1,000 series × 100 points through `combinedStep`.
    const cfg = anomaly.defaultAnomalyConfig;
    const states = Array.from({ length: 1_000 }, () => anomaly.combinedInit(cfg));
    const t0 = performance.now();
    for (let i = 0; i < 100; i++)
      for (const st of states) anomaly.combinedStep(st, cfg, { t: i * 15, v: 1 + 0.05 * r() });
    const pureUs = ((performance.now() - t0) * 1000) / 100_000;
    console.info(
      `anomalies: ${String(a.stats.points)} points in ${detectMs.toFixed(0)} ms = ${perPoint.toFixed(2)} µs per point through Anomalies.metrics (a tick of ${String(3 * W)} series: ${(detectMs / 100).toFixed(2)} ms); detectors alone ${pureUs.toFixed(2)} µs per point; one detector's state ${String(JSON.stringify(states[0]).length)} bytes as JSON`,
    );
  });
});
