/**
 * The Numenta Anomaly Benchmark scorer (NAB v1.1, `numenta/NAB:nab/{sweeper,optimizer,runner}.py`), reimplemented
 * over plain arrays: anomaly windows as row ranges, the scaled sigmoid, the three application profiles, one
 * corpus-wide threshold per profile and the null/perfect normalisation. Pure: the CLI reads the files.
 */

/** An application profile: NAB's cost matrix (`config/profiles.json`). */
export interface CostMatrix {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
}

export const NAB_PROFILE_NAMES = ["standard", "reward_low_fp", "reward_low_fn"] as const;
export type NabProfileName = (typeof NAB_PROFILE_NAMES)[number];

export const NAB_PROFILES: Readonly<Record<NabProfileName, CostMatrix>> = {
  standard: { tp: 1.0, fp: 0.11, fn: 1.0 },
  reward_low_fp: { tp: 1.0, fp: 0.22, fn: 1.0 },
  reward_low_fn: { tp: 1.0, fp: 0.11, fn: 2.0 },
};

/** An anomaly window as inclusive row indices `[left, right]`. */
export type NabWindow = readonly [left: number, right: number];

/** One data file: its row count, its windows (sorted, disjoint) and one score in [0,1] per row. */
export interface NabFileScores {
  readonly name: string;
  readonly windows: readonly NabWindow[];
  readonly scores: ArrayLike<number>;
}

/** `scaledSigmoid` from `nab/sweeper.py`: 0.98661 at -1 (left window edge), 0 at 0, -1 from 3 on. */
export function scaledSigmoid(position: number): number {
  if (position >= 3.0) return -1.0;
  return 2 / (1 + Math.exp(5 * position)) - 1;
}

const MAX_TP = scaledSigmoid(-1.0);

/** Rows excluded from scoring at the start of a file: `min(floor(0.15 n), 0.15 * 5000)`. */
export function probationLength(rows: number, percent = 0.15): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

/** Row classes of a sweep. */
const PROBATION = -2;
const OUTSIDE = -1;

/**
 * The per-row part of `Sweeper.calcSweepScore`, profile-free: for each row, the window it belongs to
 * (`>= 0`), `-1` outside every window, `-2` in probation; and the unweighted sigmoid value. Inside a window
 * the weighted score is `sig * tp / sig(-1)`; outside it is `sig * fp`.
 */
export interface Sweep {
  readonly rows: number;
  readonly window: Int32Array;
  readonly sig: Float64Array;
}

export type WindowCheck = { kind: "ok" } | { kind: "invalid"; message: string };

/** Windows must lie inside the file, be sorted and must not overlap. */
export function checkWindows(rows: number, windows: readonly NabWindow[]): WindowCheck {
  let prevRight = -1;
  for (const [l, r] of windows) {
    if (!Number.isInteger(l) || !Number.isInteger(r) || l < 0 || r >= rows || l > r)
      return { kind: "invalid", message: `window [${l}, ${r}] is outside rows 0..${rows - 1}` };
    if (l <= prevRight)
      return { kind: "invalid", message: `window [${l}, ${r}] overlaps or precedes another` };
    prevRight = r;
  }
  return { kind: "ok" };
}

export function sweep(rows: number, windows: readonly NabWindow[], probationPercent = 0.15): Sweep {
  const window = new Int32Array(rows);
  const sig = new Float64Array(rows);
  const probation = probationLength(rows, probationPercent);
  let next = 0; // index of the next window to enter
  let cur = -1; // window we are in
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < rows; i++) {
    const entering = windows[next];
    if (cur < 0 && entering !== undefined && entering[0] === i) {
      cur = next;
      next++;
    }
    const w = windows[cur];
    if (w !== undefined) {
      const width = w[1] - w[0] + 1;
      sig[i] = scaledSigmoid(-(w[1] - i + 1) / width);
    } else {
      // Before the first window NAB uses position 3.0 (score -1); a one-row previous window divides by zero.
      const pos = prevRight < 0 ? 3.0 : Math.abs(prevRight - i) / (prevWidth - 1);
      sig[i] = scaledSigmoid(pos);
    }
    window[i] = i < probation ? PROBATION : w !== undefined ? cur : OUTSIDE;
    if (w !== undefined && w[1] === i) {
      prevRight = i;
      prevWidth = w[1] - w[0] + 1;
      cur = -1;
    }
  }
  return { rows, window, sig };
}

