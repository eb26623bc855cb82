/**
 * @module
 * Metric history (an edge): bounded per-workload series from metrics.k8s.io with ConfigMap checkpoints,
 * and Prometheus range queries, behind one `HistorySource` port.
 */
export {
  TieredSeries,
  DEFAULT_TIERS,
  type TierSpec,
  type SeriesCheckpoint,
  type TierCheckpoint,
} from "./ring.js";
export {
  checkpointName,
  checkpointObject,
  parseCheckpoint,
  workloadKey,
  CHECKPOINT_LABEL,
  type WorkloadRef,
  type ParsedCheckpoint,
} from "./checkpoint.js";
export { queryRange, cpuQuery, type RangeQuery } from "./prometheus.js";
export {
  HistoryRecorder,
  sampleWorkload,
  scalePath,
  cpuMillis,
  type WorkloadSample,
  type RecorderOptions,
} from "./recorder.js";
export {
  recorderSource,
  checkpointSource,
  prometheusSource,
  type HistorySource,
  type HistoryRange,
} from "./source.js";
