/**
 * @module
 * Cluster health, pure: a slim snapshot of objects and events in, findings out (one per root cause, with the
 * owner chain, timestamped evidence, a fix for people and an action for the remediation engine), plus a
 * 0–100 health score per namespace. No IO, no clock: the edges build the snapshot and pass `now`.
 */
export { analyze } from "./analyze.js";
export { HealthConfig, defaultHealthConfig } from "./config.js";
export type { HealthConfigInput } from "./config.js";
export { ANALYZERS, DOCS, SEVERITIES, compareFindings, findingId, severityRank } from "./finding.js";
export type {
  ActionKind,
  AnalyzerName,
  Evidence,
  Finding,
  Fix,
  Severity,
  SuggestedAction,
  TemplateChange,
} from "./finding.js";
export { buildReport } from "./report.js";
export type { HealthReport } from "./report.js";
export { SEVERITY_WEIGHT, healthScore } from "./score.js";
export type { HealthScore, NamespaceScore, ScoreReason } from "./score.js";
export {
  KINDS,
  KIND_KEYS,
  KIND_KEY_OF,
  assembleSnapshot,
  emptySnapshot,
  groupByKind,
  ingest,
  ingestInto,
  ingestOne,
} from "./snapshot.js";
export type { DroppedObject, Ingested, KindKey, RawLists, SkippedKind, Snapshot } from "./snapshot.js";
export { diffTemplates } from "./workloads.js";
