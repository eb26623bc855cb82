/**
 * OpenAI-compatible chat completions through the `openai` SDK: OpenAI, Azure OpenAI, Ollama, vLLM and
 * llama.cpp's server (the last three via `baseURL`). Streaming when the caller asks for text deltas.
 */
import OpenAI, { AzureOpenAI } from "openai";
import type {
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import type { LlmConfig } from "./config.js";
import type { ChatMessage, ChatRequest, ChatResponse, Provider, ToolCall, ToolSpec } from "./types.js";

function toWire(m: ChatMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case "system":
      return { role: "system", content: m.content };
    case "user":
      return { role: "user", content: m.content };
    case "assistant":
      return m.toolCalls.length === 0
        ? { role: "assistant", content: m.content }
        : {
            role: "assistant",
            content: m.content === "" ? null : m.content,
            tool_calls: m.toolCalls.map((c) => ({
              id: c.id,
              type: "function" as const,
              function: { name: c.name, arguments: c.arguments },
            })),
          };
    case "tool":
      return { role: "tool", tool_call_id: m.toolCallId, content: m.content };
  }
}

function toolsToWire(tools: readonly ToolSpec[]): ChatCompletionTool[] {
  return tools.map((t) => ({
    type: "function" as const,
    function: { name: t.name, description: t.description, parameters: { ...t.parameters } },
  }));
}

function normaliseFinish(r: string | null | undefined): string {
  if (r === "tool_calls" || r === "function_call") return "tool_calls";
  return r ?? "stop";
}

export function createOpenAIProvider(cfg: LlmConfig): Provider {
  const common = {
    // Local servers ignore the key, but the SDK refuses to start without one.
    apiKey: cfg.apiKey ?? "unused",
    timeout: cfg.timeoutSeconds * 1000,
    maxRetries: 0,
    logLevel: "off" as const,
  };
  const client =
    cfg.provider === "azure"
      ? new AzureOpenAI({
          ...common,
          apiKey: cfg.apiKey ?? "unused",
          deployment: cfg.model,
          apiVersion: cfg.apiVersion ?? "2024-10-21",
          ...(cfg.baseURL !== undefined ? { endpoint: cfg.baseURL } : {}),
        })
      : new OpenAI({
          ...common,
          baseURL: cfg.baseURL ?? "https://api.openai.com/v1",
          organization: null,
          project: null,
        });
  const id = `${cfg.provider}:${cfg.model}`;
  return {
    id,
    async chat(req: ChatRequest): Promise<ChatResponse> {
      const body = {
        model: cfg.model,
        messages: req.messages.map(toWire),
        ...(req.tools.length > 0 ? { tools: toolsToWire(req.tools), tool_choice: "auto" as const } : {}),
        ...(req.maxOutputTokens !== undefined ? { max_tokens: req.maxOutputTokens } : {}),
      };
      if (req.onText !== undefined) return streamChat(client, body, req);
      const res = await client.chat.completions.create({ ...body, stream: false }, { signal: req.signal });
      const choice = res.choices[0];
      const calls: ToolCall[] = [];
      for (const [i, c] of (choice?.message.tool_calls ?? []).entries()) {
        if (c.type === "function") {
          calls.push({
            id: c.id === "" ? `call_${i}` : c.id,
            name: c.function.name,
            arguments: c.function.arguments,
          });
        }
      }
      return {
        text: choice?.message.content ?? "",
        toolCalls: calls,
        usage: {
          inputTokens: res.usage?.prompt_tokens ?? 0,
          outputTokens: res.usage?.completion_tokens ?? 0,
        },
        finishReason: normaliseFinish(choice?.finish_reason),
      };
    },
  };
}

async function streamChat(
  client: OpenAI,
  body: Omit<OpenAI.Chat.ChatCompletionCreateParamsStreaming, "stream">,
  req: ChatRequest,
): Promise<ChatResponse> {
  const stream = await client.chat.completions.create(
    { ...body, stream: true, stream_options: { include_usage: true } },
    { signal: req.signal },
  );
  let text = "";
  let finish: string | null | undefined;
  let usage = { inputTokens: 0, outputTokens: 0 };
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
    if (chunk.usage)
      usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
    const ch = chunk.choices[0];
    if (ch === undefined) continue;
    if (typeof ch.delta.content === "string" && ch.delta.content !== "") {
      text += ch.delta.content;
      req.onText?.(ch.delta.content);
    }
    for (const tc of ch.delta.tool_calls ?? []) {
      const cur = calls.get(tc.index) ?? { id: "", name: "", arguments: "" };
      if (tc.id !== undefined && tc.id !== "") cur.id = tc.id;
      if (tc.function?.name !== undefined) cur.name += tc.function.name;
      if (tc.function?.arguments !== undefined) cur.arguments += tc.function.arguments;
      calls.set(tc.index, cur);
    }
    if (ch.finish_reason !== null) finish = ch.finish_reason;
  }
  return {
    text,
    toolCalls: [...calls.entries()].map(([i, c]) => ({ ...c, id: c.id === "" ? `call_${i}` : c.id })),
    usage,
    finishReason: normaliseFinish(finish),
  };
}
