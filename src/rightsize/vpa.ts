/**
 * @module
 * The VPA recommender, reimplemented faithfully as Vigil's baseline (../shared/docs/algorithms.md §2;
 * kubernetes/autoscaler:vertical-pod-autoscaler/pkg/recommender/{model/container.go,
 * model/aggregate_container_state.go, model/aggregations_config.go, logic/recommender.go, logic/estimator.go}).
 *
 * - CPU: every sample goes into a decaying histogram (half-life 24 h) with weight 0.1 (minSampleWeight;
 *   the weight was max(request, 0.1) before commit ca812b36).
 * - Memory: one peak per container per 24 h window; a higher sample inside the window replaces the
 *   window's peak (old subtracted, new added, both stamped at the window end).
 * - OOM: injects max(used + 100 MiB, used · 1.2), used = max(request, the window's usage peak); OOMs
 *   older than one window before the window end are dropped.
 * - Estimators: target p90, lower p50, upper p95, all × 1.15; lower × (1 + 0.001/c)^−2, upper × (1 + 1/c)
 *   with confidence c = min(lifespan days, samples / 1440); then at least 25 m CPU / 250 MiB per pod,
 *   split evenly over its containers.
 */
import {
  addDecaying,
  exponentialOptions,
  newDecayingHistogram,
  percentile,
  subtractDecaying,
  type DecayingHistogram,
} from "./histogram.js";
import { DAY, MiB, type Bounded, type Recommendation } from "./types.js";

export interface VpaConfig {
  readonly targetPercentile: number;
  readonly lowerPercentile: number;
  readonly upperPercentile: number;
  readonly safetyMarginFraction: number;
  readonly podMinCpuCores: number;
  readonly podMinMemoryBytes: number;
  readonly containersInPod: number;
  readonly cpuHalfLifeSeconds: number;
  readonly memoryHalfLifeSeconds: number;
  readonly memoryAggregationIntervalSeconds: number;
  readonly minSampleWeight: number;
  readonly oomBumpUpRatio: number;
  readonly oomMinBumpUpBytes: number;
}

/** VPA's defaults (algorithms.md §2 table). */
export const VPA_DEFAULTS: VpaConfig = {
  targetPercentile: 0.9,
  lowerPercentile: 0.5,
  upperPercentile: 0.95,
  safetyMarginFraction: 0.15,
  podMinCpuCores: 0.025,
  podMinMemoryBytes: 250 * MiB,
  containersInPod: 1,
  cpuHalfLifeSeconds: DAY,
  memoryHalfLifeSeconds: DAY,
  memoryAggregationIntervalSeconds: DAY,
  minSampleWeight: 0.1,
  oomBumpUpRatio: 1.2,
  oomMinBumpUpBytes: 100 * MiB,
};

const EPSILON = 1e-4;
/** CPU buckets: first 0.01 core, growth 5 %, max 1000 cores. Memory: first 1e7 B, max 1e12 B. */
const CPU_OPTIONS = exponentialOptions(1000, 0.01, 1.05, EPSILON);
const MEMORY_OPTIONS = exponentialOptions(1e12, 1e7, 1.05, EPSILON);

/** One container's aggregate state. Mutated in place by the functions below. */
export interface VpaState {
  readonly cpu: DecayingHistogram;
  readonly memoryPeaks: DecayingHistogram;
  firstSampleStart: number | undefined;
  lastSampleStart: number | undefined;
  totalSamplesCount: number;
  lastCpuSampleStart: number | undefined;
  lastMemorySampleStart: number | undefined;
  windowEnd: number | undefined;
  memoryPeak: number;
  oomPeak: number;
}

export function newVpaState(cfg: VpaConfig = VPA_DEFAULTS): VpaState {
  return {
    cpu: newDecayingHistogram(CPU_OPTIONS, cfg.cpuHalfLifeSeconds),
    memoryPeaks: newDecayingHistogram(MEMORY_OPTIONS, cfg.memoryHalfLifeSeconds),
    firstSampleStart: undefined,
    lastSampleStart: undefined,
    totalSamplesCount: 0,
    lastCpuSampleStart: undefined,
    lastMemorySampleStart: undefined,
    windowEnd: undefined,
    memoryPeak: 0,
    oomPeak: 0,
  };
}

