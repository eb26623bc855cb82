import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DAY, HOUR, MiB } from "./types.js";
import {
  cpuPercentileFor,
  newVigilState,
  peakRise,
  peakSurprise,
  runningMedian3,
  seasonalFloor,
  vigilObserve,
  vigilRecommend,
  vigilRecordOom,
  volatility,
  VIGIL_DEFAULTS,
} from "./vigil.js";

const T0 = 1_700_438_400;

function feed(days: number, f: (t: number) => { cpu: number; mem: number }, step = 60) {
  const s = newVigilState();
  let t = T0;
  for (; t < T0 + days * DAY; t += step) {
    const u = f(t);
    vigilObserve(s, t, u.cpu, u.mem);
  }
  return { s, now: t };
}

describe("Vigil recommender pieces", () => {
  it.each([
    [0, 0.95],
    [0.05, 0.95],
    [0.2, 0.875],
    [0.35, 0.8],
    [2, 0.8],
  ])("volatility %d → percentile %d", (v, q) => {
    expect(cpuPercentileFor(v, VIGIL_DEFAULTS.cpu)).toBeCloseTo(q, 9);
  });
  it("volatility is 0 for a flat line and grows with noise", () => {
    expect(volatility([1, 1, 1, 1])).toBe(0);
    expect(volatility([1, 2, 1, 2])).toBeCloseTo(2 / 3, 9);
  });
  it("running median drops an isolated burst", () => {
    expect([...runningMedian3(Float64Array.from([1, 1, 9, 1, 1]))]).toEqual([1, 1, 1, 1, 1]);
  });
  it("peak surprise is 0 when daily peaks repeat", () => {
    const y = Array.from({ length: 3 * 288 }, (_, i) => 100 + 50 * Math.sin((2 * Math.PI * i) / 288));
    expect(peakSurprise(y, 12)).toBeLessThan(0.01);
  });
  it("seasonal floor takes the peak at the phases ahead over past seasons", () => {
    const y = Array.from({ length: 30 }, (_, i) => (i % 10 === 5 ? 9 : 1));
    expect(seasonalFloor(y, 30, 10, 2, 0, 30)).toBe(1);
    expect(seasonalFloor(y, 24, 10, 2, 0, 30)).toBe(9);
  });
});

describe("peakRise", () => {
  it.each([
    ["flat", [5, 5, 5, 5], 3, 0],
    ["falling", [8, 6, 4, 2], 3, 0],
    ["one jump of 20 %", [10, 10, 12, 12], 3, 0.2],
    ["a slow climb counts within h", [10, 11, 12, 13], 3, 0.3],
    ["… and only within h", [10, 11, 12, 13], 1, 0.1],
    ["the largest of two jumps", [10, 15, 10, 11], 1, 0.5],
    ["zeros are skipped", [0, 4, 4], 2, 0],
  ])("%s", (_name, y, h, want) => {
    expect(peakRise(y, h, y.length)).toBeCloseTo(want, 9);
  });
  it("looks back only w values", () => {
    expect(peakRise([10, 20, 20, 20, 20], 1, 5)).toBeCloseTo(1, 9);
    expect(peakRise([10, 20, 20, 20, 20], 1, 3)).toBe(0);
  });
});

describe("memoryRequest: level (in-place)", () => {
  const level = { ...VIGIL_DEFAULTS, memoryFloor: "seasonal" as const, memoryRequest: "level" as const };
  // 400 MiB with a single 600 MiB spike two days ago; 4 days of history.
  const spike = (t: number) => ({
    cpu: 0.2,
    mem: (t >= T0 + 2 * DAY && t < T0 + 2 * DAY + 600 ? 600 : 400) * MiB,
  });
  it.each([
    ["peak: request = limit ≥ the 7-day peak", VIGIL_DEFAULTS, 600, 600],
    ["level: request near the level, limit ≥ the peak bumped as after an OOM", level, 400, 720],
  ])("%s", (_name, cfg, minRequestMiB, minLimitMiB) => {
    const { s, now } = feed(4, spike);
    const r = vigilRecommend(s, now, cfg);
    expect(r.mem.target).toBeGreaterThanOrEqual(minRequestMiB * MiB);
    expect(r.mem.target).toBeLessThan(minRequestMiB * MiB * 1.15);
    expect(r.limits.mem ?? 0).toBeGreaterThanOrEqual(minLimitMiB * MiB);
    expect(r.mem.lower).toBeLessThanOrEqual(r.mem.target);
    expect(r.mem.target).toBeLessThanOrEqual(r.mem.upper);
  });
  it("the limit covers the largest rise seen within the horizon on top of the level", () => {
    // Two days of 400 MiB with +50 % jumps for 10 minutes every 6 h, then a day at 600 MiB: the limit must
    // hold such a jump from today's level (900 MiB), above the peak bumped as after an OOM (720 MiB).
    const jumpy = (t: number) => ({
      cpu: 0.2,
      mem: (t >= T0 + 2 * DAY || (t - T0) % (6 * HOUR) < 600 ? 600 : 400) * MiB,
    });
    const { s, now } = feed(3, jumpy);
    const r = vigilRecommend(s, now, level);
    expect(r.mem.target).toBeLessThan(700 * MiB);
    expect(r.limits.mem ?? 0).toBeGreaterThanOrEqual(900 * MiB);
    expect(r.reasons.join(" ")).toContain("× 1.500 (largest rise");
  });
  it("after an OOM kill the limit rises above what the kill showed was needed", () => {
    const { s, now } = feed(3, () => ({ cpu: 0.2, mem: 400 * MiB }));
    const before = vigilRecommend(s, now, level).limits.mem ?? 0;
    vigilRecordOom(s, now - 60, 520 * MiB, 530 * MiB);
    const after = vigilRecommend(s, now, level).limits.mem ?? 0;
    expect(after).toBeGreaterThan(before);
    expect(after).toBeGreaterThanOrEqual(630 * MiB);
  });
});

