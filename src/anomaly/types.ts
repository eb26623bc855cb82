/**
 * Shared data of the anomaly detectors: the input point and the configuration, one zod schema with defaults.
 */
import { z } from "zod";

/** One sample: time in seconds since the epoch and a finite value. */
export interface Point {
  readonly t: number;
  readonly v: number;
}

const rate = z.number().gt(0).max(1);

export const SeasonalConfig = z.object({
  periodSeconds: z.number().int().min(60).max(31_536_000).default(86_400).describe("length of the season"),
  slots: z.number().int().min(1).max(1_008).default(24).describe("robust estimates per season"),
  slotRate: rate.default(0.1).describe("weight of a new point in its slot's estimate"),
  levelRate: rate.default(0.01).describe("weight of a new point in the slow level"),
  localRate: rate.default(0.05).describe("weight of a new point in the fast local level"),
  errorRate: rate.default(0.01).describe("weight of a new error in the model comparison"),
  minSlotObservations: z.number().int().min(1).max(1_000).default(3),
  preferSeasonal: z
    .number()
    .min(0)
    .max(10)
    .default(0.9)
    .describe("use the season when its error is below this share of the local error"),
  scaleFloor: z.number().min(0).max(1).default(1e-3).describe("relative floor on the scale, for flat series"),
  decades: z.number().min(1).max(100).default(10).describe("tail probability 10^-decades maps to score 1"),
});
export type SeasonalConfig = z.output<typeof SeasonalConfig>;

export const RateConfig = z.object({
  rate: rate.default(0.01),
  scaleFloor: z.number().min(0).max(1).default(1e-3),
  decades: z.number().min(1).max(100).default(10),
});
export type RateConfig = z.output<typeof RateConfig>;

export const ChangePointConfig = z.object({
  baseRate: rate.default(0.005),
  fastRate: rate.default(0.1),
  drift: z.number().min(0).max(10).default(0.5).describe("CUSUM allowance k, in sigmas"),
  threshold: z.number().gt(0).max(1_000).default(8).describe("CUSUM decision interval h, in sigmas"),
  clip: z.number().gt(0).max(100).default(4).describe("cap on one point's contribution, in sigmas"),
  scaleFloor: z.number().min(0).max(1).default(1e-3),
});
export type ChangePointConfig = z.output<typeof ChangePointConfig>;

export const NoveltyConfig = z.object({
  length: z.number().int().min(1).max(64).default(2).describe("values in a pattern"),
  prototypes: z.number().int().min(1).max(1_024).default(64).describe("bound on remembered patterns"),
  rho: z
    .number()
    .gt(0)
    .max(1)
    .default(0.1)
    .describe("vigilance: distance (share of the range) that is novel"),
  learnRate: rate.default(0.1).describe("pull of a matching pattern on its prototype"),
  scale: z.number().gt(0).max(10).default(0.2).describe("distance (share of the range) that scores 1"),
  typicalRate: rate.default(0.001).describe("memory of the running mean distance to the nearest prototype"),
  typicalFactor: z
    .number()
    .min(0)
    .max(100)
    .default(5)
    .describe("a novel pattern not this many times farther than the mean distance is damped (0: never)"),
  typicalDamp: z.number().min(0).max(1).default(0.5).describe("factor on a damped novelty score"),
});
export type NoveltyConfig = z.output<typeof NoveltyConfig>;

export const CombinerConfig = z.object({
  weights: z
    .object({
      seasonal: z.number().min(0).max(1).default(1),
      changePoint: z.number().min(0).max(1).default(1),
      rate: z.number().min(0).max(1).default(1),
      range: z.number().min(0).max(1).default(1),
      novelty: z.number().min(0).max(1).default(1),
    })
    .prefault({}),
  shortRate: rate.default(0.3).describe("smoothing of the combined raw score"),
  longRate: rate.default(0.001).describe("memory of the raw-score distribution"),
  warmup: z.number().int().min(0).max(100_000).default(150).describe("points before any score is emitted"),
  rangeTolerance: z
    .number()
    .min(0)
    .max(10)
    .default(0)
    .describe("share of the seen range a value must exceed it by"),
  rangeGrade: z.number().gt(0).max(10).default(0.005).describe("excess (share of the range) that scores 0.5"),
  minStd: z.number().min(0).max(1).default(0.05),
  decades: z.number().min(1).max(100).default(10),
  suppressDecay: z.number().min(0).max(1).default(0.995).describe("per-point decay of the last peak"),
  suppressFactor: z.number().min(0).max(1).default(0.5).describe("score kept below the decayed peak"),
  suppressMargin: z
    .number()
    .min(0)
    .max(10)
    .default(0.05)
    .describe("a score that beats the decayed peak raises the peak this share above itself"),
  suppressBoost: z
    .number()
    .min(0)
    .max(10)
    .default(0.5)
    .describe("extra margin (share of the peak's score) a score must beat right after a peak"),
  suppressBoostDecay: z.number().min(0).max(1).default(0.8).describe("per-point decay of the extra margin"),
});
export type CombinerConfig = z.output<typeof CombinerConfig>;

export const AnomalyConfig = z.object({
  seasonal: SeasonalConfig.prefault({}),
  rate: RateConfig.prefault({}),
  changePoint: ChangePointConfig.prefault({}),
  novelty: NoveltyConfig.prefault({}),
  combiner: CombinerConfig.prefault({}),
});
export type AnomalyConfig = z.output<typeof AnomalyConfig>;

export const defaultAnomalyConfig: AnomalyConfig = AnomalyConfig.parse({});

/**
 * The combined score above which a point is an anomaly: the threshold `vigil bench anomaly` finds optimal for
 * NAB's standard profile with `defaultAnomalyConfig` (pinned by a test on the corpus; update both together).
 */
export const defaultAnomalyThreshold = 0.5637;