/** The weighted score of one row under a profile (`sweepScore` in NAB). */
function weighted(s: Sweep, i: number, cost: CostMatrix): number {
  const sig = s.sig[i] ?? 0;
  return (s.window[i] ?? OUTSIDE) >= 0 ? (sig * cost.tp) / MAX_TP : sig * cost.fp;
}

export interface ThresholdScore {
  readonly threshold: number;
  readonly score: number;
}

/** Row counts as NAB reports them (probation excluded). */
export interface NabCounts {
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
}

export interface NabFileResult {
  readonly name: string;
  readonly raw: number;
  readonly windows: number;
  readonly windowsDetected: number;
  readonly counts: NabCounts;
}

export interface NabProfileResult {
  readonly threshold: number;
  readonly raw: number;
  readonly nullRaw: number;
  readonly perfectRaw: number;
  /** `100 * (raw - null) / (perfect - null)`. */
  readonly score: number;
  readonly files: readonly NabFileResult[];
}

/** NaN when `perfectRaw === nullRaw` (a corpus the null detector already scores perfectly): undefined in NAB too. */
export function normalise(raw: number, nullRaw: number, perfectRaw: number): number {
  return (100 * (raw - nullRaw)) / (perfectRaw - nullRaw);
}

interface Pooled {
  readonly sweeps: readonly Sweep[];
  /** Scorable rows of all files, sorted by anomaly score, highest first (stable). */
  readonly order: Uint32Array;
  readonly score: Float64Array;
  readonly file: Uint32Array;
  readonly row: Uint32Array;
  readonly windowBase: readonly number[];
  readonly windowCount: number;
  readonly scorableWindows: Uint8Array;
}

function pool(files: readonly NabFileScores[], sweeps: readonly Sweep[]): Pooled {
  let total = 0;
  for (const s of sweeps)
    for (let i = 0; i < s.rows; i++) if ((s.window[i] ?? PROBATION) !== PROBATION) total++;
  const score = new Float64Array(total);
  const file = new Uint32Array(total);
  const row = new Uint32Array(total);
  const windowBase: number[] = [];
  let windowCount = 0;
  for (const f of files) {
    windowBase.push(windowCount);
    windowCount += f.windows.length;
  }
  const scorableWindows = new Uint8Array(windowCount);
  let k = 0;
  sweeps.forEach((s, fi) => {
    const scores = files[fi]?.scores;
    const base = windowBase[fi] ?? 0;
    for (let i = 0; i < s.rows; i++) {
      const w = s.window[i] ?? PROBATION;
      if (w === PROBATION) continue;
      if (w >= 0) scorableWindows[base + w] = 1;
      score[k] = scores?.[i] ?? 0;
      file[k] = fi;
      row[k] = i;
      k++;
    }
  });
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  // Stable descending sort, as Python's sorted(..., reverse=True).
  order.sort((a, b) => (score[b] ?? 0) - (score[a] ?? 0) || a - b);
  return { sweeps, order, score, file, row, windowBase, windowCount, scorableWindows };
}

/**
 * `Sweeper.calcScoreByThreshold` over the pooled corpus: the corpus score at threshold 1.1 (nothing detected)
 * and at every distinct anomaly score, where a row is detected when its score is `>=` the threshold.
 */