/** addCPUSample: duplicates and out-of-order samples are discarded. */
export function vpaAddCpu(s: VpaState, t: number, cores: number, cfg: VpaConfig = VPA_DEFAULTS): boolean {
  if (cores < 0 || (s.lastCpuSampleStart !== undefined && t <= s.lastCpuSampleStart)) return false;
  addDecaying(s.cpu, cores, cfg.minSampleWeight, t);
  if (s.lastSampleStart === undefined || t > s.lastSampleStart) s.lastSampleStart = t;
  if (s.firstSampleStart === undefined || t < s.firstSampleStart) s.firstSampleStart = t;
  s.totalSamplesCount++;
  s.lastCpuSampleStart = t;
  return true;
}

/** addMemorySample: one peak per aggregation window; OOM samples are always processed. */
export function vpaAddMemory(
  s: VpaState,
  t: number,
  bytes: number,
  isOom = false,
  cfg: VpaConfig = VPA_DEFAULTS,
): boolean {
  if (bytes < 0 || (!isOom && s.lastMemorySampleStart !== undefined && t < s.lastMemorySampleStart))
    return false;
  s.lastMemorySampleStart = t;
  s.windowEnd ??= t;
  let addNewPeak = false;
  if (t < s.windowEnd) {
    const oldMax = Math.max(s.memoryPeak, s.oomPeak);
    if (oldMax !== 0 && bytes > oldMax) {
      subtractDecaying(s.memoryPeaks, oldMax, 1, s.windowEnd);
      addNewPeak = true;
    }
  } else {
    const interval = cfg.memoryAggregationIntervalSeconds;
    const shift = Math.floor((t - s.windowEnd) / interval) * interval + interval;
    s.windowEnd += shift;
    s.memoryPeak = 0;
    s.oomPeak = 0;
    addNewPeak = true;
  }
  if (addNewPeak) {
    addDecaying(s.memoryPeaks, bytes, 1, s.windowEnd);
    if (isOom) s.oomPeak = bytes;
    else s.memoryPeak = bytes;
  }
  return true;
}

/** RecordOOM: `requestBytes` is the memory request in force when the container was killed. */
export function vpaRecordOom(
  s: VpaState,
  t: number,
  requestBytes: number,
  cfg: VpaConfig = VPA_DEFAULTS,
): boolean {
  if (s.windowEnd !== undefined && t < s.windowEnd - cfg.memoryAggregationIntervalSeconds) return false;
  const used = Math.max(requestBytes, s.memoryPeak);
  const needed = Math.max(used + cfg.oomMinBumpUpBytes, used * cfg.oomBumpUpRatio);
  return vpaAddMemory(s, t, needed, true, cfg);
}

/** getConfidence: min(lifespan in days, samples / (60·24)). */
export function vpaConfidence(s: VpaState): number {
  if (s.firstSampleStart === undefined || s.lastSampleStart === undefined) return 0;
  return Math.min((s.lastSampleStart - s.firstSampleStart) / DAY, s.totalSamplesCount / 1440);
}

/** The three estimators with margin, confidence multiplier and minimum resources (logic/recommender.go). */
export function vpaRecommend(s: VpaState, cfg: VpaConfig = VPA_DEFAULTS): Recommendation {
  const c = vpaConfidence(s);
  const margin = 1 + cfg.safetyMarginFraction;
  const minCpu = cfg.podMinCpuCores / cfg.containersInPod;
  const minMem = cfg.podMinMemoryBytes / cfg.containersInPod;
  // WithConfidenceMultiplier(multiplier, exponent): (1 + multiplier/c)^exponent; c = 0 gives ×0 and ×∞.
  const lowerMult = (1 + 0.001 / c) ** -2;
  const upperMult = 1 + 1 / c;
  // An empty histogram yields 0; 0 · ∞ is taken as 0 (Go's integer amounts never hold NaN).
  const scaled = (v: number, m: number) => (v === 0 ? 0 : v * m);
  const est = (h: DecayingHistogram, min: number): Bounded => ({
    lower: Math.max(scaled(percentile(h.h, cfg.lowerPercentile) * margin, lowerMult), min),
    target: Math.max(percentile(h.h, cfg.targetPercentile) * margin, min),
    upper: Math.max(scaled(percentile(h.h, cfg.upperPercentile) * margin, upperMult), min),
  });
  const cpu = est(s.cpu, minCpu);
  const mem = est(s.memoryPeaks, minMem);
  return {
    recommender: "vpa",
    cpu,
    mem,
    limits: { cpu: undefined, mem: undefined },
    confidence: Math.min(1, c),
    reasons: [
      `cpu: p${100 * cfg.targetPercentile} of usage × ${margin}`,
      `memory: p${100 * cfg.targetPercentile} of ${cfg.memoryAggregationIntervalSeconds / 3600} h peaks × ${margin}`,
      `confidence: ${c.toFixed(2)} days of history`,
    ],
  };
}
