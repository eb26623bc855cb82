/**
 * @module
 * Vigil's recommender. Where VPA uses one percentile and a fixed 15 % for every workload
 * (../shared/docs/algorithms.md §2, "weaknesses to beat"), this one:
 * - picks the CPU percentile from the workload's volatility: steady workloads get p95 (it costs little),
 *   noisy ones a lower percentile for the request, because their bursts are covered by a separate limit;
 * - treats CPU bursts apart: the request follows the sustained (5-minute mean) level, the limit covers
 *   the 5-minute maxima (p99.5 of the last days);
 * - treats memory peaks apart: memory is incompressible, so the target is never below the observed peak
 *   of the last `memoryPeakWindowSeconds`, plus a projected trend (leaks) and the seasonal peak;
 * - forecasts the next horizon with src/forecast (period detection and the seasonal quantile model),
 *   so a request can follow a daily cycle when an in-place updater applies it;
 * - widens margins after OOM kills (decaying with a half-life) and when the history is short;
 * - reports a confidence from the history length and coverage.
 *
 * State is plain data in 5-minute buckets, mutated in place by `vigilObserve` (a replay adds millions
 * of samples); `vigilRecommend` only reads it.
 */
import * as fc from "../forecast/index.js";
import { DAY, HOUR, MiB, type Bounded, type Recommendation } from "./types.js";

export interface VigilConfig {
  readonly bucketSeconds: number;
  /** History kept, like VPA's 8 days. */
  readonly historySeconds: number;
  /** The recommendation must hold from now until now + horizon: 1 h for an in-place updater, a day or more for a manifest. */
  readonly horizonSeconds: number;
  /** Memory target is never below the peak of this window ("peak" floor). */
  readonly memoryPeakWindowSeconds: number;
  /**
   * "peak": never below the window's peak (for manifests, and the safe default).
   * "seasonal": for an in-place updater, when memory has a confirmed season: never below the peak seen at
   * the same phase (± `seasonalSlackSeconds`) in the window, nor below the last hour's peak; used only when
   * a backtest over the last days shows that floor was never missed by more than `maxNoiseMargin`.
   */
  readonly memoryFloor: "peak" | "seasonal";
  /**
   * "peak": memory request = limit = the floor-based target (a manifest must hold until the next rollout).
   * "level": for an in-place updater, the request follows the near-term level (last hour's peak, trend,
   * seasonal p95 ahead) and the *limit* carries the protection: the floor-based target, and at least the
   * level raised by the largest rise seen within one horizon (`peakRise`).
   */
  readonly memoryRequest: "peak" | "level";
  readonly seasonalSlackSeconds: number;
  /** History length at which confidence reaches 1. */
  readonly fullConfidenceSeconds: number;
  readonly periodRefreshSeconds: number;
  readonly minCpuCores: number;
  readonly minMemoryBytes: number;
  readonly cpu: {
    /** Percentile for the most volatile workloads … for the steadiest. */
    readonly minPercentile: number;
    readonly maxPercentile: number;
    /** Volatility (mean absolute 5-min change / mean level) at or below which maxPercentile applies, and at or above which minPercentile does. */
    readonly lowVolatility: number;
    readonly highVolatility: number;
    readonly margin: number;
    /** Without a detected season: the window the percentile is taken over. */
    readonly flatWindowSeconds: number;
    readonly limitPercentile: number;
    readonly limitMargin: number;
    readonly limitWindowSeconds: number;
    /** The limit is at least this multiple of the request. */
    readonly limitMinRatio: number;
  };
  readonly memory: {
    readonly margin: number;
    /** Cap on the calibrated margin (see `peakSurprise`). */
    readonly maxNoiseMargin: number;
    readonly trendWindowSeconds: number;
  };
  readonly oom: {
    readonly bumpRatio: number;
    readonly minBumpBytes: number;
    /** Extra margin per OOM kill, decaying with the half-life, capped. */
    readonly marginPerOom: number;
    readonly maxMargin: number;
    readonly halfLifeSeconds: number;
  };
}

