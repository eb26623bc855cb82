import { existsSync } from "node:fs";
import fc from "fast-check";
import { SHARED_DATA } from "../../../../test/data.js";
import { describe, expect, it } from "vitest";
import { VigilError } from "../../../model/index.js";
import {
  defaultAnomalyConfig,
  defaultAnomalyThreshold,
  prepareCorpus,
  runNabBench,
  scoreDetector,
} from "../../../anomaly/index.js";
import { parseNabCsv, readNabCorpus, resolveWindows } from "./anomaly.js";

describe("parseNabCsv", () => {
  it.each([
    ["LF with final newline", "timestamp,value\n2014-01-01 00:00:00,1\n2014-01-01 00:05:00,2.5\n"],
    ["CRLF", "timestamp,value\r\n2014-01-01 00:00:00,1\r\n2014-01-01 00:05:00,2.5\r\n"],
    ["no final newline", "timestamp,value\n2014-01-01 00:00:00,1\n2014-01-01 00:05:00,2.5"],
  ])("%s", (_name, text) => {
    const r = parseNabCsv("x.csv", text);
    expect(r.keys).toEqual(["2014-01-01 00:00:00", "2014-01-01 00:05:00"]);
    expect(Array.from(r.v)).toEqual([1, 2.5]);
    expect((r.t[1] ?? 0) - (r.t[0] ?? 0)).toBe(300);
  });
  it.each([
    ["wrong header", "time,value\n2014-01-01 00:00:00,1\n", /header/],
    ["no rows", "timestamp,value\n", /no data rows/],
    ["bad value", "timestamp,value\n2014-01-01 00:00:00,abc\n", /line 2/],
    ["empty value", "timestamp,value\n2014-01-01 00:00:00,\n", /line 2/],
    ["bad timestamp", "timestamp,value\n2014-01-01T00:00:00Z,1\n", /line 2/],
  ])("rejects %s", (_name, text, msg) => {
    expect(() => parseNabCsv("x.csv", text)).toThrow(msg);
  });
  it("never throws anything but a VigilError", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (body) => {
        try {
          parseNabCsv("x.csv", `timestamp,value\n${body}`);
        } catch (err) {
          expect(err).toBeInstanceOf(VigilError);
        }
      }),
    );
  });
});

describe("resolveWindows", () => {
  const keys = ["2014-01-01 00:00:00", "2014-01-01 00:05:00", "2014-01-01 00:10:00", "2014-01-01 00:15:00"];
  it("matches label timestamps with microseconds to rows", () => {
    expect(
      resolveWindows("x.csv", keys, [["2014-01-01 00:05:00.000000", "2014-01-01 00:10:00.000000"]]),
    ).toEqual([[1, 2]]);
  });
  it.each([
    ["a timestamp that is not a row", [["2014-01-01 00:06:00.000000", "2014-01-01 00:10:00.000000"]]],
    ["a reversed window", [["2014-01-01 00:10:00", "2014-01-01 00:05:00"]]],
    [
      "overlapping windows",
      [
        ["2014-01-01 00:00:00", "2014-01-01 00:10:00"],
        ["2014-01-01 00:05:00", "2014-01-01 00:15:00"],
      ],
    ],
  ] as const)("rejects %s", (_name, limits) => {
    expect(() => resolveWindows("x.csv", keys, limits)).toThrow(VigilError);
  });
});

const nabDir = `${SHARED_DATA}/nab/`;

describe.skipIf(!existsSync(`${nabDir}labels/combined_windows.json`))(
  "the NAB v1.1 corpus (shared/data/nab)",
  () => {
    const series = existsSync(`${nabDir}labels/combined_windows.json`) ? readNabCorpus(nabDir) : [];
    const corpus = prepareCorpus(series.map((s) => ({ name: s.name, rows: s.v.length, windows: s.windows })));

    it("the default threshold the operator uses is the one the bench finds optimal (standard profile)", () => {
      const r = runNabBench(series, defaultAnomalyConfig);
      expect(r.detectors.vigil.thresholds.standard).toBeCloseTo(defaultAnomalyThreshold, 4);
    });

    it("has the published shape: 58 files, 365,558 rows, 116 windows, 6 files without windows", () => {
      expect(series.length).toBe(58);
      expect(series.reduce((n, s) => n + s.v.length, 0)).toBe(365_558);
      expect(corpus.windowCount).toBe(116);
      expect(series.filter((s) => s.windows.length === 0).length).toBe(6);
    });

    it("has 332,842 scorable rows, 33,495 of them inside windows", () => {
      let scorable = 0;
      let inside = 0;
      for (const s of corpus.sweeps)
        for (const w of s.window) {
          if (w !== -2) scorable++;
          if (w >= 0) inside++;
        }
      expect(scorable).toBe(332_842);
      expect(inside).toBe(33_495);
    });

    it("scores NAB's null detector at -116·fn raw (normalised 0) and a perfect detector at 100", () => {
      expect(corpus.nullRaw).toEqual({ standard: -116, reward_low_fp: -116, reward_low_fn: -232 });
      const perfect = scoreDetector(
        corpus,
        series.map((s) => {
          const out = new Float64Array(s.v.length);
          for (const [l] of s.windows) out[l] = 1;
          return out;
        }),
      );
      expect(perfect.standard.score).toBeCloseTo(100, 9);
      expect(perfect.reward_low_fp.score).toBeCloseTo(100, 9);
      expect(perfect.reward_low_fn.score).toBeCloseTo(100, 9);
    });
  },
);
