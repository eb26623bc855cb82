/**
 * @module
 * Forecasting for metric series (pure): input hygiene, period detection (Crane-like), seasonal naive,
 * Holt-Winters, an FFT periodic model, a robust quantile model and a backtest-weighted ensemble with
 * prediction intervals; plus the rolling-origin backtest and accuracy metrics used by `vigil bench forecast`.
 */
export { parseSeriesCsv, parseTimestamp, type CsvResult } from "./csv.js";
export {
  prepareSeries,
  validateSamples,
  counterToRate,
  type Sample,
  type RegularSeries,
  type InvalidInput,
  type InvalidReason,
  type PrepareOptions,
  type Prepared,
} from "./series.js";
export { detectPeriod, DAY, WEEK, type PeriodResult } from "./period.js";
export { MODEL_NAMES, type ModelName, type FitContext, type Fitted, type Fitter } from "./model.js";
export { seasonalNaive, naive } from "./seasonal-naive.js";
export { holtWinters, fitHoltWinters } from "./holt-winters.js";
export { dsp, fitDsp, predictionError } from "./dsp.js";
export { quantileModel } from "./quantile.js";
export { fitEnsemble, intervals, MEMBERS, type EnsembleFitted, type Residuals } from "./ensemble.js";
export {
  forecast,
  forecastSeries,
  forecastValues,
  peakUpper,
  MIN_POINTS,
  type ForecastOptions,
  type ForecastPoint,
  type ForecastOk,
  type ForecastResult,
  type InsufficientData,
} from "./forecast.js";
export {
  backtestSeries,
  averageScores,
  DEFAULT_BACKTEST,
  type BacktestOptions,
  type BacktestResult,
  type SeriesBacktest,
  type ModelResult,
  type Stopwatch,
} from "./backtest.js";
export { type Score } from "./metrics.js";
export { seededRng, nonNegative, quantile, median, type Rng } from "./stats.js";
