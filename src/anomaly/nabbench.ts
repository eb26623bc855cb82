/**
 * Runs Vigil's detectors over a parsed NAB corpus and scores them with the NAB scorer, next to the null and
 * perfect reference detectors. Pure: the CLI parses the files and passes them in.
 */
import { combinedInit, combinedStep } from "./combine.js";
import {
  type NabCorpusResult,
  type NabProfileName,
  type NabWindow,
  prepareCorpus,
  probationLength,
  scoreAtThreshold,
  scoreDetector,
  subsetScore,
} from "./nab.js";
import type { AnomalyConfig } from "./types.js";

/** One NAB data file, parsed: times in seconds, values, and windows as row ranges. */
export interface NabSeries {
  readonly name: string;
  readonly t: ArrayLike<number>;
  readonly v: ArrayLike<number>;
  readonly windows: readonly NabWindow[];
}

export const NAB_DETECTORS = [
  "vigil",
  "seasonal",
  "changepoint",
  "rate",
  "range",
  "null",
  "perfect",
] as const;
export type NabDetectorName = (typeof NAB_DETECTORS)[number];

export type ProfileScores = Readonly<Record<NabProfileName, number>>;

export interface NabDetectorReport {
  readonly scores: ProfileScores;
  readonly thresholds: ProfileScores;
  readonly raw: ProfileScores;
  /** Standard-profile score per category at the corpus threshold (categories with windows only). */
  readonly categories: Readonly<Record<string, number>>;
}

export interface NabBenchReport {
  readonly scores: ProfileScores;
  readonly detectors: Readonly<Record<NabDetectorName, NabDetectorReport>>;
  /** Vigil's score with the threshold fixed in advance instead of optimised on the corpus. */
  readonly fixedThreshold: { readonly threshold: number; readonly scores: ProfileScores };
  readonly corpus: { readonly files: number; readonly rows: number; readonly windows: number };
}

export interface NabBenchOptions {
  /** Threshold fixed in advance for the companion score. */
  readonly fixedThreshold?: number;
  /** Called after each file with the number of files done. */
  readonly progress?: (done: number, total: number) => void;
}

function perProfile(f: (p: NabProfileName) => number): ProfileScores {
  return { standard: f("standard"), reward_low_fp: f("reward_low_fp"), reward_low_fn: f("reward_low_fn") };
}

function categoryOf(name: string): string {
  const i = name.indexOf("/");
  return i < 0 ? "" : name.slice(0, i);
}

/** The combined detector with every signal but one switched off: how much each signal scores alone. */
const ALONE = {
  seasonal: { seasonal: 1, changePoint: 0, rate: 0, range: 0 },
  changepoint: { seasonal: 0, changePoint: 1, rate: 0, range: 0 },
  rate: { seasonal: 0, changePoint: 0, rate: 1, range: 0 },
  range: { seasonal: 0, changePoint: 0, rate: 0, range: 1 },
} as const;

function run(series: NabSeries, cfg: AnomalyConfig): Float64Array {
  const n = series.v.length;
  const out = new Float64Array(n);
  const state = combinedInit(cfg);
  for (let i = 0; i < n; i++)
    out[i] = combinedStep(state, cfg, { t: series.t[i] ?? 0, v: series.v[i] ?? 0 }).score;
  return out;
}

/** Runs the combined detector over one series, and each signal alone (through the same combiner). */
export function detectSeries(
  series: NabSeries,
  cfg: AnomalyConfig,
): Readonly<Record<"vigil" | keyof typeof ALONE, Float64Array>> {
  const alone = (k: keyof typeof ALONE) =>
    run(series, { ...cfg, combiner: { ...cfg.combiner, weights: ALONE[k] } });
  return {
    vigil: run(series, cfg),
    seasonal: alone("seasonal"),
    changepoint: alone("changepoint"),
    rate: alone("rate"),
    range: alone("range"),
  };
}

export function runNabBench(
  series: readonly NabSeries[],
  cfg: AnomalyConfig,
  opts: NabBenchOptions = {},
): NabBenchReport {
  const corpus = prepareCorpus(series.map((s) => ({ name: s.name, rows: s.v.length, windows: s.windows })));
  const scores: Record<NabDetectorName, Float64Array[]> = {
    vigil: [],
    seasonal: [],
    changepoint: [],
    rate: [],
    range: [],
    null: [],
    perfect: [],
  };
  series.forEach((s, i) => {
    const d = detectSeries(s, cfg);
    scores.vigil.push(d.vigil);
    scores.seasonal.push(d.seasonal);
    scores.changepoint.push(d.changepoint);
    scores.rate.push(d.rate);
    scores.range.push(d.range);
    const n = s.v.length;
    scores.null.push(new Float64Array(n).fill(0.5));
    const perfect = new Float64Array(n);
    const probation = probationLength(n);
    for (const [l, r] of s.windows) {
      const first = Math.max(l, Math.ceil(probation));
      if (first <= r) perfect[first] = 1;
    }
    scores.perfect.push(perfect);
    opts.progress?.(i + 1, series.length);
  });
  const categories = [...new Set(series.map((s) => categoryOf(s.name)))].sort();
  const report = (r: NabCorpusResult): NabDetectorReport => ({
    scores: perProfile((p) => r[p].score),
    thresholds: perProfile((p) => r[p].threshold),
    raw: perProfile((p) => r[p].raw),
    categories: Object.fromEntries(
      categories
        .map(
          (c) =>
            [
              c,
              subsetScore(
                r.standard,
                corpus.profiles.standard,
                new Set(series.filter((s) => categoryOf(s.name) === c).map((s) => s.name)),
              ),
            ] as const,
        )
        .filter(([, v]) => !Number.isNaN(v)),
    ),
  });
  const detectors = Object.fromEntries(
    NAB_DETECTORS.map((d) => [d, report(scoreDetector(corpus, scores[d]))]),
  ) as Record<NabDetectorName, NabDetectorReport>;
  const fixed = opts.fixedThreshold ?? 0.5;
  return {
    scores: detectors.vigil.scores,
    detectors,
    fixedThreshold: { threshold: fixed, scores: scoreAtThreshold(corpus, scores.vigil, fixed) },
    corpus: {
      files: series.length,
      rows: series.reduce((n, s) => n + s.v.length, 0),
      windows: corpus.windowCount,
    },
  };
}
