/**
 * The shape every forecasting model shares: fit on a prefix of a regular series, then forecast from
 * any later origin using only the values before it (so backtests never see the future).
 */

export const MODEL_NAMES = ["seasonal_naive", "holt_winters", "dsp", "quantile", "ensemble"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface FitContext {
  /** Seconds between values. */
  readonly step: number;
  /** Season length in steps (a day or a week), or undefined when none was detected. */
  readonly period: number | undefined;
  /** Clamp forecasts at 0 (rates, counts). */
  readonly nonNegative: boolean;
}

export interface Fitted {
  /** Which model (and fallback) produced the forecast, e.g. "dsp" or "dsp:flat". */
  readonly label: string;
  /** Forecast `h` values after `origin`, reading only `values[0..origin)`; origin >= the fit's end. */
  forecastAt(values: ArrayLike<number>, origin: number, h: number): Float64Array;
}

/** Fits on `values[0..end)`. */
export type Fitter = (values: ArrayLike<number>, end: number, ctx: FitContext) => Fitted;

export function clampOut(out: Float64Array, ctx: FitContext): Float64Array {
  if (ctx.nonNegative) for (let i = 0; i < out.length; i++) if ((out[i] ?? 0) < 0) out[i] = 0;
  return out;
}

/** The last value, repeated: the safe fallback for very short history. */
export function lastValue(values: ArrayLike<number>, origin: number, h: number): Float64Array {
  return new Float64Array(h).fill(values[origin - 1] ?? 0);
}
