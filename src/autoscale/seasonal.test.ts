import { describe, expect, it } from "vitest";
import { DEFAULT_OUTLOOK, seasonalOutlook, type OutlookOptions } from "./seasonal.js";

const P = 20;
const opts: OutlookOptions = { ...DEFAULT_OUTLOOK, period: P, baseSteps: 3 };
/** `cycles` flat cycles of 100 with a spike of `h` at `at` in the cycles listed in `spiky`. */
function series(cycles: number, spiky: readonly number[], at: number, h: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < cycles; c++)
    for (let i = 0; i < P; i++) out.push(spiky.includes(c) && (i === at || i === at + 1) ? h : 100);
  return out;
}

describe("seasonalOutlook", () => {
  it.each<[string, number[], number, number[], Partial<OutlookOptions>]>([
    // n = 3 cycles + 8 steps: the outlook covers steps 8..11 of the cycle; the spike sits at 10-11.
    ["a spike in every past cycle is expected", series(4, [0, 1, 2], 10, 300), 3 * P + 8, [1, 1, 3, 3], {}],
    ["a one-off spike is not (no majority)", series(4, [2], 10, 300), 3 * P + 8, [1, 1, 1, 1], {}],
    ["two of three cycles agree", series(4, [0, 2], 10, 300), 3 * P + 8, [1, 1, 3, 3], {}],
    [
      "a small change is left to the reactive path",
      series(4, [0, 1, 2], 10, 105),
      3 * P + 8,
      [1, 1, 1, 1],
      {},
    ],
    [
      "the drift of a step is covered by jitter",
      series(4, [0, 1, 2], 12, 300),
      3 * P + 8,
      [1, 1, 1, 3],
      { jitterSteps: 1 },
    ],
    ["less than two cycles: persistence", series(2, [0], 10, 300), P + 8, [1, 1, 1, 1], {}],
  ])("%s", (_name, xs, n, ratio, o) => {
    const r = seasonalOutlook(xs, n, 4, { ...opts, ...o });
    expect(r.ratio.map((x) => Math.round(x * 100) / 100)).toEqual(ratio);
    expect(r.level).toBe(100);
    expect(r.expected).toEqual(r.ratio.map((x) => 100 * x));
  });

  it("scales the agreed ratio to today's level (weekday/weekend independent)", () => {
    const xs = series(4, [0, 1, 2], 10, 300);
    for (let i = 3 * P; i < 4 * P; i++) xs[i] = 50;
    expect(seasonalOutlook(xs, 3 * P + 8, 4, opts).expected).toEqual([50, 50, 150, 150]);
  });

  it("never reads values at or after n", () => {
    const xs = series(5, [0, 1, 2], 10, 300);
    const n = 3 * P + 8;
    const a = seasonalOutlook(xs, n, 4, opts);
    const ys = xs.map((x, i) => (i >= n ? 1e9 : x));
    expect(seasonalOutlook(ys, n, 4, opts)).toEqual(a);
  });
});
