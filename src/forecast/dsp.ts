/**
 * An FFT periodic model after Crane's DSP predictor: clip outliers (p0.1/p99.9), take whole periods,
 * keep the strongest low-frequency components (below 1 cycle per hour), rebuild the last period and
 * tile it. Two low-pass settings compete on the last period with Crane's asymmetric error.
 * Without a period it falls back to the mean of the last hour.
 */
import { lowBins } from "./fft.js";
import { clampOut, lastValue, type FitContext, type Fitted, type Fitter } from "./model.js";
import { aggregate } from "./period.js";
import { mean, quantile } from "./stats.js";

/** Crane's estimator settings, with the amplitude threshold relative to the mean level (Crane's are absolute). */
export interface LowPassSetting {
  readonly minItems: number;
  readonly relThreshold: number;
}
export const LOW_PASS: readonly LowPassSetting[] = [
  { minItems: 3, relThreshold: 0.05 },
  { minItems: 50, relThreshold: 0.002 },
];
const MAX_ITEMS = 100;
const HISTORY_SECONDS = 15 * 86_400;

/** Crane's accuracy.PredictionError: over-prediction costs (p-a)/a, under-prediction -ln(1-x)/ln(1.25). */
export function predictionError(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let useMae = false;
  for (let i = 0; i < actual.length; i++) if ((actual[i] ?? 0) < 1e-3) useMae = true;
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? 0;
    const p = predicted[i] ?? 0;
    if (useMae) s += Math.abs(p - a);
    else if (p >= a) s += (p - a) / a;
    else s += -Math.log(Math.max(1e-9, 1 - (a - p) / a)) / Math.log(1.25);
  }
  return actual.length === 0 ? 0 : s / actual.length;
}

/** Low-pass reconstruction of the last period of `x` (length = cycles * per), per Crane's FFT estimator. */
export function lowPassLastPeriod(
  x: Float64Array,
  per: number,
  bucketSeconds: number,
  setting: LowPassSetting,
): Float64Array {
  const n = x.length;
  const kmax = Math.min(Math.floor((n * bucketSeconds) / 3600), Math.floor((n - 1) / 2));
  const { re, im } = lowBins(x, kmax);
  const level = Math.abs(mean(x)) || 1;
  const cand: { k: number; amp: number }[] = [];
  for (let k = 1; k <= kmax; k++) cand.push({ k, amp: Math.hypot(re[k] ?? 0, im[k] ?? 0) / n });
  cand.sort((a, b) => b.amp - a.amp);
  const kept = cand
    .slice(0, MAX_ITEMS)
    .filter((c, i) => i < setting.minItems || c.amp >= setting.relThreshold * level);
  const out = new Float64Array(per);
  const dc = (re[0] ?? 0) / n;
  for (let j = 0; j < per; j++) {
    const t = n - per + j;
    let v = dc;
    for (const c of kept) {
      const ang = (2 * Math.PI * c.k * t) / n;
      v += (2 / n) * ((re[c.k] ?? 0) * Math.cos(ang) - (im[c.k] ?? 0) * Math.sin(ang));
    }
    out[j] = v;
  }
  return out;
}

/** Bucket factor: the coarsest of <= 10 min that divides the period. */
function bucketFactor(step: number, period: number): number {
  let f = Math.max(1, Math.floor(600 / step));
  while (f > 1 && period % f !== 0) f--;
  return f;
}

/** Replaces values above p99.9 or below p0.1 with the previous value (Crane's preprocessing). */
function clipOutliers(x: Float64Array): Float64Array {
  const hi = quantile(x, 0.999);
  const lo = quantile(x, 0.001);
  const out = Float64Array.from(x);
  for (let i = 1; i < out.length; i++) {
    const v = out[i] ?? 0;
    if (v > hi || v < lo) out[i] = out[i - 1] ?? v;
  }
  return out;
}

export interface DspFit {
  readonly setting: LowPassSetting;
  /** One period of raw-step values, starting at the fit's end. */
  readonly pattern: Float64Array;
}

/** Fits the periodic pattern on values[0..end); undefined when fewer than 2 whole periods exist. */
export function fitDsp(values: ArrayLike<number>, end: number, ctx: FitContext): DspFit | undefined {
  const p = ctx.period;
  if (p === undefined) return undefined;
  const cycles = Math.min(Math.floor(end / p), Math.max(2, Math.floor(HISTORY_SECONDS / (p * ctx.step))));
  if (cycles < 2) return undefined;
  const f = bucketFactor(ctx.step, p);
  const per = p / f;
  const raw = Float64Array.from({ length: cycles * p }, (_, i) => values[end - cycles * p + i] ?? 0);
  const x = aggregate(clipOutliers(raw), f);
  const bucketSeconds = f * ctx.step;
  let setting = LOW_PASS[0] ?? { minItems: 3, relThreshold: 0.05 };
  if (cycles >= 3) {
    // Crane's bestEstimator: fit on n-1 periods, score on the last one.
    const hist = x.subarray(0, (cycles - 1) * per);
    const actual = x.subarray((cycles - 1) * per);
    let bestErr = Number.POSITIVE_INFINITY;
    for (const s of LOW_PASS) {
      const est = lowPassLastPeriod(hist, per, bucketSeconds, s);
      const e = predictionError(actual, est);
      if (e < bestErr) {
        bestErr = e;
        setting = s;
      }
    }
  }
  const last = lowPassLastPeriod(x, per, bucketSeconds, setting);
  // Upsample bucket means (centred) to the raw step by linear interpolation, periodically.
  const pattern = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    const pos = (i + 0.5) / f - 0.5;
    const i0 = Math.floor(pos);
    const w = pos - i0;
    const a = last[((i0 % per) + per) % per] ?? 0;
    const b = last[(i0 + 1) % per] ?? 0;
    pattern[i] = a + (b - a) * w;
  }
  return { setting, pattern };
}

export const dsp: Fitter = (values, end, ctx): Fitted => {
  const fit = fitDsp(values, end, ctx);
  const p = ctx.period;
  if (fit === undefined || p === undefined) {
    const w = Math.max(1, Math.round(3600 / ctx.step));
    return {
      label: "dsp:flat",
      forecastAt(v, origin, h) {
        if (origin < 1) return lastValue(v, origin, h);
        return clampOut(new Float64Array(h).fill(mean(v, Math.max(0, origin - w), origin)), ctx);
      },
    };
  }
  return {
    label: "dsp",
    forecastAt(_v, origin, h) {
      const out = new Float64Array(h);
      for (let k = 0; k < h; k++) out[k] = fit.pattern[(((origin + k - end) % p) + p) % p] ?? 0;
      return clampOut(out, ctx);
    },
  };
};
