/**
 * Test doubles for the assistant, used by unit, integration and eval tests: a fake LLM HTTP server on
 * loopback that speaks the OpenAI chat-completions, Anthropic Messages and Gemini generateContent wire
 * formats (scripted tool calls, malformed calls, slow and failing responses) and records every request;
 * a scripted in-process Provider; an in-memory ClusterReader.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { KubernetesObject } from "@kubernetes/client-node";
import type { ClusterReader } from "./tools.js";
import type { ChatRequest, ChatResponse, Provider } from "./types.js";

export type WireFormat = "openai" | "anthropic" | "gemini";

/** One scripted reply. `fn` decides from the request body (e.g. reads a pod name from a tool result). */
export type Step =
  | { readonly kind: "text"; readonly text: string }
  | {
      readonly kind: "tools";
      readonly calls: readonly { readonly name: string; readonly args: string | object }[];
    }
  | { readonly kind: "status"; readonly status: number; readonly retryAfter?: number }
  | { readonly kind: "slow"; readonly ms: number; readonly then: Step }
  | { readonly kind: "garbage" }
  | { readonly kind: "fn"; readonly fn: (body: string) => Step };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

export interface FakeLlmServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

let callSeq = 0;

function render(
  format: WireFormat,
  step: Exclude<Step, { kind: "fn" | "slow" | "status" | "garbage" }>,
  stream: boolean,
): { body: string; contentType: string } {
  const text = step.kind === "text" ? step.text : "";
  const calls = step.kind === "tools" ? step.calls : [];
  const argText = (a: string | object) => (typeof a === "string" ? a : JSON.stringify(a));
  if (format === "openai") {
    const tool_calls = calls.map((c) => ({
      id: `call_${++callSeq}`,
      type: "function",
      function: { name: c.name, arguments: argText(c.args) },
    }));
    const finish = calls.length > 0 ? "tool_calls" : "stop";
    if (stream) {
      const chunks = [
        {
          id: "c",
          object: "chat.completion.chunk",
          created: 0,
          model: "fake",
          choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
        },
        ...(text.match(/[\s\S]{1,8}/g) ?? []).map((piece) => ({
          id: "c",
          object: "chat.completion.chunk",
          created: 0,
          model: "fake",
          choices: [{ index: 0, delta: { content: piece }, finish_reason: null }],
        })),
        ...tool_calls.map((tc, index) => ({
          id: "c",
          object: "chat.completion.chunk",
          created: 0,
          model: "fake",
          choices: [
            {
              index: 0,
              delta: { tool_calls: [{ index, id: tc.id, type: "function", function: tc.function }] },
              finish_reason: null,
            },
          ],
        })),
        {
          id: "c",
          object: "chat.completion.chunk",
          created: 0,
          model: "fake",
          choices: [{ index: 0, delta: {}, finish_reason: finish }],
        },
        {
          id: "c",
          object: "chat.completion.chunk",
          created: 0,
          model: "fake",
          choices: [],
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        },
      ];
      return {
        body: chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("") + "data: [DONE]\n\n",
        contentType: "text/event-stream",
      };
    }
    return {
      contentType: "application/json",
      body: JSON.stringify({
        id: "chatcmpl-fake",
        object: "chat.completion",
        created: 0,
        model: "fake",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: text === "" ? null : text,
              ...(tool_calls.length > 0 ? { tool_calls } : {}),
            },
            finish_reason: finish,
          },
        ],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      }),
    };
  }
  if (format === "anthropic") {
    const content = [
      ...(text !== "" ? [{ type: "text", text, citations: null }] : []),
      ...calls.map((c) => ({
        type: "tool_use",
        id: `toolu_${++callSeq}`,
        name: c.name,
        input: typeof c.args === "string" ? c.args : c.args,
      })),
    ];
    return {
      contentType: "application/json",
      body: JSON.stringify({
        id: "msg_fake",
        type: "message",
        role: "assistant",
        model: "fake",
        content,
        stop_reason: calls.length > 0 ? "tool_use" : "end_turn",
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 5 },
      }),
    };
  }
  const parts = [
    ...(text !== "" ? [{ text }] : []),
    ...calls.map((c) => ({
      functionCall: { name: c.name, args: typeof c.args === "string" ? { raw: c.args } : c.args },
    })),
  ];
  return {
    contentType: "application/json",
    body: JSON.stringify({
      candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
    }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
  });
}

/**
 * Starts a fake LLM API on 127.0.0.1. Each request consumes the next step; when the script runs out it
 * answers "done". Every request (path, headers, body) is recorded for assertions.
 */
