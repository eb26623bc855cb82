/**
 * Rolling-origin backtest: from evenly spaced origins near the end of a series, every model forecasts
 * from the history before the origin only, and is scored at fixed lead times (5, 15, 60 min).
 * Timing comes through a stopwatch port, so the harness itself stays pure.
 */
import { forecastValues } from "./forecast.js";
import { addPoint, newAcc, summarise, type Score, type ScoreAcc } from "./metrics.js";
import { MODEL_NAMES, type ModelName } from "./model.js";
import type { RegularSeries } from "./series.js";
import { naiveMae } from "./stats.js";

/** Milliseconds from some fixed point; the edge passes `performance.now`. */
export type Stopwatch = () => number;

export interface BacktestOptions {
  readonly horizonsSeconds: readonly number[];
  /** Number of forecast origins, spread over the last `evalSeconds`. */
  readonly origins: number;
  readonly evalSeconds: number;
  /** History handed to a model at each origin (Crane uses 15 days). */
  readonly maxHistorySeconds: number;
  readonly models: readonly ModelName[];
}

export const DEFAULT_BACKTEST: BacktestOptions = {
  horizonsSeconds: [300, 900, 3600],
  origins: 12,
  evalSeconds: 2 * 86_400,
  maxHistorySeconds: 15 * 86_400,
  models: MODEL_NAMES,
};

export interface ModelResult extends Score {
  readonly fit_ms: number;
}

export interface SeriesBacktest {
  readonly name: string;
  readonly step: number;
  readonly points: number;
  readonly origins: number;
  /** Horizon (seconds, as a string) -> model -> score. */
  readonly byHorizon: Readonly<Record<string, Readonly<Record<string, ModelResult>>>>;
  /** Model -> score over all horizons. */
  readonly overall: Readonly<Record<string, ModelResult>>;
  /** Models the ensemble weighted most, counted over origins. */
  readonly chosen: Readonly<Record<string, number>>;
}

export type BacktestResult =
  SeriesBacktest | { readonly kind: "skipped"; readonly name: string; readonly reason: string };

export function backtestSeries(
  name: string,
  series: RegularSeries,
  opts: BacktestOptions,
  clock: Stopwatch,
): BacktestResult {
  const values = series.values;
  const step = series.step;
  const leads = opts.horizonsSeconds.map((s) => Math.max(1, Math.round(s / step)));
  const h = Math.max(...leads);
  const n = values.length;
  const first = Math.max(n - Math.round(opts.evalSeconds / step), Math.ceil(n / 2));
  const last = n - h;
  if (last <= first)
    return { kind: "skipped", name, reason: `too short for a ${h}-step backtest (${n} points)` };
  const no = Math.max(1, Math.min(opts.origins, last - first));
  const maxHist = Math.round(opts.maxHistorySeconds / step);
  const acc = new Map<string, ScoreAcc>();
  const ms = new Map<string, number>();
  const chosen: Record<string, number> = {};
  const get = (k: string): ScoreAcc => {
    let a = acc.get(k);
    if (a === undefined) {
      a = newAcc();
      acc.set(k, a);
    }
    return a;
  };
  for (let i = 0; i < no; i++) {
    const o = first + Math.round(((last - first) * i) / Math.max(1, no - 1));
    const hist = values.slice(Math.max(0, o - maxHist), o);
    const scale = naiveMae(hist);
    for (const model of opts.models) {
      const t0 = clock();
      const f = forecastValues(hist, step, h, { model });
      ms.set(model, (ms.get(model) ?? 0) + clock() - t0);
      if (model === "ensemble") chosen[f.chosen] = (chosen[f.chosen] ?? 0) + 1;
      opts.horizonsSeconds.forEach((hs, hi) => {
        const lead = leads[hi] ?? 1;
        const a = values[o + lead - 1] ?? 0;
        const p = f.mean[lead - 1] ?? 0;
        addPoint(get(`${hs}|${model}`), a, p, scale);
        addPoint(get(`all|${model}`), a, p, scale);
      });
    }
  }
  const byHorizon: Record<string, Record<string, ModelResult>> = {};
  const overall: Record<string, ModelResult> = {};
  for (const model of opts.models) {
    const fitMs = (ms.get(model) ?? 0) / no;
    for (const hs of opts.horizonsSeconds) {
      (byHorizon[String(hs)] ??= {})[model] = { ...summarise(get(`${hs}|${model}`)), fit_ms: fitMs };
    }
    overall[model] = { ...summarise(get(`all|${model}`)), fit_ms: fitMs };
  }
  return { name, step, points: n, origins: no, byHorizon, overall, chosen };
}

/** Macro average (mean over series) of each model's scores. */
export function averageScores(
  rows: readonly Readonly<Record<string, ModelResult>>[],
): Record<string, ModelResult> {
  const out: Record<string, ModelResult> = {};
  const models = new Set(rows.flatMap((r) => Object.keys(r)));
  for (const m of models) {
    const xs = rows.map((r) => r[m]).filter((x): x is ModelResult => x !== undefined);
    const avg = (f: (x: ModelResult) => number) => xs.reduce((s, x) => s + f(x), 0) / Math.max(1, xs.length);
    out[m] = {
      mape: avg((x) => x.mape),
      smape: avg((x) => x.smape),
      mase: avg((x) => x.mase),
      under_rate: avg((x) => x.under_rate),
      fit_ms: avg((x) => x.fit_ms),
      n: xs.reduce((s, x) => s + x.n, 0),
    };
  }
  return out;
}
