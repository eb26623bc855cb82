/**
 * The ensemble: every member is backtested from rolling origins over the recent past; per horizon
 * bucket (1, 2-3, 4-7, ... steps ahead) the best members are weighted by inverse mean squared error.
 * Prediction intervals come from the empirical quantiles of the ensemble's own backtest residuals.
 */
import { holtWinters } from "./holt-winters.js";
import { dsp } from "./dsp.js";
import type { FitContext, Fitted, Fitter } from "./model.js";
import { quantileModel } from "./quantile.js";
import { naive, seasonalNaive } from "./seasonal-naive.js";
import { quantileSorted } from "./stats.js";

export interface Member {
  readonly name: string;
  readonly fit: Fitter;
  /** Refit at the final origin (cheap models); otherwise the backtest fit is carried forward. */
  readonly refit: boolean;
}

export const MEMBERS: readonly Member[] = [
  { name: "seasonal_naive", fit: seasonalNaive, refit: true },
  { name: "holt_winters", fit: holtWinters, refit: false },
  { name: "dsp", fit: dsp, refit: true },
  { name: "seasonal_median", fit: quantileModel(0.5), refit: true },
  { name: "naive", fit: naive, refit: true },
];

const TOP = 3;
const ORIGINS = 24;

/** Horizon bucket of step k (0-based): 0 | 1-2 | 3-6 | 7-14 | ... */
export function bucketOf(k: number): number {
  return Math.floor(Math.log2(k + 1));
}

export interface Residuals {
  /** Per bucket, sorted residuals (actual - forecast). */
  readonly byBucket: readonly Float64Array[];
}

export interface EnsembleFitted extends Fitted {
  /** Per bucket, member name -> weight. */
  readonly weights: readonly Readonly<Record<string, number>>[];
  readonly residuals: Residuals;
  /** The member with the largest total weight. */
  readonly chosen: string;
}

/** Where the backtest starts and which origins it uses, for a series of `end` values and horizon h. */
export function backtestPlan(
  end: number,
  h: number,
  ctx: FitContext,
): { cut: number; origins: number[] } | undefined {
  const day = Math.round(86_400 / ctx.step);
  const span = Math.min(Math.max(4 * h, ctx.period ?? day, day), Math.floor(end / 3));
  if (span < h + 4) return undefined;
  const cut = end - span;
  const last = end - h;
  const n = Math.min(ORIGINS, last - cut + 1);
  const origins: number[] = [];
  for (let i = 0; i < n; i++) origins.push(cut + Math.round(((last - cut) * i) / Math.max(1, n - 1)));
  return { cut, origins: [...new Set(origins)] };
}

function sortedResiduals(perBucket: number[][]): Residuals {
  return { byBucket: perBucket.map((r) => Float64Array.from(r).sort()) };
}

