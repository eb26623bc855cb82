/**
 * @module
 * The alerting edge: delivers incident notifications (generic JSON webhook, Slack incoming webhook,
 * Alertmanager v2 API) and receives Alertmanager webhooks as signals. The policy and the bodies are pure and
 * live in src/incident; this folder only does HTTP.
 */
export { AlertingConfig, ReceiverConfig } from "./config.js";
export type { AlertingConfigInput } from "./config.js";
export { NotifyError, alertmanagerAlertsUrl, createNotifier } from "./notify.js";
export type { Delivery, Notifier } from "./notify.js";
export { startAlertReceiver } from "./receiver.js";
export type { AlertReceiver, ReceiverOptions, ReceiverStats } from "./receiver.js";
