import { describe, expect, it } from "vitest";
import { DEFAULT_SIM, simulate, spikeMask, spikeWindows, syntheticTrace } from "./index.js";
import {
  DEFAULT_PREDICTIVE,
  EMPTY_PREDICTIVE,
  predictiveDecide,
  type PredictiveInput,
  type PredictivePolicy,
} from "./predictive.js";

describe("syntheticTrace", () => {
  it("is deterministic per seed", () => {
    expect(syntheticTrace({ seed: 7, days: 1 }).values).toEqual(syntheticTrace({ seed: 7, days: 1 }).values);
    expect(syntheticTrace({ seed: 7, days: 1 }).values).not.toEqual(
      syntheticTrace({ seed: 8, days: 1 }).values,
    );
  });
  it("marks its spikes as spike minutes and labels them daily or random", () => {
    const tr = syntheticTrace({ seed: 1, days: 2, randomSpikesPerDay: 0, noise: 0 });
    const mask = spikeMask(tr.values, tr.step);
    const at = (86_400 + 9 * 3600) / 60 + 1;
    expect(mask[at]).toBe(true);
    expect(mask[86_400 / 60 + 3 * 60]).toBe(false);
    const two = syntheticTrace({ seed: 1, days: 2 });
    expect(two.spikeKinds).toEqual(["daily", "random", "daily", "random"]);
    expect(spikeWindows(two).map((w) => w.label)).toEqual(["daily", "daily", "random", "random"]);
  });
});

describe("predictiveDecide", () => {
  const pol: PredictivePolicy = {
    ...DEFAULT_PREDICTIVE,
    targetUtilization: 0.8,
    scaleDownWindowSeconds: 300,
    scaleDownMaxFraction: 0.25,
    startupSeconds: 60,
    minReplicas: 1,
    maxReplicas: 50,
  };
  const base: PredictiveInput = { now: 0, current: 2, upper: [], capacityPerPod: 100, reactive: 1 };
  // 80 req/s per replica at the target; burst above 85 req/s per current replica.
  it.each<[string, Partial<PredictiveInput>, Partial<PredictivePolicy>, number, string]>([
    ["the upper bound's peak at the target", { upper: [100, 800], reactive: 3 }, {}, 10, "Forecast"],
    ["never below the reactive HPA", { upper: [100], reactive: 7 }, {}, 7, "ReactiveFloor"],
    [
      "forecast within the tolerance band: no action",
      { current: 10, upper: [850] },
      {},
      10,
      "WithinTolerance",
    ],
    ["forecast just above the band", { current: 10, upper: [890] }, {}, 12, "Forecast"],
    ["no band with tolerance 0", { current: 10, upper: [810] }, { tolerance: 0 }, 11, "Forecast"],
    ["a burst in demand is met at once", { current: 10, demand: 2000 }, {}, 25, "Demand"],
    [
      "demand below the burst threshold is left to the HPA",
      { current: 10, reactive: 10, demand: 840 },
      {},
      10,
      "ReactiveFloor",
    ],
    [
      "demand counts always with burstUtilization 0",
      { current: 10, reactive: 10, demand: 900 },
      { burstUtilization: 0 },
      12,
      "Demand",
    ],
    [
      "forecast before new pods are Ready does not raise",
      { upper: [800, 100], firstReadyIndex: 1 },
      {},
      2,
      "Forecast",
    ],
    ["the scale-down is bounded per step", { current: 20, upper: [100] }, {}, 15, "ScaleDownLimited"],
    ["bounds", { current: 2, upper: [8000] }, {}, 50, "Bounds"],
  ])("%s", (_name, inp, p, desired, reason) => {
    expect(predictiveDecide({ ...base, ...inp }, { ...pol, ...p }, EMPTY_PREDICTIVE)).toMatchObject({
      desired,
      reason,
    });
  });

  it("keeps what the whole window needs when scaling down (load due before new pods are Ready)", () => {
    const d = predictiveDecide(
      { ...base, current: 10, upper: [720, 80], firstReadyIndex: 1 },
      { ...pol, scaleDownMaxFraction: 1 },
      EMPTY_PREDICTIVE,
    );
    expect(d.desired).toBe(9);
  });

  it("holds a scale-down for the window unless history agrees the load drops", () => {
    const p = { ...pol, scaleDownMaxFraction: 1 };
    const high = predictiveDecide({ ...base, now: 0, current: 10, reactive: 10 }, p, EMPTY_PREDICTIVE);
    const held = predictiveDecide({ ...base, now: 60, current: 10, reactive: 2 }, p, high.state);
    expect(held).toMatchObject({ desired: 10, reason: "ScaleDownHeld" });
    const released = predictiveDecide(
      { ...base, now: 60, current: 10, reactive: 2, expectedDrop: true },
      p,
      high.state,
    );
    expect(released).toMatchObject({ desired: 2, reason: "ExpectedDrop" });
    const later = predictiveDecide({ ...base, now: 400, current: 10, reactive: 2 }, p, held.state);
    expect(later.desired).toBe(2);
  });
});

describe("simulate", () => {
  it("replays a short trace through both policies", () => {
    const tr = syntheticTrace({ seed: 3, days: 3, stepSeconds: 300 });
    const r = simulate(tr, { ...DEFAULT_SIM, warmupSeconds: 2 * 86_400, refitSeconds: 6 * 3600 });
    for (const p of [r.hpa, r.vigil]) {
      expect(p.availability).toBeGreaterThan(0.5);
      expect(p.availability).toBeLessThanOrEqual(1);
      expect(p.replica_hours).toBeGreaterThan(0);
    }
  });

  it("is the HPA when Vigil has no forecast, no demand signal and the HPA's hold", () => {
    const tr = syntheticTrace({ seed: 2, days: 2 });
    const cfg = {
      ...DEFAULT_SIM,
      warmupSeconds: 86_400,
      forecaster: "none" as const,
      demandWindowSeconds: 0,
      predictive: { ...DEFAULT_SIM.predictive, scaleDownWindowSeconds: 300 },
    };
    const r = simulate(tr, cfg);
    expect(r.vigil.slo_violation_minutes).toBe(r.hpa.slo_violation_minutes);
    expect(r.vigil.replica_hours).toBeCloseTo(r.hpa.replica_hours, 6);
    expect(r.vigil.actions).toBe(r.hpa.actions);
  });

  it("has the recurring spike's replicas ready in time; a random spike costs its first two minutes", () => {
    const tr = syntheticTrace({ seed: 1, days: 4 });
    const r = simulate(tr, { ...DEFAULT_SIM, warmupSeconds: 3 * 86_400 }, spikeWindows(tr));
    expect(r.vigil.by_window["daily"]?.slo_violation_minutes).toBe(0);
    expect(r.hpa.by_window["daily"]?.slo_violation_minutes).toBeGreaterThan(0);
    expect(r.vigil.by_window["random"]?.slo_violation_minutes).toBeLessThanOrEqual(2);
    expect(r.vigil.slo_violation_minutes).toBeLessThan(r.hpa.slo_violation_minutes);
    expect(r.vigil.replica_hours).toBeLessThanOrEqual(r.hpa.replica_hours * 1.01);
  });
});