export function fitEnsemble(
  values: ArrayLike<number>,
  end: number,
  ctx: FitContext,
  h: number,
): EnsembleFitted {
  const plan = backtestPlan(end, h, ctx);
  const nb = bucketOf(Math.max(0, h - 1)) + 1;
  if (plan === undefined) {
    // Short history: damped Holt(-Winters) alone, residuals from its one-step errors widened by sqrt(k).
    const hw = holtWinters(values, end, ctx);
    const one: number[] = [];
    for (let t = Math.max(1, end - 60); t < end; t++) one.push((values[t] ?? 0) - (values[t - 1] ?? 0));
    const byBucket = Array.from({ length: nb }, (_, b) => one.map((r) => r * Math.sqrt(2 ** b)));
    return {
      label: "ensemble:short",
      forecastAt: (v, o, hh) => hw.forecastAt(v, o, hh),
      weights: Array.from({ length: nb }, () => ({ holt_winters: 1 })),
      residuals: sortedResiduals(byBucket),
      chosen: "holt_winters",
    };
  }
  const { cut, origins } = plan;
  const fitted = MEMBERS.map((m) => m.fit(values, cut, ctx));
  const fc: Float64Array[][] = fitted.map((f) => origins.map((o) => f.forecastAt(values, o, h)));
  const sse = MEMBERS.map(() => new Float64Array(nb));
  const cnt = new Float64Array(nb);
  origins.forEach((o, oi) => {
    for (let k = 0; k < h; k++) {
      const b = bucketOf(k);
      const a = values[o + k] ?? 0;
      cnt[b] = (cnt[b] ?? 0) + 1;
      fc.forEach((perOrigin, mi) => {
        const e = a - (perOrigin[oi]?.[k] ?? 0);
        const s = sse[mi];
        if (s !== undefined) s[b] = (s[b] ?? 0) + e * e;
      });
    }
  });
  const weights: Record<string, number>[] = [];
  for (let b = 0; b < nb; b++) {
    const ranked = MEMBERS.map((m, mi) => ({
      name: m.name,
      mi,
      mse: (sse[mi]?.[b] ?? 0) / Math.max(1, cnt[b] ?? 1),
    })).sort((x, y) => x.mse - y.mse);
    const top = ranked.slice(0, TOP);
    const inv = top.map((r) => 1 / Math.max(r.mse, 1e-12));
    const total = inv.reduce((s, x) => s + x, 0);
    const w: Record<string, number> = {};
    top.forEach((r, i) => {
      w[r.name] = (inv[i] ?? 0) / total;
    });
    weights.push(w);
  }
  const combine = (
    members: readonly Fitted[],
    v: ArrayLike<number>,
    origin: number,
    hh: number,
  ): Float64Array => {
    const out = new Float64Array(hh);
    const cache = new Map<number, Float64Array>();
    for (let k = 0; k < hh; k++) {
      const w = weights[Math.min(bucketOf(k), nb - 1)] ?? {};
      let s = 0;
      MEMBERS.forEach((m, mi) => {
        const wi = w[m.name];
        if (wi === undefined) return;
        let f = cache.get(mi);
        if (f === undefined) {
          f = members[mi]?.forecastAt(v, origin, hh) ?? new Float64Array(hh);
          cache.set(mi, f);
        }
        s += wi * (f[k] ?? 0);
      });
      out[k] = s;
    }
    return out;
  };
  // Ensemble residuals from the same backtest (the weights were chosen on it: intervals lean narrow).
  const res: number[][] = Array.from({ length: nb }, () => []);
  origins.forEach((o, oi) => {
    for (let k = 0; k < h; k++) {
      const w = weights[bucketOf(k)] ?? {};
      let s = 0;
      MEMBERS.forEach((m, mi) => {
        const wi = w[m.name];
        if (wi !== undefined) s += wi * (fc[mi]?.[oi]?.[k] ?? 0);
      });
      res[bucketOf(k)]?.push((values[o + k] ?? 0) - (ctx.nonNegative ? Math.max(0, s) : s));
    }
  });
  const final = MEMBERS.map((m, mi) =>
    m.refit ? m.fit(values, end, ctx) : (fitted[mi] ?? m.fit(values, end, ctx)),
  );
  const total: Record<string, number> = {};
  for (const w of weights) for (const [k, v] of Object.entries(w)) total[k] = (total[k] ?? 0) + v;
  const chosen = Object.entries(total).sort((a, b) => b[1] - a[1])[0]?.[0] ?? "holt_winters";
  return {
    label: "ensemble",
    forecastAt: (v, origin, hh) => {
      const out = combine(final, v, origin, hh);
      if (ctx.nonNegative) for (let i = 0; i < out.length; i++) out[i] = Math.max(0, out[i] ?? 0);
      return out;
    },
    weights,
    residuals: sortedResiduals(res),
    chosen,
  };
}

/** Lower and upper bounds at central coverage `level` for a point forecast, from bucketed residuals. */
export function intervals(
  mean: Float64Array,
  res: Residuals,
  level: number,
  nonNegative: boolean,
): { lower: Float64Array; upper: Float64Array } {
  const lower = new Float64Array(mean.length);
  const upper = new Float64Array(mean.length);
  const nb = res.byBucket.length;
  for (let k = 0; k < mean.length; k++) {
    const r = res.byBucket[Math.min(bucketOf(k), nb - 1)] ?? new Float64Array(0);
    const m = mean[k] ?? 0;
    const lo = r.length === 0 ? 0 : quantileSorted(r, (1 - level) / 2);
    const hi = r.length === 0 ? 0 : quantileSorted(r, (1 + level) / 2);
    lower[k] = Math.min(m, nonNegative ? Math.max(0, m + lo) : m + lo);
    upper[k] = Math.max(m, m + hi);
  }
  return { lower, upper };
}
