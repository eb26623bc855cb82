import { describe, expect, it } from "vitest";
import { type NabSeries, crossValidate, nabFold, tuningGrid } from "./nabbench.js";
import { AnomalyConfig, defaultAnomalyConfig } from "./types.js";

describe("nabFold", () => {
  it("alternates files by name within each category", () => {
    expect(nabFold(["b/2.csv", "a/1.csv", "b/1.csv", "a/2.csv", "a/3.csv"])).toEqual([1, 0, 0, 1, 0]);
  });
});

describe("crossValidate", () => {
  /** A flat series with one spike inside its window: every candidate finds it on both halves. */
  function spiky(name: string): NabSeries {
    const n = 2_000;
    const t = Float64Array.from({ length: n }, (_, i) => 1_400_000_000 + 300 * i);
    const v = Float64Array.from({ length: n }, (_, i) => (i === 1_500 ? 100 : 10 + Math.sin(i)));
    return { name, t, v, windows: [[1_450, 1_550]] };
  }
  it("scores each half at the threshold and settings chosen on the other half", () => {
    const series = ["c/a.csv", "c/b.csv", "c/c.csv", "c/d.csv"].map(spiky);
    const cv = crossValidate(series, [AnomalyConfig.parse({ combiner: { warmup: 50 } })]);
    expect(cv.folds.map((f) => f.files)).toEqual([2, 2]);
    expect(cv.pooled.standard).toBeGreaterThan(80);
    for (const f of cv.folds) expect(f.test.standard).toBeCloseTo(f.train.standard, 1);
  });
  it("the tuning grid varies only the hand-tuned settings", () => {
    const grid = tuningGrid(defaultAnomalyConfig);
    expect(grid).toHaveLength(27);
    expect(grid.some((c) => JSON.stringify(c) === JSON.stringify(defaultAnomalyConfig))).toBe(true);
  });
});