describe("vigilRecommend", () => {
  it("has no history: minimums and confidence 0", () => {
    const r = vigilRecommend(newVigilState(), T0);
    expect(r.confidence).toBe(0);
    expect(r.cpu.target).toBe(VIGIL_DEFAULTS.minCpuCores);
  });
  it("confidence grows with history", () => {
    const c1 = vigilRecommend(feed(1, () => ({ cpu: 1, mem: 1e9 })).s, T0 + DAY).confidence;
    const c3 = vigilRecommend(feed(3, () => ({ cpu: 1, mem: 1e9 })).s, T0 + 3 * DAY).confidence;
    expect(c1).toBeGreaterThan(0);
    expect(c3).toBeGreaterThan(c1);
    expect(c3).toBeLessThanOrEqual(1);
  });
  it("a steady workload gets a tight recommendation", () => {
    const { s, now } = feed(7, () => ({ cpu: 0.5, mem: 500 * MiB }));
    const r = vigilRecommend(s, now);
    expect(r.cpu.target).toBeGreaterThanOrEqual(0.5);
    expect(r.cpu.target).toBeLessThan(0.5 * 1.2);
    expect(r.mem.target).toBeGreaterThanOrEqual(500 * MiB);
    expect(r.mem.target).toBeLessThan(500 * MiB * 1.1);
  });
  it.each([
    // 3 days at 0.2 core, then the last minutes at 1 core:
    ["a level shift still in force holds the request up", 40, 0, 1, 1.3],
    ["a 15-minute burst that ended 5 minutes ago does not", 20, 5, 0.2, 0.3],
  ])("%s", (_name, startMin, endMin, minTarget, maxTarget) => {
    const { s, now } = feed(3, (t) => ({
      cpu: t >= T0 + 3 * DAY - startMin * 60 && t < T0 + 3 * DAY - endMin * 60 ? 1 : 0.2,
      mem: 100 * MiB,
    }));
    const r = vigilRecommend(s, now);
    expect(r.cpu.target).toBeGreaterThanOrEqual(minTarget);
    expect(r.cpu.target).toBeLessThan(maxTarget);
  });
  it("projects a memory leak over the horizon", () => {
    const leak = (t: number) => ({ cpu: 0.2, mem: 300 * MiB + ((t - T0) / HOUR) * 20 * MiB });
    const { s, now } = feed(2, leak);
    const r = vigilRecommend(s, now, { ...VIGIL_DEFAULTS, horizonSeconds: 6 * HOUR });
    expect(r.mem.target).toBeGreaterThan(leak(now + 6 * HOUR).mem);
    expect(r.reasons.join(" ")).toContain("rising");
  });
  it("widens memory after an OOM kill", () => {
    const { s, now } = feed(3, () => ({ cpu: 0.2, mem: 400 * MiB }));
    const before = vigilRecommend(s, now).mem.target;
    vigilRecordOom(s, now - 60, 400 * MiB, 410 * MiB);
    const after = vigilRecommend(s, now).mem.target;
    expect(after).toBeGreaterThan(before);
    expect(after).toBeGreaterThanOrEqual(510 * MiB);
  });
  it("bounds are ordered and memory never goes below the observed peak (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ min: 0.01, max: 4, noNaN: true }),
        fc.double({ min: 50, max: 4000, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 2, max: 60 }),
        (seed, cpu, memMiB, noise, hours) => {
          let x = seed;
          const rnd = () => {
            x = (x * 1103515245 + 12345) % 2147483648;
            return x / 2147483648;
          };
          const s = newVigilState();
          let peak = 0;
          let t = T0;
          for (; t < T0 + hours * HOUR; t += 300) {
            const m = memMiB * MiB * (1 + noise * rnd());
            peak = Math.max(peak, m);
            vigilObserve(s, t, cpu * (1 + noise * rnd()), m);
          }
          const r = vigilRecommend(s, t);
          for (const b of [r.cpu, r.mem]) {
            expect(b.lower).toBeLessThanOrEqual(b.target);
            expect(b.target).toBeLessThanOrEqual(b.upper);
          }
          expect(r.mem.target).toBeGreaterThanOrEqual(peak); // history < the 7-day peak window
          const l = vigilRecommend(s, t, { ...VIGIL_DEFAULTS, memoryRequest: "level" });
          expect(l.mem.lower).toBeLessThanOrEqual(l.mem.target);
          expect(l.mem.target).toBeLessThanOrEqual(l.mem.upper);
          expect(l.limits.mem ?? 0).toBeGreaterThanOrEqual(Math.max(peak * 1.2, l.mem.target));
          expect(r.limits.cpu ?? 0).toBeGreaterThanOrEqual(r.cpu.target);
          expect(r.confidence).toBeGreaterThanOrEqual(0);
          expect(r.confidence).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 40 },
    );
  });
});
