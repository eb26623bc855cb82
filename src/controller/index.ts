/**
 * @module
 * The operator's control loops: informers for what the analyzers read, event-driven analysis, and (with
 * the remediation planner) the actions. Thin: decisions are made by the pure cores.
 */
export { WatchSet, WATCHED, type WatchSetOptions } from "./watchset.js";
export { Observer, type FindingEvent, type ObserverOptions } from "./observer.js";
export { Healer, describeAction, type HealEvent, type HealerOptions } from "./healer.js";
export { PolicyWatch, toNamedPolicy, type PolicyWatchOptions } from "./policies.js";
export {
  PredictiveScalerController,
  ForecastWorker,
  type PredictiveScalerOptions,
} from "./predictivescaler.js";
export {
  planScale,
  forecastUpper,
  reactiveReplicas,
  type Plan,
  type PlanInput,
  type UpperForecast,
  type ForecastRequest,
} from "./predictivescaler-plan.js";
export { AnalysisWorker } from "./analysis.js";
export {
  Notifications,
  parseListen,
  type NotificationsOptions,
  type NotificationsStats,
} from "./notifications.js";
export {
  Anomalies,
  ANOMALY_METRICS,
  MIN_ABSOLUTE_CHANGE,
  NAB_STANDARD_THRESHOLD,
  anomalyLine,
  anomalySignal,
  formatMetric,
  type AnomaliesOptions,
  type AnomaliesStats,
  type AnomalyMetric,
  type MetricAnomaly,
} from "./anomalies.js";
