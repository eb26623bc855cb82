import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detectPeriod, DAY, forecast, forecastValues, prepareSeries } from "./index.js";

const daily = (days: number, step: number, noise = 0): number[] =>
  Array.from(
    { length: (days * DAY) / step },
    (_, i) => 100 + 50 * Math.sin((2 * Math.PI * i * step) / DAY) + noise * Math.sin(i * 12.9898),
  );

describe("prepareSeries", () => {
  it.each([
    [
      "nonFinite",
      [
        { t: 0, v: 1 },
        { t: 60, v: Number.NaN },
      ],
      1,
    ],
    ["nonFinite", [{ t: 0, v: Number.POSITIVE_INFINITY }], 0],
    [
      "unsorted",
      [
        { t: 60, v: 1 },
        { t: 0, v: 2 },
      ],
      1,
    ],
    [
      "duplicateTimestamp",
      [
        { t: 0, v: 1 },
        { t: 0, v: 2 },
      ],
      1,
    ],
    ["empty", [], 0],
  ] as const)("refuses %s input", (reason, samples, index) => {
    const r = prepareSeries(samples);
    expect(r).toMatchObject({ kind: "invalidInput", reason, index });
  });

  it("fills short gaps linearly and drops data before a long gap", () => {
    const r = prepareSeries([
      { t: 0, v: 5 },
      { t: 10_000, v: 1 },
      { t: 10_060, v: 2 },
      { t: 10_240, v: 5 },
    ]);
    expect(r.kind).toBe("ok");
    if (r.kind !== "ok") return;
    expect(r.droppedBeforeGap).toBe(1);
    expect(r.series.values).toEqual([1, 2, 3, 4, 5]);
    expect(r.filled).toBe(2);
  });

  it("turns a counter with a reset into a rate", () => {
    const r = prepareSeries(
      [
        { t: 0, v: 0 },
        { t: 60, v: 600 },
        { t: 120, v: 60 },
        { t: 180, v: 660 },
      ],
      { counter: true },
    );
    expect(r).toMatchObject({ kind: "ok", resets: 1, series: { values: [10, 1, 10] } });
  });
});

describe("detectPeriod", () => {
  it("finds a daily period in 8 days of 1-min data", () => {
    expect(detectPeriod(daily(8, 60, 5), 60)).toMatchObject({ kind: "period", seconds: DAY });
  });
  it("finds none in 1 day or in a flat line", () => {
    expect(detectPeriod(daily(1, 60), 60).kind).toBe("none");
    expect(detectPeriod(new Array(4000).fill(3), 300).kind).toBe("none");
  });
});

describe("forecast", () => {
  it("reports insufficient data for very short series", () => {
    const r = forecast(
      [
        { t: 0, v: 1 },
        { t: 60, v: 2 },
      ],
      { horizonSeconds: 600 },
    );
    expect(r).toMatchObject({ kind: "insufficientData", have: 2 });
  });

  it("tracks a clean daily cycle closely", () => {
    const v = daily(9, 300);
    const train = v.slice(0, 8 * 288);
    const r = forecastValues(train, 300, 12);
    for (let k = 0; k < 12; k++) expect(Math.abs((r.mean[k] ?? 0) - (v[8 * 288 + k] ?? 0))).toBeLessThan(5);
    expect(r.period).toMatchObject({ kind: "period", seconds: DAY });
  });

  it("keeps lower <= mean <= upper and non-negative output for non-negative input (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 10, maxLength: 300 }),
        fc.integer({ min: 1, max: 30 }),
        (values, h) => {
          const samples = values.map((v, i) => ({ t: i * 60, v }));
          const r = forecast(samples, { horizonSeconds: h * 60 });
          expect(r.kind).toBe("ok");
          if (r.kind !== "ok") return;
          expect(r.points).toHaveLength(h);
          for (const p of r.points) {
            expect(Number.isFinite(p.mean)).toBe(true);
            expect(p.lower).toBeLessThanOrEqual(p.mean + 1e-9);
            expect(p.mean).toBeLessThanOrEqual(p.upper + 1e-9);
            expect(p.lower).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("forecasts a constant as that constant (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: 10, max: 200 }),
        (c, n) => {
          const r = forecastValues(new Array<number>(n).fill(c), 60, 10);
          for (const x of r.mean) expect(x).toBeCloseTo(c, 6);
        },
      ),
      { numRuns: 30 },
    );
  });
});
