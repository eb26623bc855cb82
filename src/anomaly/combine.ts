/**
 * The combiner: runs the seasonal, change-point and rate detectors on each point, takes the weighted maximum
 * of their scores, and turns it into an anomaly likelihood (how unusual the recent raw score is against its own
 * long-run distribution, as a log tail probability). After a peak, lower scores are damped so one event gives
 * one alarm. O(1) per point; the whole state is plain JSON.
 */
import { type ChangePointState, changePointInit, changePointStep } from "./changepoint.js";
import { type RateState, rateInit, rateStep } from "./rate.js";
import { log10Tail } from "./robust.js";
import { type SeasonalState, seasonalInit, seasonalStep } from "./seasonal.js";
import type { AnomalyConfig, Point } from "./types.js";

export interface DetectorScores {
  readonly seasonal: number;
  readonly changePoint: number;
  readonly rate: number;
  /** Weighted maximum of the three. */
  readonly raw: number;
  /** The combined anomaly score in [0,1]. */
  readonly score: number;
}

export interface CombinedState {
  n: number;
  seasonal: SeasonalState;
  changePoint: ChangePointState;
  rate: RateState;
  short: number;
  mean: number;
  variance: number;
  peak: number;
}

export function combinedInit(cfg: AnomalyConfig): CombinedState {
  return {
    n: 0,
    seasonal: seasonalInit(cfg.seasonal),
    changePoint: changePointInit(),
    rate: rateInit(),
    short: 0,
    mean: 0,
    variance: 0,
    peak: 0,
  };
}

/** Feeds one point; returns every detector's score and the combined score. Mutates `s`. */
export function combinedStep(s: CombinedState, cfg: AnomalyConfig, p: Point): DetectorScores {
  const seasonal = seasonalStep(s.seasonal, cfg.seasonal, p);
  const changePoint = changePointStep(s.changePoint, cfg.changePoint, p);
  const rate = rateStep(s.rate, cfg.rate, p);
  const w = cfg.combiner.weights;
  const raw = Math.max(w.seasonal * seasonal, w.changePoint * changePoint, w.rate * rate);
  const c = cfg.combiner;
  s.n++;
  s.short += c.shortRate * (raw - s.short);
  let score = 0;
  if (s.n > c.warmup) {
    const std = Math.max(Math.sqrt(s.variance), c.minStd);
    const z = (s.short - s.mean) / std;
    // One-sided tail: only scores above the usual level are anomalous.
    score = z > 0 ? Math.min(1, -(log10Tail(z) - Math.LOG10E * Math.LN2) / c.decades) : 0;
  }
  const a = s.n > c.warmup ? c.longRate : 1 / s.n;
  const d = s.short - s.mean;
  s.mean += a * d;
  s.variance = (1 - a) * (s.variance + a * d * d);
  const prevPeak = s.peak * c.suppressDecay;
  s.peak = Math.max(prevPeak, score);
  if (score <= prevPeak) score *= c.suppressFactor;
  return { seasonal, changePoint, rate, raw, score };
}
