/**
 * Additive Holt-Winters with a damped trend, smoothing parameters fitted by a grid search on the
 * one-step squared error. Without a season (or with less than two seasons) it is damped Holt.
 */
import { mean } from "./stats.js";
import { clampOut, lastValue, type Fitted, type Fitter } from "./model.js";

export interface HwParams {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly phi: number;
}

interface HwState {
  level: number;
  trend: number;
  readonly season: Float64Array;
  /** Next index to consume. */
  t: number;
}

const ALPHAS = [0.02, 0.05, 0.1, 0.2, 0.4, 0.7];
const BETAS = [0, 0.02];
const GAMMAS = [0.02, 0.05, 0.1, 0.2, 0.4];
const PHI = 0.98;

function init(values: ArrayLike<number>, p: number): HwState {
  const season = new Float64Array(p);
  if (p <= 1) return { level: values[0] ?? 0, trend: 0, season, t: 1 };
  const level = mean(values, 0, p);
  for (let i = 0; i < p; i++) season[i] = (values[i] ?? 0) - level;
  return { level, trend: 0, season, t: p };
}

/** Consumes values[st.t..to); returns the sum of squared one-step errors over indices >= scoreFrom. */
function run(values: ArrayLike<number>, to: number, st: HwState, prm: HwParams, scoreFrom: number): number {
  const p = st.season.length;
  const { alpha, beta, gamma, phi } = prm;
  let { level, trend } = st;
  const season = st.season;
  let sse = 0;
  for (let t = st.t; t < to; t++) {
    const y = values[t] ?? 0;
    const j = t % p;
    const s = season[j] ?? 0;
    const pred = level + phi * trend + s;
    const e = y - pred;
    if (t >= scoreFrom) sse += e * e;
    const nl = alpha * (y - s) + (1 - alpha) * (level + phi * trend);
    trend = beta * (nl - level) + (1 - beta) * phi * trend;
    level = nl;
    if (p > 1) season[j] = gamma * (y - nl) + (1 - gamma) * s;
  }
  st.level = level;
  st.trend = trend;
  st.t = Math.max(st.t, to);
  return sse;
}

/** Grid-searches alpha, beta, gamma on values[0..end). */
export function fitHoltWinters(values: ArrayLike<number>, end: number, p: number): HwParams {
  const scoreFrom = Math.max(p, Math.floor(end / 2));
  const sse = (prm: HwParams) => run(values, end, init(values, p), prm, scoreFrom);
  // Coordinate search: alpha (with beta 0, gamma 0.1), then gamma, then beta. 13 passes instead of 60.
  let best: HwParams = { alpha: 0.2, beta: 0, gamma: p > 1 ? 0.1 : 0, phi: PHI };
  let bestSse = Number.POSITIVE_INFINITY;
  const tryAll = (cands: readonly HwParams[]) => {
    for (const c of cands) {
      const e = sse(c);
      if (e < bestSse) {
        bestSse = e;
        best = c;
      }
    }
  };
  tryAll(ALPHAS.map((alpha) => ({ ...best, alpha })));
  if (p > 1) tryAll(GAMMAS.map((gamma) => ({ ...best, gamma })));
  tryAll(BETAS.map((beta) => ({ ...best, beta })));
  return best;
}

export const holtWinters: Fitter = (values, end, ctx): Fitted => {
  const p = ctx.period !== undefined && end >= 2 * ctx.period ? ctx.period : 1;
  const seasonal = p > 1;
  if (end < 3) return { label: "holt_winters:last", forecastAt: lastValue };
  const prm = fitHoltWinters(values, end, p);
  let st = init(values, p);
  return {
    label: seasonal ? "holt_winters" : "holt_winters:nonseasonal",
    forecastAt(v, origin, h) {
      if (origin < st.t) st = init(v, p);
      run(v, origin, st, prm, Number.POSITIVE_INFINITY);
      const out = new Float64Array(h);
      let damp = 0;
      let f = 1;
      for (let k = 0; k < h; k++) {
        f *= prm.phi;
        damp += f;
        out[k] = st.level + damp * st.trend + (p > 1 ? (st.season[(origin + k) % p] ?? 0) : 0);
      }
      return clampOut(out, ctx);
    },
  };
};
