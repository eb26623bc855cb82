import { describe, expect, it } from "vitest";
import { DEFAULT_SIM, simulate, spikeMask, syntheticTrace } from "./index.js";
import { predictiveDecide, EMPTY_PREDICTIVE } from "./predictive.js";

describe("syntheticTrace", () => {
  it("is deterministic per seed", () => {
    expect(syntheticTrace({ seed: 7, days: 1 }).values).toEqual(syntheticTrace({ seed: 7, days: 1 }).values);
    expect(syntheticTrace({ seed: 7, days: 1 }).values).not.toEqual(
      syntheticTrace({ seed: 8, days: 1 }).values,
    );
  });
  it("marks its spikes as spike minutes", () => {
    const tr = syntheticTrace({ seed: 1, days: 2, randomSpikesPerDay: 0, noise: 0 });
    const mask = spikeMask(tr.values, tr.step);
    const at = (86_400 + 9 * 3600) / 60 + 1;
    expect(mask[at]).toBe(true);
    expect(mask[86_400 / 60 + 3 * 60]).toBe(false);
  });
});

describe("predictiveDecide", () => {
  const pol = {
    targetUtilization: 0.8,
    startupSeconds: 60,
    marginSeconds: 60,
    scaleDownWindowSeconds: 300,
    scaleDownMaxFraction: 0.25,
    tolerance: 0.1,
    minReplicas: 1,
    maxReplicas: 50,
  };
  it("provisions for the upper bound and never goes below the reactive choice", () => {
    expect(
      predictiveDecide(
        { now: 0, current: 2, upper: [100, 800], capacityPerPod: 100, reactive: 3 },
        pol,
        EMPTY_PREDICTIVE,
      ).desired,
    ).toBe(10);
    expect(
      predictiveDecide(
        { now: 0, current: 2, upper: [100], capacityPerPod: 100, reactive: 7 },
        pol,
        EMPTY_PREDICTIVE,
      ),
    ).toMatchObject({ desired: 7, reason: "ReactiveFloor" });
  });
  it("scales down slowly", () => {
    const d = predictiveDecide(
      { now: 0, current: 20, upper: [100], capacityPerPod: 100, reactive: 1 },
      pol,
      EMPTY_PREDICTIVE,
    );
    expect(d.desired).toBe(15);
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
});
