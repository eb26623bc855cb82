/**
 * @module
 * Autoscaling (pure): a faithful HPA v2 simulator (the baseline), Vigil's predictive policy, a queueing
 * model of a service, deterministic synthetic traces and the trace replay behind `vigil bench autoscale`.
 */
export {
  hpaSync,
  hpaSpec,
  replicasForMetric,
  HPA_DEFAULTS,
  EMPTY_HPA_STATE,
  type HpaSpec,
  type HpaState,
  type HpaDecision,
  type PodView,
  type ScalingPolicy,
  type ScalingRules,
  type MetricReplicas,
} from "./hpa.js";
export {
  predictiveDecide,
  DEFAULT_PREDICTIVE,
  EMPTY_PREDICTIVE,
  type PredictivePolicy,
  type PredictiveDecision,
  type PredictiveInput,
  type PredictiveState,
} from "./predictive.js";
export { queueStep, EMPTY_QUEUE, type ServiceModel, type QueueState, type QueueStep } from "./queue.js";
export { syntheticTrace, spikeWindows, DEFAULT_TRACE, type Trace, type TraceSpec } from "./traces.js";
export { seasonalOutlook, DEFAULT_OUTLOOK, type Outlook, type OutlookOptions } from "./seasonal.js";
export {
  simulate,
  spikeMask,
  DEFAULT_SIM,
  type SimConfig,
  type SimResult,
  type PolicyRun,
  type PolicyScore,
  type TraceInput,
  type LabelledWindow,
  type WindowScore,
} from "./simulate.js";
