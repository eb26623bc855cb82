import { describe, expect, it } from "vitest";
import { EMPTY_HPA_STATE, hpaSpec, hpaSync, replicasForMetric, type HpaState, type PodView } from "./hpa.js";
import { queueStep, EMPTY_QUEUE } from "./queue.js";

const spec = hpaSpec({ minReplicas: 1, maxReplicas: 100, metric: { type: "AverageValue", target: 100 } });
const ready = (n: number, metric: number): PodView[] =>
  Array.from({ length: n }, () => ({ phase: "Running", deleting: false, metric }));
const pending = (n: number): PodView[] =>
  Array.from({ length: n }, () => ({ phase: "Pending", deleting: false, metric: undefined }));
const missing = (n: number): PodView[] =>
  Array.from({ length: n }, () => ({ phase: "Running", deleting: false, metric: undefined }));

describe("replicasForMetric (replica_calculator.go)", () => {
  it.each([
    ["within tolerance above", 4, 109, 4],
    ["within tolerance below", 4, 91, 4],
    ["just outside tolerance", 4, 111, 5],
    ["scale down", 4, 50, 2],
    ["scale up, ceil", 3, 150, 5],
  ])("%s", (_n, pods, metric, want) => {
    expect(replicasForMetric(pods, ready(pods, metric), spec)).toMatchObject({ kind: "ok", replicas: want });
  });

  it("counts unready pods as 0 on scale-up", () => {
    // 2 ready at 200%: naive 4; with 2 pending at 0 the ratio is 1.0 -> within tolerance, keep 4.
    expect(replicasForMetric(4, [...ready(2, 200), ...pending(2)], spec)).toMatchObject({ replicas: 4 });
  });

  it("counts missing pods as the target on scale-down and keeps current if the direction flips", () => {
    // 2 ready at 50%, 2 missing at 100%: ratio 0.75 -> ceil(0.75 * 4) = 3.
    expect(replicasForMetric(4, [...ready(2, 50), ...missing(2)], spec)).toMatchObject({ replicas: 3 });
    // 1 ready at 95%, 3 missing: 0.9875 is within tolerance -> keep 4.
    expect(replicasForMetric(4, [...ready(1, 95), ...missing(3)], spec)).toMatchObject({ replicas: 4 });
  });

  it("ignores deleting and failed pods, and reports no metrics without ready samples", () => {
    expect(replicasForMetric(2, [...pending(2)], spec).kind).toBe("noMetrics");
    const gone: PodView[] = [
      { phase: "Failed", deleting: false, metric: 1000 },
      { phase: "Running", deleting: true, metric: 1000 },
    ];
    expect(replicasForMetric(2, [...ready(2, 100), ...gone], spec)).toMatchObject({ replicas: 2 });
  });
});

describe("hpaSync (horizontal.go, default behavior)", () => {
  it("caps a scale-up at max(+4 pods, +100%) per 15 s", () => {
    expect(hpaSync(0, 2, ready(2, 1000), spec, EMPTY_HPA_STATE).desired).toBe(6); // 2 + 4 > 2 * 2
    expect(hpaSync(0, 10, ready(10, 1000), spec, EMPTY_HPA_STATE).desired).toBe(20); // 100% > 4 pods
  });

  it("counts scale-ups in the last period against the limit", () => {
    const a = hpaSync(0, 2, ready(2, 1000), spec, EMPTY_HPA_STATE);
    expect(a.desired).toBe(6);
    // 5 s later the period started at 2 replicas: limit max(2 + 4, 2 * 2) = 6, so no further step.
    const b = hpaSync(5, 6, ready(6, 1000), spec, a.state);
    expect(b.desired).toBe(6);
    const c = hpaSync(20, 6, ready(6, 1000), spec, b.state);
    expect(c.desired).toBe(12);
  });

  it("holds scale-down for the 300 s stabilization window (max of recommendations)", () => {
    let st: HpaState = EMPTY_HPA_STATE;
    let replicas = 10;
    const d0 = hpaSync(0, replicas, ready(10, 100), spec, st);
    st = d0.state;
    replicas = d0.desired;
    expect(replicas).toBe(10);
    for (let t = 15; t < 300; t += 15) {
      const d = hpaSync(t, replicas, ready(replicas, 20), spec, st);
      st = d.state;
      expect(d.desired).toBe(10);
    }
    const after = hpaSync(300, replicas, ready(replicas, 20), spec, st);
    expect(after.desired).toBe(2);
  });

  it("respects min and max replicas", () => {
    expect(hpaSync(0, 99, ready(99, 1000), spec, EMPTY_HPA_STATE).desired).toBe(100);
    expect(hpaSync(0, 200, ready(200, 100), spec, EMPTY_HPA_STATE)).toMatchObject({
      desired: 100,
      reason: "AboveMax",
    });
    expect(hpaSync(0, 0, [], spec, EMPTY_HPA_STATE)).toMatchObject({ desired: 0, reason: "ScalingDisabled" });
  });
});

describe("queueStep", () => {
  const svc = { capacityPerPod: 100, sloSeconds: 0.5, timeoutSeconds: 10 };
  it("serves light load on time", () => {
    const r = queueStep(0, 5, 100, 2, svc, EMPTY_QUEUE);
    expect(r.onTime / r.arrived).toBeGreaterThan(0.999);
  });
  it("builds a backlog under overload, then drops what waits past the timeout", () => {
    let q = EMPTY_QUEUE;
    let dropped = 0;
    let arrived = 0;
    for (let t = 0; t < 60; t += 5) {
      const r = queueStep(t, 5, 300, 1, svc, q);
      q = r.state;
      dropped += r.dropped;
      arrived += r.arrived;
    }
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(arrived);
  });
});
