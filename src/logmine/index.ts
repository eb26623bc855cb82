/**
 * @module
 * Log intelligence, pure: an online Drain-family template miner (masking, typed variables, merging,
 * bounded memory, snapshots), log anomaly signals (new and surging templates, errors with their stack
 * traces, the log signature of a workload) and Loghub scoring. No IO: sources feed lines in.
 */
export { MinerConfig, SignalConfig, defaultMinerConfig, defaultSignalConfig } from "./config.js";
export type { MinerConfigInput } from "./config.js";
export { WILDCARD, collapse, newTokens, tokenize } from "./mask.js";
export type { Tokens, VarType } from "./mask.js";
export { createMiner, generalize } from "./miner.js";
export type { Change, Cluster, Miner, MinerSnapshot } from "./miner.js";
export { createEventAssembler, isContinuation, severityOf, splitHeader } from "./events.js";
export type { EventAssembler, LogEvent, Severity, SplitLine } from "./events.js";
export { createLogAnalyzer, signatureOf } from "./signals.js";
export type { LogAnalyzer, LogReport, LogSignature, SignatureEntry, TemplateStat } from "./signals.js";
export {
  alignWithNull,
  correctTemplateGeneral,
  csvColumns,
  meanAccuracy,
  parseCsv,
  score,
  splitLines,
} from "./loghub.js";
export type { Accuracy } from "./loghub.js";