function scoresByThreshold(p: Pooled, cost: CostMatrix): ThresholdScore[] {
  const windowMax = new Float64Array(p.windowCount);
  let total = 0;
  for (let w = 0; w < p.windowCount; w++) {
    if (p.scorableWindows[w] === 1) {
      windowMax[w] = -cost.fn;
      total -= cost.fn;
    } else windowMax[w] = Number.NEGATIVE_INFINITY; // never scorable: not part of the score
  }
  const out: ThresholdScore[] = [];
  let threshold = 1.1;
  for (let j = 0; j < p.order.length; j++) {
    const k = p.order[j] ?? 0;
    const sc = p.score[k] ?? 0;
    if (sc !== threshold) {
      out.push({ threshold, score: total });
      threshold = sc;
    }
    const fi = p.file[k] ?? 0;
    const i = p.row[k] ?? 0;
    const s = p.sweeps[fi];
    if (s === undefined) continue;
    const w = s.window[i] ?? OUTSIDE;
    const ws = weighted(s, i, cost);
    if (w < 0) total += ws;
    else {
      const g = (p.windowBase[fi] ?? 0) + w;
      const old = windowMax[g] ?? 0;
      if (ws > old) {
        windowMax[g] = ws;
        total += ws - old;
      }
    }
  }
  out.push({ threshold, score: total });
  return out;
}

/** The threshold with the highest corpus score; ties go to the higher threshold (NAB's stable sort). */
function best(scores: readonly ThresholdScore[]): ThresholdScore {
  let b: ThresholdScore = { threshold: 1.1, score: Number.NEGATIVE_INFINITY };
  for (const s of scores) if (s.score > b.score) b = s;
  return b;
}

/** One file's score and counts at a fixed threshold (`Sweeper.scoreDataSet`). */
export function scoreFile(f: NabFileScores, s: Sweep, cost: CostMatrix, threshold: number): NabFileResult {
  const windowMax = f.windows.map(() => Number.NEGATIVE_INFINITY);
  const scorable = f.windows.map(() => false);
  let fpSum = 0;
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < s.rows; i++) {
    const w = s.window[i] ?? PROBATION;
    if (w === PROBATION) continue;
    const detected = (f.scores[i] ?? 0) >= threshold;
    if (w >= 0) {
      scorable[w] = true;
      if (detected) {
        tp++;
        windowMax[w] = Math.max(windowMax[w] ?? 0, weighted(s, i, cost));
      } else fn++;
    } else if (detected) {
      fp++;
      fpSum += weighted(s, i, cost);
    } else tn++;
  }
  let raw = fpSum;
  let windows = 0;
  let windowsDetected = 0;
  windowMax.forEach((m, w) => {
    if (scorable[w] !== true) return;
    windows++;
    if (m === Number.NEGATIVE_INFINITY) raw -= cost.fn;
    else {
      windowsDetected++;
      raw += m;
    }
  });
  return { name: f.name, raw, windows, windowsDetected, counts: { tp, fp, tn, fn } };
}

export interface NabOptions {
  readonly probationPercent?: number;
  readonly profiles?: Readonly<Record<NabProfileName, CostMatrix>>;
}

export type NabCorpusResult = Readonly<Record<NabProfileName, NabProfileResult>>;

/** Precomputed sweeps of a corpus; reuse them to score several detectors. */
export interface NabCorpus {
  readonly files: readonly { readonly name: string; readonly windows: readonly NabWindow[] }[];
  readonly sweeps: readonly Sweep[];
  /** Windows in the label file: the perfect detector scores `windows * tp`. */
  readonly windowCount: number;
  readonly nullRaw: Readonly<Record<NabProfileName, number>>;
  readonly profiles: Readonly<Record<NabProfileName, CostMatrix>>;
}

function optimiseAll(
  files: readonly NabFileScores[],
  sweeps: readonly Sweep[],
  profiles: Readonly<Record<NabProfileName, CostMatrix>>,
): Record<NabProfileName, ThresholdScore> {
  const p = pool(files, sweeps);
  return {
    standard: best(scoresByThreshold(p, profiles.standard)),
    reward_low_fp: best(scoresByThreshold(p, profiles.reward_low_fp)),
    reward_low_fn: best(scoresByThreshold(p, profiles.reward_low_fn)),
  };
}

