import { describe, expect, it } from "vitest";
import {
  addDecaying,
  addSample,
  bucketStart,
  exponentialOptions,
  findBucket,
  isEmpty,
  newDecayingHistogram,
  newHistogram,
  percentile,
  subtractSample,
} from "./histogram.js";

// VPA's CPU options: first bucket 0.01 core, growth 5 %, max 1000 cores.
const cpu = exponentialOptions(1000, 0.01, 1.05, 1e-4);

describe("exponential histogram options (VPA histogram_options.go)", () => {
  it("has ~176 buckets for CPU and memory", () => {
    expect(cpu.numBuckets).toBe(176);
    expect(exponentialOptions(1e12, 1e7, 1.05, 1e-4).numBuckets).toBe(176);
  });
  it.each([
    [0, 0],
    [0.0099, 0],
    [0.01, 1],
    [0.021, 2],
    [1e9, 175],
  ])("findBucket(%d) = %d", (v, b) => {
    expect(findBucket(cpu, v)).toBe(b);
  });
  it("bucket starts follow first·(r^n − 1)/(r − 1)", () => {
    expect(bucketStart(cpu, 0)).toBe(0);
    expect(bucketStart(cpu, 1)).toBeCloseTo(0.01, 12);
    expect(bucketStart(cpu, 2)).toBeCloseTo(0.0205, 12);
  });
});

describe("histogram percentile", () => {
  it("is 0 when empty and returns the end of the bucket", () => {
    const h = newHistogram(cpu);
    expect(percentile(h, 0.9)).toBe(0);
    addSample(h, 1, 1);
    const b = findBucket(cpu, 1);
    expect(percentile(h, 0.5)).toBeCloseTo(bucketStart(cpu, b + 1), 12);
    expect(percentile(h, 0.5)).toBeGreaterThanOrEqual(1);
    expect(percentile(h, 0.5)).toBeLessThanOrEqual(1.05 + 1e-9);
  });
  it("weights decide the percentile", () => {
    const h = newHistogram(cpu);
    addSample(h, 1, 9);
    addSample(h, 5, 1);
    expect(percentile(h, 0.9)).toBeLessThan(1.1);
    expect(percentile(h, 0.95)).toBeGreaterThan(5);
  });
  it("subtracting the only sample empties it", () => {
    const h = newHistogram(cpu);
    addSample(h, 2, 1);
    subtractSample(h, 2, 1);
    expect(isEmpty(h)).toBe(true);
    expect(percentile(h, 0.5)).toBe(0);
  });
});

describe("decaying histogram", () => {
  it("a sample one half-life newer weighs twice as much", () => {
    const d = newDecayingHistogram(cpu, 86_400);
    addDecaying(d, 1, 1, 0);
    addDecaying(d, 4, 1, 86_400);
    // weights 1 and 2: p50 falls in the newer sample's bucket only above 1/3.
    expect(percentile(d.h, 0.3)).toBeLessThan(1.1);
    expect(percentile(d.h, 0.4)).toBeGreaterThan(4);
  });
  it("renormalises after 100 half-lives without changing percentiles", () => {
    const d = newDecayingHistogram(cpu, 60);
    addDecaying(d, 1, 1, 0);
    addDecaying(d, 2, 1, 60 * 50);
    addDecaying(d, 3, 1, 60 * 150);
    expect(Number.isFinite(d.h.total)).toBe(true);
    expect(percentile(d.h, 0.5)).toBeGreaterThan(3);
  });
});
