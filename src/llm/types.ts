/**
 * The provider port: one small interface every LLM backend implements. Messages, tool specs and
 * tool calls are plain data in Vigil's own shape; each provider translates them to its wire format.
 */

export interface ToolCall {
  /** The provider's id for the call (generated when the API has none, e.g. some Gemini models). */
  readonly id: string;
  readonly name: string;
  /** The arguments exactly as the model produced them: JSON text, possibly malformed. */
  readonly arguments: string;
}

export type ChatMessage =
  | { readonly role: "system"; readonly content: string }
  | { readonly role: "user"; readonly content: string }
  | { readonly role: "assistant"; readonly content: string; readonly toolCalls: readonly ToolCall[] }
  | {
      readonly role: "tool";
      readonly toolCallId: string;
      readonly name: string;
      readonly content: string;
      readonly isError: boolean;
    };

/** A tool as a model sees it: name, description and a JSON Schema for its arguments. */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  /** Empty: the model may only answer in text. */
  readonly tools: readonly ToolSpec[];
  readonly maxOutputTokens?: number;
  readonly signal: AbortSignal;
  /** Called with text deltas when the provider streams; providers that do not stream never call it. */
  readonly onText?: (delta: string) => void;
}

export interface ChatResponse {
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
  readonly usage: Usage;
  /** The provider's reason, normalised: "stop", "tool_calls", "length" or the raw value. */
  readonly finishReason: string;
}

/** The port the agent loop talks to. Implementations: openai-compatible, anthropic, gemini, fakes. */
export interface Provider {
  /** e.g. `openai:gpt-4.1-mini`, for logs and the answer footer. */
  readonly id: string;
  chat(req: ChatRequest): Promise<ChatResponse>;
}
