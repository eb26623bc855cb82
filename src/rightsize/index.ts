/**
 * @module
 * Right-sizing (pure): the VPA recommender as a faithful baseline, Vigil's recommender, the trace replay
 * behind `vigil bench rightsize`, resource analysis (QoS, quotas, overcommitment, idle workloads, probes)
 * and the cost model. No IO, no clock: time and data are parameters.
 */
export {
  DAY,
  GiB,
  HOUR,
  MiB,
  type Bounded,
  type Recommendation,
  type Resources,
  type UsageSample,
  type UsageTrace,
} from "./types.js";
export {
  bucketStart,
  exponentialOptions,
  findBucket,
  newDecayingHistogram,
  newHistogram,
  addSample,
  addDecaying,
  subtractSample,
  subtractDecaying,
  percentile,
  isEmpty,
  type Histogram,
  type HistogramOptions,
  type DecayingHistogram,
} from "./histogram.js";
export {
  newVpaState,
  vpaAddCpu,
  vpaAddMemory,
  vpaRecordOom,
  vpaRecommend,
  vpaConfidence,
  VPA_DEFAULTS,
  type VpaConfig,
  type VpaState,
} from "./vpa.js";
export {
  newVigilState,
  vigilObserve,
  vigilRecordOom,
  vigilRecommend,
  vigilConfidence,
  volatility,
  cpuPercentileFor,
  VIGIL_DEFAULTS,
  type VigilConfig,
  type VigilState,
} from "./vigil.js";
export { parseUsageCsv, formatUsageCsv, type UsageCsvResult } from "./csv.js";
export {
  syntheticTraces,
  originalRequests,
  fromSingleSeries,
  SYNTHETIC_KINDS,
  DEFAULT_SYNTHETIC,
  SINGLE_SERIES_DEFAULTS,
  type SyntheticOptions,
  type SingleSeriesOptions,
} from "./synthetic.js";
export {
  replayTrace,
  summarise,
  summariseOriginal,
  benchSummary,
  POLICIES,
  REPLAY_DEFAULTS,
  type ReplayConfig,
  type PolicyName,
  type PolicyScore,
  type OriginalScore,
  type TraceScore,
  type BenchSummary,
} from "./replay.js";
export {
  Pricing,
  DEFAULT_PRICING,
  costOf,
  monthlyCost,
  waste,
  sumBy,
  MONTH_HOURS,
  type Waste,
} from "./cost.js";
export {
  qosClass,
  qosChange,
  applyRecommendation,
  quotaReport,
  overcommit,
  idleWorkloads,
  probeAdvice,
  type QosClass,
  type QosChange,
  type ContainerResources,
  type QuotaAmounts,
  type QuotaLine,
  type NodeInput,
  type Overcommit,
  type Risk,
  type WorkloadUsage,
  type IdleFinding,
  type ProbeInput,
  type ProbeSpec,
  type ProbeAdvice,
} from "./analysis.js";
export {
  recommendTrace,
  RECOMMEND_DEFAULTS,
  type RecommendOptions,
  type RecommendReport,
} from "./recommend.js";
