/**
 * Runs Vigil's detectors over a parsed NAB corpus and scores them with the NAB scorer, next to the null and
 * perfect reference detectors. Pure: the CLI parses the files and passes them in.
 */
import { combinedInit, combinedStep } from "./combine.js";
import {
  type NabCorpusResult,
  type NabProfileName,
  type NabWindow,
  NAB_PROFILES,
  type NabCorpus,
  normalise,
  prepareCorpus,
  probationLength,
  scoreFile,
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
  "novelty",
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
  seasonal: { seasonal: 1, changePoint: 0, rate: 0, range: 0, novelty: 0 },
  changepoint: { seasonal: 0, changePoint: 1, rate: 0, range: 0, novelty: 0 },
  rate: { seasonal: 0, changePoint: 0, rate: 1, range: 0, novelty: 0 },
  range: { seasonal: 0, changePoint: 0, rate: 0, range: 1, novelty: 0 },
  novelty: { seasonal: 0, changePoint: 0, rate: 0, range: 0, novelty: 1 },
} as const;

/** Runs the combined detector over one series and returns its score per row. */
export function runSeries(series: NabSeries, cfg: AnomalyConfig): Float64Array {
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
    runSeries(series, { ...cfg, combiner: { ...cfg.combiner, weights: ALONE[k] } });
  return {
    vigil: runSeries(series, cfg),
    seasonal: alone("seasonal"),
    changepoint: alone("changepoint"),
    rate: alone("rate"),
    range: alone("range"),
    novelty: alone("novelty"),
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
    novelty: [],
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
    scores.novelty.push(d.novelty);
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

/**
 * The 2-fold split: within each category, files sorted by name alternate between fold 0 and fold 1, so each
 * half holds about half of every category.
 */
export function nabFold(names: readonly string[]): number[] {
  const seen = new Map<string, number>();
  const sorted = names.map((n, i) => [n, i] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const fold = new Array<number>(names.length).fill(0);
  for (const [n, i] of sorted) {
    const c = categoryOf(n);
    const k = seen.get(c) ?? 0;
    fold[i] = k % 2;
    seen.set(c, k + 1);
  }
  return fold;
}

export interface NabFoldResult {
  /** Files scored in this fold (the test half). */
  readonly files: number;
  readonly windows: number;
  /** Per profile: the candidate picked on the other half (its index in the grid) and the threshold tuned there. */
  readonly chosen: Readonly<Record<NabProfileName, number>>;
  readonly thresholds: ProfileScores;
  /** Score on the tuning half (threshold and candidate optimised there). */
  readonly train: ProfileScores;
  /** Score on this half, at the threshold and with the candidate chosen on the other half. */
  readonly test: ProfileScores;
}

export interface NabCrossValidation {
  readonly candidates: number;
  readonly folds: readonly NabFoldResult[];
  /** Both test halves pooled (raw scores added, normalised over all windows). */
  readonly pooled: ProfileScores;
}

function subCorpus(series: readonly NabSeries[], pick: readonly number[]): NabCorpus {
  return prepareCorpus(
    pick.map((i) => {
      const s = series[i];
      return { name: s?.name ?? "", rows: s?.v.length ?? 0, windows: s?.windows ?? [] };
    }),
  );
}

/**
 * Honest companion to the corpus-tuned score: split the files in two halves (`nabFold`); on one half pick the
 * best candidate configuration and its threshold (per profile), then score the other half with exactly those,
 * and the other way round. With one candidate this measures only the threshold's transfer; with a grid it also
 * measures how much of the tuning of the detector's settings transfers.
 */
export function crossValidate(
  series: readonly NabSeries[],
  candidates: readonly AnomalyConfig[],
): NabCrossValidation {
  const scores = candidates.map((cfg) => series.map((s) => runSeries(s, cfg)));
  const fold = nabFold(series.map((s) => s.name));
  const pooledRaw: Record<NabProfileName, number> = { standard: 0, reward_low_fp: 0, reward_low_fn: 0 };
  let pooledWindows = 0;
  const folds = [0, 1].map((test): NabFoldResult => {
    const trainIdx = series.map((_, i) => i).filter((i) => fold[i] !== test);
    const testIdx = series.map((_, i) => i).filter((i) => fold[i] === test);
    const train = subCorpus(series, trainIdx);
    const testCorpus = subCorpus(series, testIdx);
    const results = scores.map((sc) =>
      scoreDetector(
        train,
        trainIdx.map((i) => sc[i] ?? new Float64Array(0)),
      ),
    );
    const chosen = perProfile((p) => {
      let b = 0;
      results.forEach((r, k) => {
        if (r[p].score > (results[b]?.[p].score ?? Number.NEGATIVE_INFINITY)) b = k;
      });
      return b;
    });
    const thresholds = perProfile((p) => results[chosen[p]]?.[p].threshold ?? 1.1);
    const testScore = perProfile((p) => {
      const cost = testCorpus.profiles[p];
      let raw = 0;
      testCorpus.files.forEach((f, j) => {
        const sw = testCorpus.sweeps[j];
        const row = scores[chosen[p]]?.[testIdx[j] ?? 0] ?? new Float64Array(0);
        if (sw !== undefined) raw += scoreFile({ ...f, scores: row }, sw, cost, thresholds[p]).raw;
      });
      pooledRaw[p] += raw;
      return normalise(raw, testCorpus.nullRaw[p], testCorpus.windowCount * cost.tp);
    });
    pooledWindows += testCorpus.windowCount;
    return {
      files: testIdx.length,
      windows: testCorpus.windowCount,
      chosen,
      thresholds,
      train: perProfile((p) => results[chosen[p]]?.[p].score ?? Number.NaN),
      test: testScore,
    };
  });
  const pooled = perProfile((p) => {
    const cost = NAB_PROFILES[p];
    return normalise(pooledRaw[p], -pooledWindows * cost.fn, pooledWindows * cost.tp);
  });
  return { candidates: candidates.length, folds, pooled };
}

/**
 * The settings tuned by hand on the corpus, as a small grid around the defaults: the novelty vigilance and
 * scale, and the suppression margin (27 configurations). `crossValidate` picks among them on one half only.
 */
export function tuningGrid(base: AnomalyConfig): AnomalyConfig[] {
  const out: AnomalyConfig[] = [];
  for (const rho of [0.08, 0.1, 0.12])
    for (const scale of [0.15, 0.2, 0.3])
      for (const suppressMargin of [0, 0.05, 0.1])
        out.push({
          ...base,
          novelty: { ...base.novelty, rho, scale },
          combiner: { ...base.combiner, suppressMargin },
        });
  return out;
}