export const VIGIL_DEFAULTS: VigilConfig = {
  bucketSeconds: 300,
  historySeconds: 8 * DAY,
  horizonSeconds: 15 * 60,
  memoryPeakWindowSeconds: 7 * DAY,
  memoryFloor: "peak",
  memoryRequest: "peak",
  seasonalSlackSeconds: HOUR,
  fullConfidenceSeconds: 7 * DAY,
  periodRefreshSeconds: 6 * HOUR,
  minCpuCores: 0.001,
  minMemoryBytes: 16 * MiB,
  cpu: {
    minPercentile: 0.8,
    maxPercentile: 0.95,
    lowVolatility: 0.05,
    highVolatility: 0.35,
    margin: 0.1,
    flatWindowSeconds: 6 * HOUR,
    limitPercentile: 0.995,
    limitMargin: 0.1,
    limitWindowSeconds: 3 * DAY,
    limitMinRatio: 1.2,
  },
  memory: {
    margin: 0.05,
    maxNoiseMargin: 0.2,
    trendWindowSeconds: 6 * HOUR,
  },
  oom: {
    bumpRatio: 1.2,
    minBumpBytes: 100 * MiB,
    marginPerOom: 0.1,
    maxMargin: 0.5,
    halfLifeSeconds: 2 * DAY,
  },
};

interface Oom {
  readonly t: number;
  /** Memory the container needed: max(limit at the kill, usage) bumped like VPA's. */
  readonly need: number;
}

/** One container's history in fixed buckets; index i is absolute bucket `first + i`. */
export interface VigilState {
  first: number;
  start: number | undefined;
  last: number | undefined;
  samples: number;
  /** Mean CPU of each bucket, and how many samples it holds (0: a gap, carried forward). */
  readonly cpuMean: number[];
  readonly cpuCount: number[];
  readonly cpuMax: number[];
  readonly memMax: number[];
  readonly ooms: Oom[];
  /** Detected seasons in buckets (undefined: none), refreshed every periodRefreshSeconds. */
  cpuPeriod: number | undefined;
  memPeriod: number | undefined;
  periodCheckedAt: number | undefined;
}

export function newVigilState(): VigilState {
  return {
    first: 0,
    start: undefined,
    last: undefined,
    samples: 0,
    cpuMean: [],
    cpuCount: [],
    cpuMax: [],
    memMax: [],
    ooms: [],
    cpuPeriod: undefined,
    memPeriod: undefined,
    periodCheckedAt: undefined,
  };
}

/** Adds one sample; out-of-order samples are dropped. Gaps are filled with the previous bucket. */
export function vigilObserve(
  s: VigilState,
  t: number,
  cpu: number,
  mem: number,
  cfg: VigilConfig = VIGIL_DEFAULTS,
): boolean {
  if (!(cpu >= 0) || !(mem >= 0) || (s.last !== undefined && t <= s.last)) return false;
  const b = Math.floor(t / cfg.bucketSeconds);
  if (s.start === undefined) {
    s.start = t;
    s.first = b;
  }
  s.last = t;
  s.samples++;
  let i = b - s.first;
  while (s.cpuMean.length <= i) {
    const n = s.cpuMean.length;
    const gap = n < i; // a bucket with no samples: carry the previous one forward
    s.cpuMean.push(gap ? (s.cpuMean[n - 1] ?? 0) : 0);
    s.cpuCount.push(0);
    s.cpuMax.push(gap ? (s.cpuMax[n - 1] ?? 0) : 0);
    s.memMax.push(gap ? (s.memMax[n - 1] ?? 0) : 0);
  }
  const count = (s.cpuCount[i] ?? 0) + 1;
  s.cpuCount[i] = count;
  s.cpuMean[i] = (s.cpuMean[i] ?? 0) + (cpu - (s.cpuMean[i] ?? 0)) / count;
  s.cpuMax[i] = Math.max(s.cpuMax[i] ?? 0, cpu);
  s.memMax[i] = Math.max(s.memMax[i] ?? 0, mem);
  // Keep the history bounded (trim in chunks so the cost is amortised).
  const keep = Math.ceil(cfg.historySeconds / cfg.bucketSeconds);
  if (s.cpuMean.length > keep + 288) {
    const drop = s.cpuMean.length - keep;
    for (const a of [s.cpuMean, s.cpuCount, s.cpuMax, s.memMax]) a.splice(0, drop);
    s.first += drop;
    i -= drop;
  }
  while (s.ooms.length > 0 && (s.ooms[0]?.t ?? t) < t - cfg.historySeconds) s.ooms.shift();
  if (s.periodCheckedAt === undefined || t - s.periodCheckedAt >= cfg.periodRefreshSeconds) {
    s.periodCheckedAt = t;
    s.cpuPeriod = detect(Float64Array.from(s.cpuMean), cfg.bucketSeconds);
    s.memPeriod = detect(Float64Array.from(s.memMax), cfg.bucketSeconds);
  }
  return true;
}

