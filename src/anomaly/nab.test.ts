import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  NAB_PROFILES,
  type NabWindow,
  normalise,
  prepareCorpus,
  probationLength,
  scaledSigmoid,
  scoreAtThreshold,
  scoreDetector,
  scoreFile,
  sweep,
} from "./nab.js";

describe("scaledSigmoid (nab/sweeper.py docstring values)", () => {
  it.each([
    [-1.0, 0.98661],
    [-0.5, 0.84828],
    [0.0, 0.0],
    [1.0, -0.98661],
    [2.9, -1 + 2 / (1 + Math.exp(14.5))],
    [3.0, -1.0],
    [10, -1.0],
  ])("sig(%f) = %f", (x, want) => {
    expect(scaledSigmoid(x)).toBeCloseTo(want, 5);
  });
});

describe("probationLength", () => {
  it.each([
    [4032, 604],
    [1127, 169],
    [5000, 750],
    [22695, 750],
    [0, 0],
  ])("%i rows → %i", (n, want) => {
    expect(probationLength(n)).toBe(want);
  });
});

describe("normalisation against NAB's published numbers (algorithms.md §9)", () => {
  it.each([
    ["numenta standard", 46.634, -116, 116, 70.1],
    ["bayes changepoint standard", -74.9035, -116, 116, 17.71],
    ["bayes changepoint reward_low_FP", -108.5607, -116, 116, 3.21],
    ["bayes changepoint reward_low_FN", -119.7472, -232, 116, 32.26],
  ])("%s", (_name, raw, nul, perfect, want) => {
    expect(normalise(raw, nul, perfect)).toBeCloseTo(want, 1);
  });
});

describe("sweep and file scores, computed by hand", () => {
  // 10 rows, no probation, one window [4, 7] (width 4).
  const windows: NabWindow[] = [[4, 7]];
  const s = sweep(10, windows, 0);
  const score = (rows: number[]) => {
    const scores = Array.from({ length: 10 }, (_, i) => (rows.includes(i) ? 1 : 0));
    return scoreFile({ name: "a/x.csv", windows, scores }, s, NAB_PROFILES.standard, 1).raw;
  };
  it("marks rows by window", () => {
    expect(Array.from(s.window)).toEqual([-1, -1, -1, -1, 0, 0, 0, 0, -1, -1]);
  });
  it.each([
    ["nothing detected: one missed window", [], -1],
    ["detection at the left edge scores tp", [4], 1],
    ["detection at the right edge", [7], scaledSigmoid(-1 / 4) / scaledSigmoid(-1)],
    ["only the best row of a window counts", [5, 6, 7], scaledSigmoid(-3 / 4) / scaledSigmoid(-1)],
    ["a false positive before any window costs fp", [1], -1 - 0.11],
    ["a false positive just after a window costs less", [8], -1 + 0.11 * scaledSigmoid(1 / 3)],
    ["far after the window", [9], -1 + 0.11 * scaledSigmoid(2 / 3)],
  ])("%s", (_name, rows, want) => {
    expect(score(rows)).toBeCloseTo(want, 10);
  });
  it("probation rows are not scored", () => {
    const p = sweep(4032, [[700, 1000]]);
    expect(p.window[603]).toBe(-2);
    expect(p.window[604]).toBe(-1);
    expect(p.window[700]).toBe(0);
  });
});

/** A small random corpus: files with sorted, disjoint windows and scores on a coarse grid (to force ties). */
const corpusArb = fc
  .array(
    fc.record({
      rows: fc.integer({ min: 5, max: 60 }),
      cuts: fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { maxLength: 6 }),
      seed: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 60, maxLength: 60 }),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((fs) =>
    fs.map((f, i) => {
      const cuts = f.cuts.filter((c) => c < f.rows).sort((a, b) => a - b);
      const windows: NabWindow[] = [];
      for (let k = 0; k + 1 < cuts.length; k += 2) windows.push([cuts[k] ?? 0, cuts[k + 1] ?? 0]);
      return {
        name: `c/f${i}.csv`,
        rows: f.rows,
        windows,
        scores: f.seed.slice(0, f.rows).map((x) => x / 10),
      };
    }),
  );

/**
 * NAB's normalisation `(raw − null) / (perfect − null)` is undefined when the null detector is already
 * perfect: a random corpus whose windows start at its first scorable row. Such corpora (and ones without
 * windows) say nothing about the optimiser and are discarded.
 */
function normalisable(corpus: ReturnType<typeof prepareCorpus>): boolean {
  return (
    corpus.windowCount > 0 &&
    (["standard", "reward_low_fp", "reward_low_fn"] as const).every(
      (p) => Math.abs(corpus.windowCount * NAB_PROFILES[p].tp - corpus.nullRaw[p]) > 1e-9,
    )
  );
}

describe("threshold optimisation", () => {
  it("equals the best corpus score over every candidate threshold (brute force)", () => {
    fc.assert(
      fc.property(corpusArb, (files) => {
        const corpus = prepareCorpus(files, { probationPercent: 0.1 });
        fc.pre(normalisable(corpus));
        const r = scoreDetector(
          corpus,
          files.map((f) => f.scores),
        );
        const candidates = [1.1, ...new Set(files.flatMap((f) => f.scores))];
        for (const p of ["standard", "reward_low_fp", "reward_low_fn"] as const) {
          const brute = Math.max(
            ...candidates.map(
              (t) =>
                scoreAtThreshold(
                  corpus,
                  files.map((f) => f.scores),
                  t,
                )[p],
            ),
          );
          expect(r[p].score).toBeCloseTo(brute, 9);
          const perFile = r[p].files.reduce((n, f) => n + f.raw, 0);
          expect(perFile).toBeCloseTo(r[p].raw, 9);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("scores the null detector 0 and a detector firing at each window's first scorable row 100", () => {
    fc.assert(
      fc.property(corpusArb, (files) => {
        const corpus = prepareCorpus(files, { probationPercent: 0 });
        fc.pre(normalisable(corpus));
        const nul = scoreDetector(
          corpus,
          files.map((f) => new Array<number>(f.rows).fill(0.5)),
        );
        const perfect = scoreDetector(
          corpus,
          files.map((f) => {
            const s = new Array<number>(f.rows).fill(0);
            for (const [l] of f.windows) s[l] = 1;
            return s;
          }),
        );
        for (const p of ["standard", "reward_low_fp", "reward_low_fn"] as const) {
          expect(nul[p].score).toBeCloseTo(0, 9);
          expect(perfect[p].score).toBeCloseTo(100, 9);
        }
      }),
      { numRuns: 100 },
    );
  });
});
