import { describe, expect, it } from "vitest";
import { MiB } from "./types.js";
import {
  newVpaState,
  vpaAddCpu,
  vpaAddMemory,
  vpaConfidence,
  vpaRecommend,
  vpaRecordOom,
  VPA_DEFAULTS,
} from "./vpa.js";

function steady(days: number, cpu: number, mem: number, step = 60) {
  const s = newVpaState();
  for (let t = 0; t < days * 86_400; t += step) {
    vpaAddCpu(s, t, cpu);
    vpaAddMemory(s, t, mem);
  }
  return s;
}

describe("VPA recommender (algorithms.md §2)", () => {
  it("with no history: minimums, lower ×0 → minimum, upper → minimum", () => {
    const r = vpaRecommend(newVpaState());
    expect(r.cpu).toEqual({ lower: 0.025, target: 0.025, upper: 0.025 });
    expect(r.mem.target).toBe(250 * MiB);
    expect(r.confidence).toBe(0);
  });
  it("target = p90 × 1.15 within the 5 % bucket bias", () => {
    const r = vpaRecommend(steady(8, 0.5, 500 * MiB));
    expect(r.cpu.target).toBeGreaterThanOrEqual(0.5 * 1.15);
    expect(r.cpu.target).toBeLessThanOrEqual(0.5 * 1.15 * 1.05);
    expect(r.mem.target).toBeGreaterThanOrEqual(500 * MiB * 1.15);
    expect(r.mem.target).toBeLessThanOrEqual(500 * MiB * 1.15 * 1.05 + 1);
  });
  it.each([
    [0.5, 1 + 1 / 0.5],
    [1, 2],
    [7, 1 + 1 / 7],
  ])("upper bound widens by (1 + 1/c) at %d days", (days, mult) => {
    const s = steady(days, 1, 1e9);
    const c = vpaConfidence(s);
    expect(c).toBeCloseTo(days - 60 / 86_400, 3);
    const r = vpaRecommend(s);
    const ratio = r.cpu.upper / r.cpu.target; // p95 and p90 share a bucket for a constant
    expect(ratio).toBeCloseTo(1 + 1 / c, 3);
    expect(mult).toBeGreaterThan(1);
  });
  it("lower bound is ×(1 + 0.001/c)^-2: ×0.6 at 5 min, ×0.9 at 30 min", () => {
    const at = (minutes: number) => {
      const s = newVpaState();
      for (let t = 0; t <= minutes * 60; t += 60) vpaAddCpu(s, t, 1);
      const r = vpaRecommend(s);
      return r.cpu.lower / r.cpu.target;
    };
    expect(at(5)).toBeCloseTo(0.6, 1);
    expect(at(30)).toBeCloseTo(0.9, 1);
  });
  it("keeps one memory peak per 24 h window", () => {
    const s = newVpaState();
    vpaAddMemory(s, 0, 100 * MiB);
    vpaAddMemory(s, 3600, 300 * MiB); // replaces the window's peak
    vpaAddMemory(s, 7200, 200 * MiB); // lower: ignored
    expect(s.memoryPeak).toBe(300 * MiB);
    expect(s.memoryPeaks.h.total).toBeCloseTo(1, 6);
    vpaAddMemory(s, 86_400 + 10, 150 * MiB); // next window
    expect(s.memoryPeak).toBe(150 * MiB);
  });
  it("an OOM injects max(used + 100 MiB, used × 1.2), used = max(request, peak)", () => {
    const s = newVpaState();
    vpaAddMemory(s, 0, 400 * MiB);
    vpaRecordOom(s, 60, 1000 * MiB);
    expect(s.oomPeak).toBe(1200 * MiB);
    const t = newVpaState();
    vpaAddMemory(t, 0, 300 * MiB);
    vpaRecordOom(t, 60, 200 * MiB);
    expect(t.oomPeak).toBe(400 * MiB);
  });
  it("drops OOMs older than one window before the window end", () => {
    const s = newVpaState();
    vpaAddMemory(s, 0, 300 * MiB);
    vpaAddMemory(s, 3 * 86_400, 300 * MiB);
    expect(vpaRecordOom(s, 0, 300 * MiB)).toBe(false);
  });
  it("discards duplicate and out-of-order CPU samples", () => {
    const s = newVpaState();
    expect(vpaAddCpu(s, 10, 1)).toBe(true);
    expect(vpaAddCpu(s, 10, 1)).toBe(false);
    expect(vpaAddCpu(s, 5, 1)).toBe(false);
    expect(s.totalSamplesCount).toBe(1);
  });
  it("splits the pod minimum over containers", () => {
    const r = vpaRecommend(newVpaState(), { ...VPA_DEFAULTS, containersInPod: 2 });
    expect(r.cpu.target).toBeCloseTo(0.0125, 9);
    expect(r.mem.target).toBe(125 * MiB);
  });
});
