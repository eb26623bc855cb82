/**
 * @module
 * Self-healing, pure: `plan` turns findings, the snapshot, a HealingPolicy and the action history into
 * actions (each with its reason, the exact patches the executor sends, an undo where one exists and a
 * verification spec), skipped actions with the guardrail that stopped them, and escalations; `verify` decides
 * whether an action worked, is still pending, timed out, or made things worse (then undo). No IO, no clock.
 */
export { LimitRange } from "./limitrange.js";
export {
  ANNOTATION_ACTION,
  ANNOTATION_CORDONED,
  ANNOTATION_REASON,
  ANNOTATION_UNDONE,
  apiPath,
} from "./patch.js";
export { historyEntry, historyFromIncident, plan } from "./plan.js";
export { STORM_MEMORY_SECONDS } from "./nodes.js";
export { SYSTEM_NAMESPACES, resolvePolicy } from "./policy.js";
export type { NamedPolicy, ResolvedPolicy } from "./policy.js";
export { ESCALATION_REASONS, GUARDRAILS, OUTCOMES } from "./types.js";
export type {
  Action,
  CapacityRecommendation,
  Escalation,
  EscalationReason,
  Guardrail,
  HistoryEntry,
  Json,
  JsonPatchOp,
  Outcome,
  Patch,
  PatchType,
  Plan,
  PlanInput,
  RawLookup,
  Reason,
  Skipped,
  VerifySpec,
  WatchedWorkload,
} from "./types.js";
export { VERIFY_OUTCOMES, verify } from "./verify.js";
export type { Verification, VerifyOutcome } from "./verify.js";