/** Records an OOM kill at `t` while the memory limit was `limitBytes` and usage `usageBytes`. */
export function vigilRecordOom(
  s: VigilState,
  t: number,
  limitBytes: number,
  usageBytes: number,
  cfg: VigilConfig = VIGIL_DEFAULTS,
): void {
  const used = Math.max(limitBytes, usageBytes);
  s.ooms.push({ t, need: Math.max(used + cfg.oom.minBumpBytes, used * cfg.oom.bumpRatio) });
}

function detect(x: Float64Array, step: number): number | undefined {
  if (x.length * step < 2 * DAY) return undefined;
  const p = fc.detectPeriod(x, step);
  return p.kind === "period" ? Math.round(p.seconds / step) : undefined;
}

/** Median of each value and its two neighbours (the ends keep their value). */
export function runningMedian3(a: Float64Array): Float64Array {
  const out = Float64Array.from(a);
  for (let i = 1; i + 1 < a.length; i++) {
    const p = a[i - 1] ?? 0;
    const c = a[i] ?? 0;
    const q = a[i + 1] ?? 0;
    out[i] = Math.max(Math.min(p, c), Math.min(Math.max(p, c), q));
  }
  return out;
}

/** Quantile of the last `w` values of `a` (all of them when shorter). */
function tailQuantile(a: ArrayLike<number>, w: number, q: number): number {
  const from = Math.max(0, a.length - w);
  return fc.quantile(Array.prototype.slice.call(a, from) as number[], q);
}

function tailMax(a: ArrayLike<number>, w: number): number {
  let m = 0;
  for (let i = Math.max(0, a.length - w); i < a.length; i++) m = Math.max(m, a[i] ?? 0);
  return m;
}

/** Least-squares slope per bucket of the last `w` values. */
function tailSlope(a: ArrayLike<number>, w: number): number {
  const from = Math.max(0, a.length - w);
  const n = a.length - from;
  if (n < 3) return 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let k = 0; k < n; k++) {
    const y = a[from + k] ?? 0;
    sx += k;
    sy += y;
    sxx += k * k;
    sxy += k * y;
  }
  const d = n * sxx - sx * sx;
  return d === 0 ? 0 : (n * sxy - sx * sy) / d;
}

/**
 * How often the floor would have been too low: for each hour, by how much its peak exceeded the peak of
 * the 24 hours before it (relative, positive part); the 90th percentile of those. About 0 for a workload
 * whose peaks repeat; large for one that keeps setting new peaks in jumps. A calibrated memory margin.
 */
export function peakSurprise(y: ArrayLike<number>, perHour: number): number {
  const hours = Math.floor(y.length / perHour);
  const off = y.length - hours * perHour;
  const hm = Float64Array.from({ length: hours }, (_, k) => {
    let m = 0;
    for (let i = off + k * perHour; i < off + (k + 1) * perHour; i++) m = Math.max(m, y[i] ?? 0);
    return m;
  });
  const out: number[] = [];
  for (let k = 24; k < hours; k++) {
    let prev = 0;
    for (let j = k - 24; j < k; j++) prev = Math.max(prev, hm[j] ?? 0);
    out.push(prev > 0 ? Math.max(0, (hm[k] ?? 0) / prev - 1) : 0);
  }
  return out.length === 0 ? 0 : fc.quantile(out, 0.9);
}

/**
 * The peak at the phases ahead: max of y at [end + k − c·period] for k in [−w, h + w), over the seasons
 * inside the window. Undefined without two whole seasons.
 */
export function seasonalFloor(
  y: ArrayLike<number>,
  end: number,
  period: number,
  h: number,
  w: number,
  window: number,
): number | undefined {
  const cycles = Math.min(Math.floor(window / period), Math.floor(end / period));
  if (cycles < 2) return undefined;
  let m = 0;
  for (let c = 1; c <= cycles; c++)
    for (let k = -w; k < h + w; k++) {
      const i = end + k - c * period;
      if (i >= 0 && i < end) m = Math.max(m, y[i] ?? 0);
    }
  return m;
}

