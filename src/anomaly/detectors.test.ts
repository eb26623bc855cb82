import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { changePointInit, changePointStep } from "./changepoint.js";
import { combinedInit, combinedStep } from "./combine.js";
import { noveltyInit, noveltyStep } from "./novelty.js";
import { rateInit, rateStep } from "./rate.js";
import { robustStat, tailScore, updateRobust } from "./robust.js";
import { seasonalInit, seasonalStep } from "./seasonal.js";
import { AnomalyConfig, type Point, defaultAnomalyConfig } from "./types.js";

const cfg = defaultAnomalyConfig;
const STEP = 300; // 5-minute samples
const DAY = 86_400;

/** Deterministic pseudo-random noise in [-1, 1] (no Math.random in tests either: replayable). */
function noise(i: number): number {
  const x = Math.sin(i * 12.9898 + 78.233) * 43_758.5453;
  return 2 * (x - Math.floor(x)) - 1;
}

function series(n: number, f: (i: number) => number): Point[] {
  return Array.from({ length: n }, (_, i) => ({ t: 1_400_000_000 + i * STEP, v: f(i) }));
}

const daily = (i: number) => 50 + 20 * Math.sin((2 * Math.PI * i * STEP) / DAY) + noise(i);

describe("robust statistics", () => {
  it("track the median and MAD and ignore outliers", () => {
    const s = robustStat();
    for (let i = 0; i < 5000; i++) updateRobust(s, i % 50 === 0 ? 1e6 : 10 + noise(i), 0.02);
    expect(s.med).toBeGreaterThan(9.5);
    expect(s.med).toBeLessThan(10.5);
    expect(s.mad).toBeGreaterThan(0.2);
    expect(s.mad).toBeLessThan(1);
  });
  it.each([
    [0, 0],
    [-1, 0],
    [Number.NaN, 0],
  ])("tailScore(%f) = %f", (z, want) => {
    expect(tailScore(z)).toBe(want);
  });
  it("tailScore is increasing and below 1", () => {
    let prev = 0;
    for (const z of [0.5, 1, 2, 3, 5, 8, 20, 100, 1e6]) {
      const s = tailScore(z);
      expect(s).toBeGreaterThan(prev);
      expect(s).toBeLessThan(1);
      prev = s;
    }
  });
});

/** Runs a detector over points and returns the scores. */
type Run = (points: readonly Point[]) => number[];
const runs: Record<string, Run> = {
  seasonal: (ps) => {
    const s = seasonalInit(cfg.seasonal);
    return ps.map((p) => seasonalStep(s, cfg.seasonal, p));
  },
  changePoint: (ps) => {
    const s = changePointInit();
    return ps.map((p) => changePointStep(s, cfg.changePoint, p));
  },
  rate: (ps) => {
    const s = rateInit();
    return ps.map((p) => rateStep(s, cfg.rate, p));
  },
  combined: (ps) => {
    const s = combinedInit(cfg);
    return ps.map((p) => combinedStep(s, cfg, p).score);
  },
};

const N = 3 * 288 * 4; // 12 days of 5-minute points
const AT = N - 200;
const cases: [string, keyof typeof runs, (i: number) => number][] = [
  ["seasonal: a spike on a daily sine", "seasonal", (i) => daily(i) + (i === AT ? 30 : 0)],
  [
    "seasonal: the daily shape breaks (flat where it should rise)",
    "seasonal",
    (i) => (i >= AT && i < AT + 24 ? 50 : daily(i)),
  ],
  ["change point: a level shift", "changePoint", (i) => 10 + noise(i) + (i >= AT ? 8 : 0)],
  ["rate: a jump", "rate", (i) => 10 + noise(i) + (i >= AT ? 15 : 0)],
  ["combined: a spike on a daily sine", "combined", (i) => daily(i) + (i === AT ? 60 : 0)],
  ["combined: a level shift", "combined", (i) => 10 + noise(i) + (i >= AT ? 8 : 0)],
];

describe("detectors score the anomaly above everything before it", () => {
  it.each(cases)("%s", (_name, det, f) => {
    const scores = runs[det]!(series(N, f));
    const before = Math.max(...scores.slice(300, AT));
    const after = Math.max(...scores.slice(AT, AT + 30));
    expect(after).toBeGreaterThan(before);
    expect(after).toBeGreaterThan(0.3);
  });
});

describe("suppression after a peak", () => {
  const alarms = (scores: readonly number[], from: number, to: number) =>
    scores.slice(from, to).filter((x) => x >= 0.5).length;
  const run = (f: (i: number) => number, boost: number) => {
    const c = { ...cfg, combiner: { ...cfg.combiner, suppressBoost: boost } };
    const s = combinedInit(c);
    return series(N, f).map((p) => combinedStep(s, c, p).score);
  };
  it.each([
    ["a ramp to a new level", (i: number) => 10 + noise(i) + Math.min(40, Math.max(0, i - AT))],
    ["a spike on a daily sine", (i: number) => daily(i) + (i === AT ? 60 : 0)],
    ["a level shift", (i: number) => 10 + noise(i) + (i >= AT ? 8 : 0)],
  ])("%s alarms, and no more often than without the extra margin", (_name, f) => {
    const withBoost = run(f, cfg.combiner.suppressBoost);
    const without = run(f, 0);
    expect(alarms(withBoost, AT, AT + 60)).toBeGreaterThanOrEqual(1);
    expect(alarms(withBoost, AT, AT + 60)).toBeLessThanOrEqual(alarms(without, AT, AT + 60));
  });
});

