/**
 * The combiner: runs the seasonal, change-point and rate detectors on each point and turns each detector's
 * score into an anomaly likelihood: how unusual its recent (smoothed) score is against that score's own long-run
 * distribution, as a log tail probability. The combined score is the weighted maximum of the likelihoods, plus
 * a bonus when the value leaves the range seen so far. After a peak, lower scores are damped so one event gives
 * one alarm; right after a peak a score must also beat a fast-decaying extra margin, so a rising ramp does not
 * alarm at every step. O(1) per point; the whole state is plain JSON.
 */
import { type ChangePointState, changePointInit, changePointStep } from "./changepoint.js";
import { type NoveltyState, noveltyInit, noveltyStep } from "./novelty.js";
import { type RateState, rateInit, rateStep } from "./rate.js";
import { log10Tail } from "./robust.js";
import { type SeasonalState, seasonalInit, seasonalStep } from "./seasonal.js";
import type { AnomalyConfig, CombinerConfig, Point } from "./types.js";

export interface DetectorScores {
  readonly seasonal: number;
  readonly changePoint: number;
  readonly rate: number;
  /** Above 0 when the value left the range seen so far by more than the tolerance; grows with the excess. */
  readonly range: number;
  /** Pattern novelty (`novelty.ts`), used directly. */
  readonly novelty: number;
  /** The combined anomaly score in [0,1). */
  readonly score: number;
}

/** Running distribution of one detector's smoothed score. */
export interface Likelihood {
  short: number;
  mean: number;
  variance: number;
}

export interface CombinedState {
  n: number;
  seasonal: SeasonalState;
  changePoint: ChangePointState;
  rate: RateState;
  novelty: NoveltyState;
  lSeasonal: Likelihood;
  lChangePoint: Likelihood;
  lRate: Likelihood;
  min: number;
  max: number;
  peak: number;
  /** Extra margin above the decayed peak, set at a peak and decaying fast (`suppressBoost`). */
  boost: number;
}

const likelihood = (): Likelihood => ({ short: 0, mean: 0, variance: 0 });

export function combinedInit(cfg: AnomalyConfig): CombinedState {
  return {
    n: 0,
    seasonal: seasonalInit(cfg.seasonal),
    changePoint: changePointInit(),
    rate: rateInit(),
    novelty: noveltyInit(),
    lSeasonal: likelihood(),
    lChangePoint: likelihood(),
    lRate: likelihood(),
    min: 0,
    max: 0,
    peak: 0,
    boost: 0,
  };
}

/** Scores the smoothed `raw` against its running distribution, then learns from it. */
function likelihoodStep(l: Likelihood, c: CombinerConfig, n: number, raw: number): number {
  l.short += c.shortRate * (raw - l.short);
  let score = 0;
  if (n > c.warmup) {
    const std = Math.max(Math.sqrt(l.variance), c.minStd);
    const z = (l.short - l.mean) / std;
    if (z > 0) {
      const decades = Math.max(0, -(log10Tail(z) - Math.LOG10E * Math.LN2)); // one-sided tail
      score = decades / (decades + c.decades);
    }
  }
  const a = n > c.warmup ? c.longRate : 1 / n;
  const d = l.short - l.mean;
  l.mean += a * d;
  l.variance = (1 - a) * (l.variance + a * d * d);
  return score;
}

/** Larger magnitudes are skipped: their differences and squares would overflow the state to Infinity. */
export const MAX_VALUE = 1e100;

const SKIPPED: DetectorScores = { seasonal: 0, changePoint: 0, rate: 0, range: 0, novelty: 0, score: 0 };

/** Feeds one point (a non-finite one, or one beyond ±MAX_VALUE, is skipped and scores 0); returns every detector's score and the combined score. Mutates `s`. */
export function combinedStep(s: CombinedState, cfg: AnomalyConfig, p: Point): DetectorScores {
  const c = cfg.combiner;
  const w = c.weights;
  if (!(Math.abs(p.v) <= MAX_VALUE) || !Number.isFinite(p.t)) return SKIPPED;
  s.n++;
  if (s.n === 1) {
    s.min = p.v;
    s.max = p.v;
  }
  const seasonal = seasonalStep(s.seasonal, cfg.seasonal, p);
  const changePoint = changePointStep(s.changePoint, cfg.changePoint, p);
  const rate = rateStep(s.rate, cfg.rate, p);
  const novel = noveltyStep(s.novelty, cfg.novelty, p);
  const novelty = s.n > c.warmup ? novel : 0;
  const span = s.max - s.min;
  const excess = span > 0 ? Math.max(p.v - s.max, s.min - p.v) / span : 0;
  const range = s.n > c.warmup && excess > c.rangeTolerance ? excess / (excess + c.rangeGrade) : 0;
  s.min = Math.min(s.min, p.v);
  s.max = Math.max(s.max, p.v);
  let score = Math.max(
    w.seasonal * likelihoodStep(s.lSeasonal, c, s.n, seasonal),
    w.changePoint * likelihoodStep(s.lChangePoint, c, s.n, changePoint),
    w.rate * likelihoodStep(s.lRate, c, s.n, rate),
    w.range * range,
    w.novelty * novelty,
  );
  const prevPeak = s.peak * c.suppressDecay;
  s.boost *= c.suppressBoostDecay;
  if (score <= prevPeak + s.boost) {
    s.peak = prevPeak;
    score *= c.suppressFactor;
  } else {
    s.peak = Math.min(1, score * (1 + c.suppressMargin));
    s.boost = score * c.suppressBoost;
  }
  return { seasonal, changePoint, rate, range, novelty, score };
}