/**
 * Backtest of `seasonalFloor` over the last day, hour by hour: the largest relative amount by which an
 * hour's peak exceeded the floor computed before it. Undefined when there is too little history.
 */
export function seasonalFloorMiss(
  y: ArrayLike<number>,
  period: number,
  h: number,
  w: number,
  window: number,
  perHour: number,
): number | undefined {
  let worst: number | undefined;
  for (let end = y.length - 24 * perHour; end + perHour <= y.length; end += perHour) {
    if (end < 0) continue;
    const f = seasonalFloor(y, end, period, Math.max(h, perHour), w, window);
    if (f === undefined || f <= 0) continue;
    let actual = 0;
    for (let i = end; i < end + perHour; i++) actual = Math.max(actual, y[i] ?? 0);
    worst = Math.max(worst ?? 0, actual / f - 1);
  }
  return worst;
}

/**
 * The largest relative rise from one value to the peak of the `h` values after it, over the last `w` values:
 * how far the series has jumped within one recommendation's lifetime. 0 for a flat or falling series.
 */
export function peakRise(y: ArrayLike<number>, h: number, w: number): number {
  let worst = 0;
  for (let i = Math.max(0, y.length - w); i + 1 < y.length; i++) {
    const base = y[i] ?? 0;
    if (base <= 0) continue;
    let m = 0;
    for (let k = i + 1; k <= Math.min(y.length - 1, i + h); k++) m = Math.max(m, y[k] ?? 0);
    worst = Math.max(worst, m / base - 1);
  }
  return worst;
}

/** Mean absolute change between consecutive values, relative to the mean level: 0 for a flat line. */
export function volatility(x: ArrayLike<number>): number {
  if (x.length < 2) return 0;
  let d = 0;
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    m += x[i] ?? 0;
    if (i > 0) d += Math.abs((x[i] ?? 0) - (x[i - 1] ?? 0));
  }
  m /= x.length;
  return m <= 0 ? 0 : d / (x.length - 1) / m;
}

/** The CPU percentile for a volatility: maxPercentile when steady, minPercentile when noisy, linear between. */
export function cpuPercentileFor(v: number, cfg: VigilConfig["cpu"]): number {
  const f = Math.min(1, Math.max(0, (v - cfg.lowVolatility) / (cfg.highVolatility - cfg.lowVolatility)));
  return cfg.maxPercentile - f * (cfg.maxPercentile - cfg.minPercentile);
}

/**
 * The largest seasonal q-quantile over the next h buckets: the method of src/forecast's quantile model
 * (per phase, the q-quantile of the same phase ±1 bucket over the last ≤ 7 seasons, shifted by the median
 * deviation of the last half hour from the seasonal median), computed only for the phases ahead.
 */
export function seasonalPeak(x: ArrayLike<number>, period: number, h: number, q: number, recent = 6): number {
  const n = x.length;
  const cycles = Math.min(7, Math.floor(n / period));
  if (cycles < 1) return Number.NaN;
  const at = (phaseIndex: number, qq: number): number => {
    const pool: number[] = [];
    for (let c = 1; c <= cycles; c++) {
      for (let d = -1; d <= 1; d++) {
        const i = phaseIndex - c * period + d;
        if (i >= 0 && i < n) pool.push(x[i] ?? 0);
      }
    }
    return fc.quantile(pool, qq);
  };
  const dev: number[] = [];
  for (let k = 1; k <= Math.min(recent, n); k++) dev.push((x[n - k] ?? 0) - at(n - k, 0.5));
  const shift = dev.length === 0 ? 0 : fc.median(dev);
  let m = 0;
  for (let k = 0; k < h; k++) m = Math.max(m, at(n + k, q) + shift);
  return Math.max(0, m);
}

/** Confidence from the history length (and how much of it has samples). */
export function vigilConfidence(s: VigilState, cfg: VigilConfig = VIGIL_DEFAULTS): number {
  if (s.start === undefined || s.last === undefined) return 0;
  const span = s.last - s.start;
  let covered = 0;
  for (const c of s.cpuCount) if (c > 0) covered++;
  const coverage = s.cpuCount.length === 0 ? 0 : covered / s.cpuCount.length;
  return Math.min(1, span / cfg.fullConfidenceSeconds) * coverage;
}

const pct = (q: number) => `p${(100 * q).toFixed(1).replace(/\.0$/, "")}`;

