/**
 * The forecasting entry point: samples in, a forecast with prediction intervals out, as data.
 * Validates and regularises the input, detects the season, fits the chosen model (the ensemble by
 * default) and reports which model produced the numbers and why.
 */
import { fitEnsemble, intervals, MEMBERS, type Residuals } from "./ensemble.js";
import type { FitContext, Fitter, ModelName } from "./model.js";
import { detectPeriod, type PeriodResult } from "./period.js";
import {
  prepareSeries,
  type InvalidInput,
  type PrepareOptions,
  type RegularSeries,
  type Sample,
} from "./series.js";
import { nonNegative } from "./stats.js";
import { bucketOf, backtestPlan } from "./ensemble.js";
import { quantileModel } from "./quantile.js";

/** The fewest values any model is fitted on. */
export const MIN_POINTS = 10;

export interface ForecastOptions {
  readonly horizonSeconds: number;
  /** Default "ensemble". */
  readonly model?: ModelName;
  /** Central coverage of the interval, default 0.8. */
  readonly level?: number;
  /** Skip detection: a known season in seconds, or "none". */
  readonly periodSeconds?: number | "none";
}

export interface ForecastPoint {
  /** Unix seconds. */
  readonly t: number;
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
}

export interface ForecastOk {
  readonly kind: "ok";
  readonly model: ModelName;
  /** What actually ran, with any fallback, e.g. "ensemble" or "dsp:flat". */
  readonly label: string;
  /** For the ensemble: the member with the largest weight. */
  readonly chosen: string;
  readonly weights: readonly Readonly<Record<string, number>>[];
  readonly period: PeriodResult;
  readonly stepSeconds: number;
  readonly level: number;
  readonly points: readonly ForecastPoint[];
}

export interface InsufficientData {
  readonly kind: "insufficientData";
  readonly needed: number;
  readonly have: number;
  readonly message: string;
}

export type ForecastResult = ForecastOk | InsufficientData | InvalidInput;

export const SINGLE_MODELS: Readonly<Record<Exclude<ModelName, "ensemble">, Fitter>> = {
  seasonal_naive: MEMBERS[0]?.fit ?? quantileModel(0.5),
  holt_winters: MEMBERS[1]?.fit ?? quantileModel(0.5),
  dsp: MEMBERS[2]?.fit ?? quantileModel(0.5),
  quantile: quantileModel(0.9),
};

function periodFor(
  values: ArrayLike<number>,
  step: number,
  given: ForecastOptions["periodSeconds"],
): PeriodResult {
  if (given === "none") return { kind: "none", reason: "disabled", windowDays: 0 };
  if (given !== undefined) return { kind: "period", seconds: given, acf: 1, windowDays: 0 };
  return detectPeriod(values, step);
}

/** Backtest residuals of one model (for its intervals), from the same plan the ensemble uses. */
function singleResiduals(fit: Fitter, values: ArrayLike<number>, ctx: FitContext, h: number): Residuals {
  const nb = bucketOf(Math.max(0, h - 1)) + 1;
  const res: number[][] = Array.from({ length: nb }, () => []);
  const plan = backtestPlan(values.length, h, ctx);
  if (plan !== undefined) {
    const f = fit(values, plan.cut, ctx);
    for (const o of plan.origins) {
      const fc = f.forecastAt(values, o, h);
      for (let k = 0; k < h; k++) res[bucketOf(k)]?.push((values[o + k] ?? 0) - (fc[k] ?? 0));
    }
  }
  return { byBucket: res.map((r) => Float64Array.from(r).sort()) };
}

/** Forecast `h` steps after the end of a regular series. */
export function forecastValues(
  values: ArrayLike<number>,
  step: number,
  h: number,
  opts: Omit<ForecastOptions, "horizonSeconds"> = {},
): {
  mean: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  label: string;
  chosen: string;
  weights: readonly Readonly<Record<string, number>>[];
  period: PeriodResult;
} {
  const period = periodFor(values, step, opts.periodSeconds);
  const ctx: FitContext = {
    step,
    period: period.kind === "period" ? Math.round(period.seconds / step) : undefined,
    nonNegative: nonNegative(values),
  };
  const level = opts.level ?? 0.8;
  const model = opts.model ?? "ensemble";
  const end = values.length;
  if (model === "ensemble") {
    const e = fitEnsemble(values, end, ctx, h);
    const mean = e.forecastAt(values, end, h);
    return {
      mean,
      ...intervals(mean, e.residuals, level, ctx.nonNegative),
      label: e.label,
      chosen: e.chosen,
      weights: e.weights,
      period,
    };
  }
  const fit = SINGLE_MODELS[model];
  const f = fit(values, end, ctx);
  const mean = f.forecastAt(values, end, h);
  const res = singleResiduals(fit, values, ctx, h);
  return {
    mean,
    ...intervals(mean, res, level, ctx.nonNegative),
    label: f.label,
    chosen: model,
    weights: [],
    period,
  };
}

export function forecastSeries(series: RegularSeries, opts: ForecastOptions): ForecastOk | InsufficientData {
  const n = series.values.length;
  if (n < MIN_POINTS) {
    return {
      kind: "insufficientData",
      needed: MIN_POINTS,
      have: n,
      message: `need at least ${MIN_POINTS} points, have ${n}`,
    };
  }
  const h = Math.max(1, Math.ceil(opts.horizonSeconds / series.step));
  const r = forecastValues(series.values, series.step, h, opts);
  const end = series.start + (n - 1) * series.step;
  const points: ForecastPoint[] = [];
  for (let k = 0; k < h; k++) {
    points.push({
      t: end + (k + 1) * series.step,
      mean: r.mean[k] ?? 0,
      lower: r.lower[k] ?? 0,
      upper: r.upper[k] ?? 0,
    });
  }
  return {
    kind: "ok",
    model: opts.model ?? "ensemble",
    label: r.label,
    chosen: r.chosen,
    weights: r.weights,
    period: r.period,
    stepSeconds: series.step,
    level: opts.level ?? 0.8,
    points,
  };
}

/** Samples (any order of checks: finite, sorted, unique) to a forecast. */
export function forecast(samples: readonly Sample[], opts: ForecastOptions & PrepareOptions): ForecastResult {
  const p = prepareSeries(samples, opts);
  if (p.kind !== "ok") return p;
  return forecastSeries(p.series, opts);
}

/** The largest upper bound in the forecast: what a scaler provisions for. */
export function peakUpper(points: readonly ForecastPoint[]): number {
  return points.reduce((m, p) => Math.max(m, p.upper), Number.NEGATIVE_INFINITY);
}
