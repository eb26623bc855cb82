/**
 * Automatic period detection after Crane's `Signal.FindPeriod`: a periodogram threshold from random
 * permutations (in closed form), candidate periods N/k verified as peaks of the autocorrelation, the highest peak wins.
 * Like Crane, only a day or a week is accepted. Runs on 10-30 min buckets so it stays within a few ms.
 */
import { magnitudes, planDft } from "./fft.js";
import { mean, slope } from "./stats.js";

export const DAY = 86_400;
export const WEEK = 7 * DAY;

export type PeriodResult =
  | {
      readonly kind: "period";
      /** The period in seconds: DAY or WEEK. */
      readonly seconds: number;
      /** Autocorrelation at the period (0..1). */
      readonly acf: number;
      /** Days of data the test looked at. */
      readonly windowDays: number;
    }
  | { readonly kind: "none"; readonly reason: string; readonly windowDays: number };

/** Bucket size for detection: a divisor of a day, as fine as possible with at most ~1100 buckets. */
function bucketSeconds(step: number, spanSeconds: number): number {
  for (const b of [600, 900, 1200, 1800, 3600, 7200]) {
    if (b >= step && b % step === 0 && spanSeconds / b <= 1100) return b;
  }
  return Math.max(step, 7200);
}

/** Means over `factor` consecutive values, aligned so the last bucket ends at the last value. */
export function aggregate(values: ArrayLike<number>, factor: number): Float64Array {
  const n = Math.floor(values.length / factor);
  const off = values.length - n * factor;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mean(values, off + i * factor, off + (i + 1) * factor);
  return out;
}

/** The circular autocorrelation of the standardised signal at one lag, O(n). */
export function circularAcfAt(x: ArrayLike<number>, lag: number): number {
  const n = x.length;
  const m = mean(x);
  let v = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const d = (x[i] ?? 0) - m;
    v += d * d;
    c += d * ((x[(i + lag) % n] ?? 0) - m);
  }
  return v === 0 ? 0 : c / v;
}

/** Crane's isPeak: the ACF rises over [i-k, i] and falls over [i, i+k] (least-squares slopes). */
function isPeak(x: Float64Array, i: number, k: number): boolean {
  const n = x.length;
  if (i < 1 || i > n - 1) return false;
  const l = Math.max(0, i - k);
  const r = Math.min(n - 1, i + k);
  return slope(x, l, i + 1) > 0 && slope(x, i, r + 1) < 0;
}

/** Circular autocorrelation of the standardised signal, like Crane's AutoCorrelation. */
export function autocorrelation(x: Float64Array): Float64Array {
  const n = x.length;
  const m = mean(x);
  let v = 0;
  for (let i = 0; i < n; i++) v += ((x[i] ?? 0) - m) ** 2;
  const sd = Math.sqrt(v / n);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) re[i] = sd === 0 ? 0 : ((x[i] ?? 0) - m) / sd;
  const plan = planDft(n);
  plan.forward(re, im);
  for (let k = 0; k < n; k++) {
    re[k] = (re[k] ?? 0) ** 2 + (im[k] ?? 0) ** 2;
    im[k] = 0;
  }
  // Inverse of a real, even spectrum = forward transform / n.
  plan.forward(re, im);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = (re[k] ?? 0) / n / n;
  return out;
}

/**
 * The power threshold Crane estimates with 100 random permutations, in closed form: for a shuffled
 * series of n values with variance v, |X_k|^2 / (n v) is close to Exp(1), so the p-quantile of the
 * maximum over n/2 - 1 bins is sqrt(n v (-ln(1 - p^(1/(n/2-1))))). Crane takes the 99th of 100 maxima.
 */
export function permutationThreshold(n: number, variance: number, p = 0.985): number {
  const m = Math.max(1, Math.floor(n / 2) - 1);
  const x = -Math.log(1 - Math.pow(p, 1 / m));
  return Math.sqrt(n * variance * x);
}