/** The recommendation for the next `horizonSeconds`, from the history observed so far. */
export function vigilRecommend(
  s: VigilState,
  now: number,
  cfg: VigilConfig = VIGIL_DEFAULTS,
): Recommendation {
  const B = cfg.bucketSeconds;
  const n = s.cpuMean.length;
  const c = vigilConfidence(s, cfg);
  if (n === 0) {
    const none = (min: number): Bounded => ({ lower: min, target: min, upper: Number.POSITIVE_INFINITY });
    return {
      recommender: "vigil",
      cpu: none(cfg.minCpuCores),
      mem: none(cfg.minMemoryBytes),
      limits: { cpu: undefined, mem: undefined },
      confidence: 0,
      reasons: ["no history"],
    };
  }
  const reasons: string[] = [];
  const h = Math.max(1, Math.ceil(cfg.horizonSeconds / B));
  const perHour = Math.round(HOUR / B);
  const perDay = Math.round(DAY / B);
  const widen = 1 - c;

  // CPU: the sustained level (5-min means) at a volatility-chosen percentile, seasonal when a season is known.
  const raw = Float64Array.from(s.cpuMean);
  const v = volatility(raw.subarray(Math.max(0, n - perDay)));
  // Bursts apart: the request follows the sustained level (a 15-minute running median drops isolated
  // 5-minute bursts); the limit, below, covers the bursts.
  const x = runningMedian3(raw);
  const q = cpuPercentileFor(v, cfg.cpu);
  let cpuBase: number;
  if (s.cpuPeriod !== undefined && n >= s.cpuPeriod + perHour) {
    cpuBase = seasonalPeak(x, s.cpuPeriod, h, q);
    reasons.push(
      `cpu: seasonal ${pct(q)} over the next ${cfg.horizonSeconds / HOUR} h (period ${(s.cpuPeriod * B) / HOUR} h, volatility ${v.toFixed(2)})`,
    );
  } else {
    const w = Math.max(Math.round(cfg.cpu.flatWindowSeconds / B), h);
    cpuBase = tailQuantile(x, w, q);
    reasons.push(
      `cpu: ${pct(q)} of the last ${(Math.min(w, n) * B) / HOUR} h (no season, volatility ${v.toFixed(2)})`,
    );
  }
  // A level shift that the window has not absorbed yet: never below the last half hour's median, while the
  // shift is still in force (the last bucket is as high); a burst that has just ended does not hold it up.
  cpuBase = Math.max(cpuBase, Math.min(tailQuantile(x, Math.round(1800 / B), 0.5), raw[n - 1] ?? 0));
  const cpuMargin = cfg.cpu.margin + 0.15 * widen;
  const cpuTarget = Math.max(cpuBase * (1 + cpuMargin), cfg.minCpuCores);
  const burst = tailQuantile(s.cpuMax, Math.round(cfg.cpu.limitWindowSeconds / B), cfg.cpu.limitPercentile);
  const cpuLimit = Math.max(cpuTarget * cfg.cpu.limitMinRatio, burst * (1 + cfg.cpu.limitMargin));
  reasons.push(`cpu limit: ${pct(cfg.cpu.limitPercentile)} of 5-min maxima × ${1 + cfg.cpu.limitMargin}`);
  const cpuLower = Math.min(
    cpuTarget,
    Math.max(cfg.minCpuCores, tailQuantile(x, perDay, 0.5) * (1 + cpuMargin)),
  );

  // Memory: never below the recent peak (or what an OOM showed was needed), plus trend and season.
  const y = s.memMax;
  const peakW = Math.round(cfg.memoryPeakWindowSeconds / B);
  let floor = tailMax(y, peakW);
  let floorKind = `peak of the last ${cfg.memoryPeakWindowSeconds / HOUR} h`;
  if (cfg.memoryFloor === "seasonal" && s.memPeriod !== undefined) {
    const w = Math.round(cfg.seasonalSlackSeconds / B);
    const sf = seasonalFloor(y, n, s.memPeriod, h, w, peakW);
    const miss = seasonalFloorMiss(y, s.memPeriod, h, w, peakW, perHour);
    if (sf !== undefined && miss !== undefined && miss <= cfg.memory.maxNoiseMargin) {
      floor = Math.max(sf, tailMax(y, perHour));
      floorKind = `seasonal peak (period ${(s.memPeriod * B) / HOUR} h, backtest miss ${miss.toFixed(3)})`;
    }
  }
  const oomFrom = now - cfg.memoryPeakWindowSeconds;
  for (const o of s.ooms) if (o.t >= oomFrom) floor = Math.max(floor, o.need);
  let memBase = floor;
  const trendW = Math.max(Math.round(cfg.memory.trendWindowSeconds / B), h);
  const slope = n >= 12 ? tailSlope(y, trendW) : 0;
  const projected = slope > 0 ? (y[n - 1] ?? 0) + slope * (h + 1) : 0;
  if (slope > 0) {
    if (projected > memBase) {
      memBase = projected;
      reasons.push(
        `memory: rising ${((slope * perHour) / MiB).toFixed(1)} MiB/h, projected over the horizon`,
      );
    }
  }
  if (s.memPeriod !== undefined && n >= s.memPeriod + perHour) {
    const sp = seasonalPeak(y, s.memPeriod, h, 0.99);
    if (sp > memBase) {
      memBase = sp;
      reasons.push(`memory: seasonal p99 peak ahead (period ${(s.memPeriod * B) / HOUR} h)`);
    }
  }
  const noise = Math.min(cfg.memory.maxNoiseMargin, peakSurprise(y, perHour));
  let oomMargin = 0;
  for (const o of s.ooms) oomMargin += cfg.oom.marginPerOom * 2 ** (-(now - o.t) / cfg.oom.halfLifeSeconds);
  oomMargin = Math.min(cfg.oom.maxMargin, oomMargin);
  const memMargin = cfg.memory.margin + noise + oomMargin + 0.1 * widen;
  const memTarget = Math.max(memBase * (1 + memMargin), cfg.minMemoryBytes);
  reasons.push(
    `memory${cfg.memoryRequest === "level" ? " limit" : ""}: ${floorKind} × ${(1 + memMargin).toFixed(3)} (new-peak margin ${noise.toFixed(3)}, OOM ${oomMargin.toFixed(3)})`,
  );
  const cpuBounds = {
    lower: cpuLower,
    target: cpuTarget,
    upper: Math.max(cpuTarget, cpuLimit) * (1 + widen),
  };
  if (cfg.memoryRequest === "peak")
    return {
      recommender: "vigil",
      cpu: cpuBounds,
      mem: {
        lower: Math.min(memTarget, Math.max(floor, cfg.minMemoryBytes)),
        target: memTarget,
        upper: memTarget * (1 + widen + noise),
      },
      limits: { cpu: cpuLimit, mem: memTarget },
      confidence: c,
      reasons,
    };

  // Request at the near-term level; the limit keeps the floor-based protection and covers the largest rise
  // seen within one horizon on top of the level.
  let level = Math.max(tailMax(y, perHour), projected);
  if (s.memPeriod !== undefined && n >= s.memPeriod + perHour)
    level = Math.max(level, seasonalPeak(y, s.memPeriod, h, 0.95));
  const reqMargin = cfg.memory.margin + 0.1 * widen;
  const memRequest = Math.max(level * (1 + reqMargin), cfg.minMemoryBytes);
  const rise = peakRise(y, h, peakW);
  // The window's peak is treated as a near miss: the limit is at least what an OOM kill there would ask.
  const peak = tailMax(y, peakW);
  const memLimit = Math.max(
    memTarget,
    memRequest,
    Math.max(peak + cfg.oom.minBumpBytes, peak * cfg.oom.bumpRatio),
    tailMax(y, perHour) * (1 + rise) * (1 + cfg.memory.margin + oomMargin),
  );
  reasons.push(
    `memory request: level (last hour's peak, trend, seasonal p95) × ${(1 + reqMargin).toFixed(3)}`,
    `memory limit: ≥ the ${cfg.memoryPeakWindowSeconds / HOUR} h peak bumped as after an OOM, ≥ last hour's peak × ${(1 + rise).toFixed(3)} (largest rise within ${cfg.horizonSeconds / 60} min)`,
  );
  return {
    recommender: "vigil",
    cpu: cpuBounds,
    mem: {
      lower: Math.min(memRequest, Math.max(level, cfg.minMemoryBytes)),
      target: memRequest,
      upper: memRequest * (1 + widen + noise),
    },
    limits: { cpu: cpuLimit, mem: memLimit },
    confidence: c,
    reasons,
  };
}
