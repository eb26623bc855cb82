/**
 * @module
 * Metric anomaly detection, pure and streaming: a robust seasonal baseline (median and MAD per slot), CUSUM
 * change-point detection, rate of change, pattern novelty (bounded prototype memory), and a combiner that turns their scores into one anomaly score in
 * [0,1]. Each detector is O(1) per point with bounded, plain-JSON state. Also the NAB scorer and the NAB bench.
 */
export {
  AnomalyConfig,
  ChangePointConfig,
  CombinerConfig,
  NoveltyConfig,
  RateConfig,
  SeasonalConfig,
  defaultAnomalyConfig,
  defaultAnomalyThreshold,
} from "./types.js";
export type { Point } from "./types.js";
export { type SeasonalState, seasonalInit, seasonalStep } from "./seasonal.js";
export { type ChangePointState, changePointInit, changePointStep } from "./changepoint.js";
export { type RateState, rateInit, rateStep } from "./rate.js";
export { type NoveltyState, noveltyInit, noveltyStep } from "./novelty.js";
export { type CombinedState, type DetectorScores, combinedInit, combinedStep } from "./combine.js";
export { type RobustStat, robustStat, updateRobust, robustZ, tailScore } from "./robust.js";
export {
  type CostMatrix,
  type NabWindow,
  type NabProfileName,
  type NabCorpus,
  type NabCorpusResult,
  type NabProfileResult,
  type NabFileResult,
  NAB_PROFILES,
  NAB_PROFILE_NAMES,
  checkWindows,
  normalise,
  prepareCorpus,
  probationLength,
  scaledSigmoid,
  scoreAtThreshold,
  scoreDetector,
  sweep,
} from "./nab.js";
export {
  type NabSeries,
  type NabBenchReport,
  type NabDetectorReport,
  type NabDetectorName,
  type NabCrossValidation,
  type NabFoldResult,
  NAB_DETECTORS,
  crossValidate,
  detectSeries,
  nabFold,
  runNabBench,
  runSeries,
  tuningGrid,
} from "./nabbench.js";
