/**
 * Google Gemini `generateContent` through `@google/genai`. System text becomes `systemInstruction`;
 * tool results are `functionResponse` parts in a user turn. Gemini may omit call ids: Vigil numbers them.
 */
import {
  FinishReason,
  GoogleGenAI,
  type Content,
  type GenerateContentResponse,
  type Part,
} from "@google/genai";
import type { LlmConfig } from "./config.js";
import type { ChatMessage, ChatRequest, ChatResponse, Provider, ToolCall } from "./types.js";

function parseArgs(args: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(args);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function toGemini(messages: readonly ChatMessage[]): { system: string; contents: Content[] } {
  const system: string[] = [];
  const contents: Content[] = [];
  let results: Part[] = [];
  const flush = () => {
    if (results.length > 0) contents.push({ role: "user", parts: results });
    results = [];
  };
  for (const m of messages) {
    if (m.role === "system") {
      system.push(m.content);
      continue;
    }
    if (m.role === "tool") {
      results.push({
        functionResponse: {
          id: m.toolCallId,
          name: m.name,
          response: m.isError ? { error: m.content } : { output: m.content },
        },
      });
      continue;
    }
    flush();
    if (m.role === "user") contents.push({ role: "user", parts: [{ text: m.content }] });
    else {
      const parts: Part[] = [];
      if (m.content !== "") parts.push({ text: m.content });
      for (const c of m.toolCalls)
        parts.push({ functionCall: { id: c.id, name: c.name, args: parseArgs(c.arguments) } });
      contents.push({ role: "model", parts: parts.length > 0 ? parts : [{ text: "" }] });
    }
  }
  flush();
  return { system: system.join("\n\n"), contents };
}

function fromResponse(res: GenerateContentResponse, step: { n: number }): Omit<ChatResponse, "usage"> {
  const cand = res.candidates?.[0];
  let text = "";
  const calls: ToolCall[] = [];
  for (const p of cand?.content?.parts ?? []) {
    if (p.thought === true) continue;
    if (typeof p.text === "string") text += p.text;
    if (p.functionCall !== undefined) {
      calls.push({
        id: p.functionCall.id ?? `gemini_call_${step.n++}`,
        name: p.functionCall.name ?? "",
        arguments: JSON.stringify(p.functionCall.args ?? {}),
      });
    }
  }
  const fr = cand?.finishReason;
  return {
    text,
    toolCalls: calls,
    finishReason: calls.length > 0 ? "tool_calls" : fr === FinishReason.MAX_TOKENS ? "length" : "stop",
  };
}

export function createGeminiProvider(cfg: LlmConfig): Provider {
  const ai = new GoogleGenAI({
    apiKey: cfg.apiKey ?? "unused",
    vertexai: false,
    httpOptions: {
      ...(cfg.baseURL !== undefined ? { baseUrl: cfg.baseURL } : {}),
      timeout: cfg.timeoutSeconds * 1000,
      retryOptions: { attempts: 1 },
    },
  });
  const step = { n: 0 };
  return {
    id: `gemini:${cfg.model}`,
    async chat(req: ChatRequest): Promise<ChatResponse> {
      const { system, contents } = toGemini(req.messages);
      const params = {
        model: cfg.model,
        contents,
        config: {
          abortSignal: req.signal,
          maxOutputTokens: req.maxOutputTokens ?? cfg.maxOutputTokens,
          ...(system !== "" ? { systemInstruction: system } : {}),
          ...(req.tools.length > 0
            ? {
                tools: [
                  {
                    functionDeclarations: req.tools.map((t) => ({
                      name: t.name,
                      description: t.description,
                      parametersJsonSchema: t.parameters,
                    })),
                  },
                ],
              }
            : {}),
        },
      };
      if (req.onText !== undefined) {
        let text = "";
        const calls: ToolCall[] = [];
        let usage = { inputTokens: 0, outputTokens: 0 };
        let finishReason = "stop";
        for await (const chunk of await ai.models.generateContentStream(params)) {
          const r = fromResponse(chunk, step);
          if (r.text !== "") req.onText(r.text);
          text += r.text;
          calls.push(...r.toolCalls);
          if (r.finishReason !== "stop") finishReason = r.finishReason;
          if (chunk.usageMetadata !== undefined) {
            usage = {
              inputTokens: chunk.usageMetadata.promptTokenCount ?? 0,
              outputTokens: chunk.usageMetadata.candidatesTokenCount ?? 0,
            };
          }
        }
        return {
          text,
          toolCalls: calls,
          usage,
          finishReason: calls.length > 0 ? "tool_calls" : finishReason,
        };
      }
      const res = await ai.models.generateContent(params);
      return {
        ...fromResponse(res, step),
        usage: {
          inputTokens: res.usageMetadata?.promptTokenCount ?? 0,
          outputTokens: res.usageMetadata?.candidatesTokenCount ?? 0,
        },
      };
    },
  };
}