/**
 * Crane's FindPeriod on one window, evaluated on buckets of `factor` raw samples: bucket magnitudes are
 * scaled back to the raw resolution (undoing the averaging's attenuation) and compared with the raw
 * series' permutation threshold, so the test is as sensitive as Crane's at full resolution.
 * Returns the period in buckets, or -1.
 */
export function findPeriod(
  x: Float64Array,
  bucketSeconds: number,
  raw: {
    readonly n: number;
    readonly variance: number;
    readonly factor: number;
    readonly values?: ArrayLike<number>;
  },
): { lag: number; acf: number } {
  const n = x.length;
  const threshold = permutationThreshold(raw.n, raw.variance);
  const mag = magnitudes(x, planDft(n));
  const hints: number[] = [];
  for (let k = 2; k < n / 2; k++) {
    const att =
      raw.factor === 1
        ? 1
        : Math.abs(Math.sin((Math.PI * k) / n) / (raw.factor * Math.sin((Math.PI * k) / raw.n)));
    const p = ((mag[k] ?? 0) * raw.factor) / Math.max(att, 1e-9);
    if (p > threshold) {
      const h = Math.floor(n / k);
      const last = hints[hints.length - 1];
      if (last === undefined || last > h) hints.push(h);
    }
  }
  const acf = autocorrelation(x);
  const maxR = Math.floor((4 * 3600) / bucketSeconds);
  let best = -1;
  let bestAcf = 0;
  for (const h of hints) {
    const r = Math.min(maxR, Math.floor(h / 2));
    if (!isPeak(acf, h, r)) continue;
    // Crane compares ACF heights at full resolution; averaging into buckets inflates short lags.
    const a = raw.values === undefined ? (acf[h] ?? 0) : circularAcfAt(raw.values, h * raw.factor);
    if (bestAcf < a) {
      best = h;
      bestAcf = a;
    }
  }
  return { lag: best, acf: bestAcf };
}

/**
 * Detects a daily or weekly period. With at least 2 weeks of data the window is the last whole weeks,
 * else with at least 2 days the last whole days; shorter series have no period.
 */
export function detectPeriod(values: ArrayLike<number>, stepSeconds: number): PeriodResult {
  const span = values.length * stepSeconds;
  const unit = span >= 2 * WEEK ? WEEK : span >= 2 * DAY ? DAY : 0;
  if (unit === 0) return { kind: "none", reason: "less than two days of data", windowDays: span / DAY };
  const bucket = bucketSeconds(stepSeconds, Math.floor(span / unit) * unit);
  const factor = Math.max(1, Math.round(bucket / stepSeconds));
  const agg = aggregate(values, factor);
  const perUnit = Math.round(unit / (factor * stepSeconds));
  const units = Math.floor(agg.length / perUnit);
  const window = agg.subarray(agg.length - units * perUnit);
  const windowDays = (window.length * factor * stepSeconds) / DAY;
  const rawN = window.length * factor;
  const rawFrom = values.length - rawN;
  const m = mean(values, rawFrom, values.length);
  let v = 0;
  for (let i = rawFrom; i < values.length; i++) v += ((values[i] ?? 0) - m) ** 2;
  const { lag, acf } = findPeriod(window, factor * stepSeconds, {
    n: rawN,
    variance: v / rawN,
    factor,
    values: Array.prototype.slice.call(values, rawFrom) as number[],
  });
  if (lag < 0)
    return { kind: "none", reason: "no spectral peak is confirmed by the autocorrelation", windowDays };
  const seconds = lag * factor * stepSeconds;
  for (const p of [DAY, WEEK]) {
    if (Math.abs(seconds - p) <= 0.02 * p) return { kind: "period", seconds: p, acf, windowDays };
  }
  return {
    kind: "none",
    reason: `strongest period ${Math.round(seconds)} s is neither a day nor a week`,
    windowDays,
  };
}
