/**
 * @module
 * The AI assistant's edge: LLM providers behind one small port (OpenAI-compatible, Anthropic, Gemini),
 * retries, redaction, capped read-only tools over the cluster, the agent loop with approval-gated
 * proposals, and the answer Vigil gives without a model.
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
  ToolInputError,
  proposeFix,
  toProposal,
  type ClusterReader,
  type Proposal,
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
  type ProposalRecord,
  type ToolCallRecord,
  type WriteExecutor,
} from "./agent.js";
export { healthFindings, toFindingView } from "./health.js";
export { answerWithoutModel, intentOf, type QuestionIntent } from "./answer.js";
export { kubeExecutor, kubeReader, learnSecrets, rawStateFindings } from "./cluster.js";
export { KINDS, resolveKind, slim, summarize, type KindInfo } from "./views.js";