describe("quiet series", () => {
  it.each(Object.keys(runs))("%s scores a constant series 0", (det) => {
    const scores = runs[det]!(series(2000, () => 7));
    expect(Math.max(...scores)).toBe(0);
  });
});

const pointsArb = fc.array(
  fc.record({
    dt: fc.integer({ min: 1, max: 7200 }),
    v: fc.oneof(fc.double({ noNaN: false }), fc.integer({ min: -5, max: 5 })),
  }),
  { maxLength: 400 },
);

function toPoints(xs: readonly { dt: number; v: number }[]): Point[] {
  let t = 1_400_000_000;
  return xs.map((x) => ({ t: (t += x.dt), v: x.v }));
}

describe("pattern novelty", () => {
  const nc = cfg.novelty;
  it("a repeating shape stops being novel; a new shape is novel once, on its first points", () => {
    const s = noveltyInit();
    const ps = series(4_000, (i) => (i === 3_000 ? 200 : 50 + 20 * Math.sin(i / 10)));
    const scores = ps.map((p) => noveltyStep(s, nc, p));
    expect(Math.max(...scores.slice(1_000, 3_000))).toBe(0);
    expect(scores[3_000]).toBeGreaterThan(0.5);
    expect(Math.max(...scores.slice(3_010))).toBe(0);
  });
  const spike = (i: number) => (i === 3_000 ? 200 : 50 + 20 * Math.sin(i / 10));
  const white = (i: number) => 1_000 * noise(i);
  it.each([
    ["a spike on a clean sine keeps its full score", spike, "full"],
    ["novel patterns in white noise are damped (usual for that series)", white, "damped"],
  ] as const)("adaptive vigilance: %s", (_name, f, want) => {
    const run = (c: typeof nc) => {
      const s = noveltyInit();
      return series(4_000, f).map((p) => noveltyStep(s, c, p));
    };
    const adaptive = run(nc);
    const fixed = run({ ...nc, typicalFactor: 0 });
    adaptive.forEach((x, i) => {
      expect(x).toBeLessThanOrEqual(fixed[i] ?? 0);
    });
    const sum = (xs: number[]) => xs.slice(1_000).reduce((a, x) => a + x, 0);
    if (want === "full") {
      expect(adaptive[3_000]).toBe(fixed[3_000]);
      expect(adaptive[3_000]).toBeGreaterThan(0.5);
    } else expect(sum(adaptive)).toBeLessThan(0.75 * sum(fixed));
  });
  it("keeps at most `prototypes` patterns, replacing the least recently matched", () => {
    const s = noveltyInit();
    const small = { ...nc, prototypes: 4 };
    for (const p of series(1_000, (i) => 1_000 * noise(i))) noveltyStep(s, small, p); // noise: new patterns
    expect(s.protos.length).toBe(4);
    expect(s.used.length).toBe(4);
  });
});

describe("properties over untrusted input", () => {
  const small = AnomalyConfig.parse({ combiner: { warmup: 5 } });
  it("every score is in [0,1] whatever the values (NaN, ±Infinity, huge)", () => {
    fc.assert(
      fc.property(pointsArb, (xs) => {
        const s = combinedInit(small);
        for (const p of toPoints(xs)) {
          const r = combinedStep(s, small, p);
          for (const v of [r.score, r.seasonal, r.changePoint, r.rate, r.range, r.novelty]) {
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("state survives a JSON snapshot: restoring mid-stream gives the same scores", () => {
    fc.assert(
      fc.property(pointsArb, fc.nat(), (xs, cut) => {
        const ps = toPoints(xs).filter((p) => Number.isFinite(p.v));
        const k = ps.length === 0 ? 0 : cut % ps.length;
        const a = combinedInit(small);
        const want = ps.map((p) => combinedStep(a, small, p).score);
        let b = combinedInit(small);
        const got = ps.map((p, i) => {
          if (i === k) b = JSON.parse(JSON.stringify(b)) as typeof b;
          return combinedStep(b, small, p).score;
        });
        expect(got).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it("state size does not grow with the stream", () => {
    const s = combinedInit(cfg);
    const ps = series(20_000, (i) => daily(i) + 30 * noise(i * 7));
    ps.slice(0, 2_000).forEach((p) => combinedStep(s, cfg, p));
    const size = JSON.stringify(s).length;
    ps.slice(2_000).forEach((p) => combinedStep(s, cfg, p));
    expect(JSON.stringify(s).length).toBeLessThan(size * 1.2);
    expect(s.novelty.protos.length).toBeLessThanOrEqual(cfg.novelty.prototypes);
  });
});