export async function startFakeLlm(format: WireFormat, script: readonly Step[]): Promise<FakeLlmServer> {
  const requests: RecordedRequest[] = [];
  let i = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      let step: Step = script[i++] ?? { kind: "text", text: "done" };
      for (;;) {
        if (step.kind === "fn") step = step.fn(body);
        else if (step.kind === "slow") {
          const ms = step.ms;
          await new Promise<void>((r) => {
            const t = setTimeout(() => {
              timers.delete(t);
              r();
            }, ms);
            timers.add(t);
          });
          if (res.destroyed || req.destroyed) return;
          step = step.then;
        } else break;
      }
      if (step.kind === "status") {
        res.writeHead(step.status, {
          "content-type": "application/json",
          ...(step.retryAfter !== undefined ? { "retry-after": String(step.retryAfter) } : {}),
        });
        res.end(
          JSON.stringify({ error: { message: "scripted failure", type: "server_error", code: step.status } }),
        );
        return;
      }
      if (step.kind === "garbage") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{this is not json");
        return;
      }
      const stream = format === "openai" && body.includes('"stream":true');
      const out = render(format, step, stream);
      res.writeHead(200, { "content-type": out.contentType });
      res.end(out.body);
    })();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => {
          r();
        });
      }),
  };
}

/** An in-process provider that replays a script and records each request (deep-copied). */
export function scriptedProvider(
  script: readonly ((req: ChatRequest) => Partial<ChatResponse>)[],
): Provider & { readonly requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  let i = 0;
  return {
    id: "fake:scripted",
    requests,
    chat(req: ChatRequest) {
      requests.push({ ...req, messages: structuredClone<ChatRequest["messages"]>(req.messages) });
      const f = script[i++];
      const r = f === undefined ? { text: "done" } : f(req);
      return Promise.resolve({
        text: "",
        toolCalls: [],
        usage: { inputTokens: 1, outputTokens: 1 },
        finishReason: "stop",
        ...r,
      });
    },
  };
}

export interface FakeClusterData {
  readonly objects: readonly KubernetesObject[];
  /** `namespace/pod` (with `:previous` for the previous container) → log text. */
  readonly logs?: Readonly<Record<string, string>>;
}

/** An in-memory ClusterReader: label selectors of the form k=v[,k=v], field selectors on involvedObject.*, type, status.phase. */
export function fakeCluster(data: FakeClusterData): ClusterReader & { readonly calls: string[] } {
  const calls: string[] = [];
  const matchLabels = (o: KubernetesObject, sel: string | undefined) =>
    sel === undefined ||
    sel.split(",").every((kv) => {
      const [k, v] = kv.split("=");
      return k !== undefined && o.metadata?.labels?.[k] === v;
    });
  const field = (o: KubernetesObject, path: string): unknown =>
    path
      .split(".")
      .reduce<unknown>(
        (x, k) => (typeof x === "object" && x !== null ? (x as Record<string, unknown>)[k] : undefined),
        o,
      );
  const matchFields = (o: KubernetesObject, sel: string | undefined) =>
    sel === undefined ||
    sel.split(",").every((kv) => {
      const neg = kv.includes("!=");
      const [k, v] = kv.split(neg ? "!=" : "=");
      const actual = String(field(o, k ?? ""));
      return neg ? actual !== v : actual === v;
    });
  return {
    calls,
    list(q) {
      calls.push(`list ${q.kind.kind} ${q.namespace ?? "*"}`);
      const items = data.objects.filter(
        (o) =>
          o.kind === q.kind.kind &&
          (q.namespace === undefined || o.metadata?.namespace === q.namespace) &&
          matchLabels(o, q.labelSelector) &&
          matchFields(o, q.fieldSelector),
      );
      return Promise.resolve({ items: items.slice(0, q.limit), more: items.length > q.limit });
    },
    get(q) {
      calls.push(`get ${q.kind.kind} ${q.namespace ?? ""}/${q.name}`);
      const o = data.objects.find(
        (x) =>
          x.kind === q.kind.kind &&
          x.metadata?.name === q.name &&
          (q.namespace === undefined || x.metadata.namespace === q.namespace),
      );
      if (o === undefined)
        return Promise.reject(
          Object.assign(new Error(`${q.kind.kind} "${q.name}" not found`), { name: "NotFound" }),
        );
      return Promise.resolve(o);
    },
    logs(q) {
      calls.push(`logs ${q.namespace}/${q.pod}${q.previous ? " previous" : ""}`);
      const text = data.logs?.[`${q.namespace}/${q.pod}${q.previous ? ":previous" : ""}`] ?? "";
      const lines = text.split("\n");
      return Promise.resolve(lines.slice(-q.tailLines).join("\n").slice(0, q.limitBytes));
    },
    metrics(q) {
      calls.push(`metrics ${q.kind}`);
      return Promise.resolve(
        data.objects.filter((o) => o.kind === (q.kind === "pods" ? "PodMetrics" : "NodeMetrics")),
      );
    },
  };
}
