/**
 * The Anthropic Messages API through `@anthropic-ai/sdk`. System prompts go in `system`; consecutive
 * tool results are sent as one user turn of `tool_result` blocks, as the API requires.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { LlmConfig } from "./config.js";
import type { ChatMessage, ChatRequest, ChatResponse, Provider, ToolCall } from "./types.js";

type WireMessage = Anthropic.Messages.MessageParam;
type WireBlock = Anthropic.Messages.ContentBlockParam;

function parseInput(args: string): unknown {
  try {
    const v: unknown = JSON.parse(args);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

/** Vigil's messages as Anthropic turns: system text apart, tool results grouped into user turns. */
export function toAnthropic(messages: readonly ChatMessage[]): { system: string; turns: WireMessage[] } {
  const system: string[] = [];
  const turns: WireMessage[] = [];
  let pendingResults: WireBlock[] = [];
  const flush = () => {
    if (pendingResults.length > 0) turns.push({ role: "user", content: pendingResults });
    pendingResults = [];
  };
  for (const m of messages) {
    if (m.role === "system") {
      system.push(m.content);
      continue;
    }
    if (m.role === "tool") {
      pendingResults.push({
        type: "tool_result",
        tool_use_id: m.toolCallId,
        content: m.content,
        is_error: m.isError,
      });
      continue;
    }
    flush();
    if (m.role === "user") turns.push({ role: "user", content: m.content });
    else {
      const blocks: WireBlock[] = [];
      if (m.content !== "") blocks.push({ type: "text", text: m.content });
      for (const c of m.toolCalls)
        blocks.push({ type: "tool_use", id: c.id, name: c.name, input: parseInput(c.arguments) });
      turns.push({ role: "assistant", content: blocks.length > 0 ? blocks : "" });
    }
  }
  flush();
  return { system: system.join("\n\n"), turns };
}

export function createAnthropicProvider(cfg: LlmConfig): Provider {
  const client = new Anthropic({
    // Explicit, so the SDK never falls back to ANTHROPIC_API_KEY or profile files on its own.
    apiKey: cfg.apiKey ?? "unused",
    authToken: null,
    // Always explicit, so the SDK does not fall back to ANTHROPIC_BASE_URL behind the CLI's back.
    baseURL: cfg.baseURL ?? "https://api.anthropic.com",
    timeout: cfg.timeoutSeconds * 1000,
    maxRetries: 0,
    logLevel: "off",
  });
  return {
    id: `anthropic:${cfg.model}`,
    async chat(req: ChatRequest): Promise<ChatResponse> {
      const { system, turns } = toAnthropic(req.messages);
      const params = {
        model: cfg.model,
        max_tokens: req.maxOutputTokens ?? cfg.maxOutputTokens,
        messages: turns,
        ...(system !== "" ? { system } : {}),
        ...(req.tools.length > 0
          ? {
              tools: req.tools.map((t) => ({
                name: t.name,
                description: t.description,
                input_schema: { type: "object" as const, ...t.parameters },
              })),
            }
          : {}),
      };
      let msg: Anthropic.Messages.Message;
      if (req.onText !== undefined) {
        const onText = req.onText;
        const stream = client.messages.stream(params, { signal: req.signal });
        stream.on("text", (delta) => {
          onText(delta);
        });
        msg = await stream.finalMessage();
      } else {
        msg = await client.messages.create({ ...params, stream: false }, { signal: req.signal });
      }
      let text = "";
      const calls: ToolCall[] = [];
      for (const b of msg.content) {
        if (b.type === "text") text += b.text;
        else if (b.type === "tool_use") {
          // A model may send `input` as a string of broken JSON; keep it as text for the loop to judge.
          calls.push({
            id: b.id,
            name: b.name,
            arguments: typeof b.input === "string" ? b.input : JSON.stringify(b.input ?? {}),
          });
        }
      }
      return {
        text,
        toolCalls: calls,
        usage: { inputTokens: msg.usage.input_tokens, outputTokens: msg.usage.output_tokens },
        finishReason:
          msg.stop_reason === "tool_use"
            ? "tool_calls"
            : msg.stop_reason === "max_tokens"
              ? "length"
              : "stop",
      };
    },
  };
}
