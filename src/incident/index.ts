/**
 * @module
 * Incidents, pure: Kubernetes Warning events, health findings, metric anomalies, log signatures, Alertmanager
 * alerts and Vigil's own actions correlated into incidents (by owner chain, node, time and shared cause) with
 * ranked root causes, severity from impact, a deduplicated timeline and recurrence from history; the alert
 * policy (routing, grouping, intervals, resolve notifications, silences) and the notification bodies. No IO:
 * the edges (src/alert, the CLI, the operator) pass signals, `now` and an owner lookup in.
 */
export { IncidentConfig, defaultIncidentConfig } from "./config.js";
export type { IncidentConfigInput } from "./config.js";
export { alertSeverity, correlate, humanSeconds, incidentId, ownerMap } from "./correlate.js";
export type { OwnerLookup } from "./correlate.js";
export type {
  ActionTaken,
  CauseEvidence,
  CauseKind,
  Impact,
  Incident,
  Recurrence,
  RootCause,
  TimelineEntry,
  TimelineKind,
} from "./incident.js";
export { History, PastIncident, recall, remember } from "./history.js";
export {
  AlertPolicy,
  Matcher,
  Route,
  Silence,
  defaultAlertPolicy,
  emptyNotifyState,
  labelsOf,
  matches,
  planNotifications,
  routesFor,
  silencedBy,
} from "./policy.js";
export type {
  AlertPolicyInput,
  Change,
  GroupState,
  Notification,
  NotificationItem,
  NotifyState,
} from "./policy.js";
export { AlertmanagerWebhook, objectOfLabels, parseAlertmanagerWebhook } from "./alertmanager.js";
export type { ParsedWebhook } from "./alertmanager.js";
export {
  actionText,
  alertmanagerAlerts,
  incidentText,
  notificationStatus,
  rootCauseText,
  slackBody,
  timelineLines,
  webhookBody,
} from "./render.js";
export { fromResource, toResource } from "./resource.js";
export type { FromResource } from "./resource.js";
export { replay, replayTail } from "./replay.js";
export { emptyLiveState, liveStep, relevant, retain, unsend } from "./live.js";
export type { LiveState, LiveStep } from "./live.js";
export type { IncidentTally, ReplayResult } from "./replay.js";
export {
  ACTION_RESULTS,
  ActionSignal,
  AlertSignal,
  AnomalySignal,
  EventSignal,
  FindingSignal,
  LogSignal,
  OwnerEdge,
  Recording,
  SEVERITIES,
  SeverityName,
  Signal,
} from "./signal.js";
export type { RecordingInput, SignalInput } from "./signal.js";
