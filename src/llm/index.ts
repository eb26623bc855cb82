/**
 * @module
 * The AI assistant's edge: LLM providers behind one small port (OpenAI-compatible, Anthropic, Gemini),
 * retries, redaction, capped read-only tools over the cluster, the agent loop whose only writes are the
 * remediation engine's guarded, dry-run, human-approved actions, and the answer Vigil gives without a model.
 */
export type { ChatMessage, ChatRequest, ChatResponse, Provider, ToolCall, ToolSpec, Usage } from "./types.js";
export {
  CONFIGURE_HINT,
  LlmConfig,
  LlmConfigFile,
  ProviderName,
  RedactionConfig,
  keyVariables,
  resolveLlmConfig,
  type EnvRecord,
  type LlmFlags,
} from "./config.js";
export { LlmError, backoffMs, toLlmError, withRetries, type RetryPolicy } from "./retry.js";
export { createProvider } from "./provider.js";
export {
  createRedactor,
  isSensitiveKey,
  secretValues,
  MIN_LEARNED_LENGTH,
  type Redactor,
  type RedactionKind,
} from "./redact.js";
export { capList, capText } from "./cap.js";
export {
  ALL_TOOLS,
  READ_ONLY_TOOLS,
  WRITE_TOOLS,
  ToolInputError,
  writeRequest,
  type ClusterReader,
  type Tool,
  type ToolContext,
} from "./tools.js";
export {
  basicFindings,
  type FindingView,
  type FindingsScope,
  type FindingsSource,
  type RawState,
  type Severity,
} from "./findings.js";
export {
  SYSTEM_PROMPT,
  costUsd,
  parseTextToolCall,
  runAgent,
  wrapToolOutput,
  type AgentOptions,
  type AgentResult,
  type Approver,
  type ToolCallRecord,
  type WriteRecord,
} from "./agent.js";
export {
  ASSISTANT_ACTION_KINDS,
  DEFAULT_POLICY,
  createRemediator,
  decide,
  patchText,
  planAll,
  planningState,
  readHistory,
  readPolicies,
  type ActionJournal,
  type AssistantActionKind,
  type Decision,
  type PatchSender,
  type PlanningState,
  type Prepared,
  type ReadyWrite,
  type Remediator,
  type WriteRequest,
} from "./remediation.js";
export { liveInput, liveRecommendations, recommendationView } from "./recommend.js";
export { healthFindings, readSnapshot, toFindingView, type ClusterSnapshot } from "./health.js";
export { answerWithoutModel, intentOf, type QuestionIntent } from "./answer.js";
export { kubeJournal, kubeReader, kubeSender, learnSecrets, rawStateFindings } from "./cluster.js";
export { KINDS, resolveKind, slim, summarize, type KindInfo } from "./views.js";