/**
 * Prepares a corpus and scores NAB's null detector (a constant 0.5) on it, which is the normalisation's
 * zero. The files carry their sizes through `rows`.
 */
export function prepareCorpus(
  files: readonly { readonly name: string; readonly rows: number; readonly windows: readonly NabWindow[] }[],
  opts: NabOptions = {},
): NabCorpus {
  const profiles = opts.profiles ?? NAB_PROFILES;
  const sweeps = files.map((f) => sweep(f.rows, f.windows, opts.probationPercent));
  const nullFiles = files.map((f) => ({
    name: f.name,
    windows: f.windows,
    scores: new Float64Array(f.rows).fill(0.5),
  }));
  const nul = optimiseAll(nullFiles, sweeps, profiles);
  return {
    files: files.map((f) => ({ name: f.name, windows: f.windows })),
    sweeps,
    windowCount: files.reduce((n, f) => n + f.windows.length, 0),
    nullRaw: {
      standard: nul.standard.score,
      reward_low_fp: nul.reward_low_fp.score,
      reward_low_fn: nul.reward_low_fn.score,
    },
    profiles,
  };
}

/**
 * Scores one detector on a prepared corpus: for each profile, the corpus-optimal threshold (`optimizer.py`),
 * the raw score at it, the per-file breakdown and the normalised score (`runner.normalize`).
 * `scores[i]` belongs to `corpus.files[i]`.
 */
export function scoreDetector(corpus: NabCorpus, scores: readonly ArrayLike<number>[]): NabCorpusResult {
  const files: NabFileScores[] = corpus.files.map((f, i) => ({
    name: f.name,
    windows: f.windows,
    scores: scores[i] ?? [],
  }));
  const opt = optimiseAll(files, corpus.sweeps, corpus.profiles);
  const result = (name: NabProfileName): NabProfileResult => {
    const cost = corpus.profiles[name];
    const threshold = opt[name].threshold;
    const perFile = files.map((f, i) => scoreFile(f, corpus.sweeps[i] ?? sweep(0, []), cost, threshold));
    const perfectRaw = corpus.windowCount * cost.tp;
    const nullRaw = corpus.nullRaw[name];
    return {
      threshold,
      raw: opt[name].score,
      nullRaw,
      perfectRaw,
      score: normalise(opt[name].score, nullRaw, perfectRaw),
      files: perFile,
    };
  };
  return {
    standard: result("standard"),
    reward_low_fp: result("reward_low_fp"),
    reward_low_fn: result("reward_low_fn"),
  };
}

/** Scores at a threshold fixed in advance (no optimisation): the honest companion to the optimised score. */
export function scoreAtThreshold(
  corpus: NabCorpus,
  scores: readonly ArrayLike<number>[],
  threshold: number,
): Readonly<Record<NabProfileName, number>> {
  const at = (name: NabProfileName): number => {
    const cost = corpus.profiles[name];
    let raw = 0;
    corpus.files.forEach((f, i) => {
      const s = corpus.sweeps[i];
      if (s === undefined) return;
      raw += scoreFile({ name: f.name, windows: f.windows, scores: scores[i] ?? [] }, s, cost, threshold).raw;
    });
    return normalise(raw, corpus.nullRaw[name], corpus.windowCount * cost.tp);
  };
  return { standard: at("standard"), reward_low_fp: at("reward_low_fp"), reward_low_fn: at("reward_low_fn") };
}

/** Normalised score of a subset of files (a category) at the corpus threshold, with the same null/perfect rule. */
export function subsetScore(result: NabProfileResult, cost: CostMatrix, names: ReadonlySet<string>): number {
  let raw = 0;
  let windows = 0;
  for (const f of result.files) {
    if (!names.has(f.name)) continue;
    raw += f.raw;
    windows += f.windows;
  }
  if (windows === 0) return Number.NaN;
  return normalise(raw, -windows * cost.fn, windows * cost.tp);
}
