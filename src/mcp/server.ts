/**
 * `vigil mcp`: the assistant's read-only tools as an MCP server (official SDK), over stdio or
 * streamable HTTP. Mutating tools are never registered. Every result is redacted and capped as for a
 * model, since an MCP client is a model's agent.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import * as llm from "../llm/index.js";
import { VigilError } from "../model/index.js";

export interface McpDeps {
  /** Tools to expose; mutating ones are dropped here whatever the caller passes. */
  readonly tools: readonly llm.Tool[];
  readonly context: Omit<llm.ToolContext, "signal">;
  /** Undefined: no redaction (only with an explicit --no-redact). */
  readonly redactor: llm.Redactor | undefined;
  readonly maxOutputBytes: number;
  readonly version: string;
}

async function callTool(
  tool: llm.Tool,
  args: unknown,
  d: McpDeps,
  signal: AbortSignal,
): Promise<CallToolResult> {
  try {
    const result = await tool.run(args, { ...d.context, signal });
    const value = d.redactor !== undefined ? d.redactor.value(result) : result;
    const text = llm.capText(
      JSON.stringify(value),
      d.maxOutputBytes,
      "narrow the query (namespace, selectors, limit, tailLines)",
    );
    return { content: [{ type: "text", text }] };
  } catch (err) {
    const msg =
      err instanceof VigilError
        ? err.message
        : err instanceof llm.ToolInputError
          ? `invalid arguments: ${err.message}`
          : "the tool failed";
    return {
      isError: true,
      content: [{ type: "text", text: d.redactor !== undefined ? d.redactor.text(msg) : msg }],
    };
  }
}

/** An MCP server with every read-only tool registered. */
export function createMcpServer(d: McpDeps): McpServer {
  const server = new McpServer(
    { name: "vigil", version: d.version },
    {
      instructions:
        "Vigil's read-only view of a Kubernetes cluster: findings first, then narrow queries. Results are redacted and capped.",
    },
  );
  for (const tool of d.tools) {
    if (tool.mutating) continue;
    server.registerTool(
      tool.name,
      {
        description: tool.description,
        inputSchema: tool.schema,
        annotations: {
          readOnlyHint: true,
          destructiveHint: false,
          idempotentHint: true,
          openWorldHint: false,
        },
      },
      (args: unknown, extra: { signal: AbortSignal }) => callTool(tool, args, d, extra.signal),
    );
  }
  return server;
}

/** Serves over stdin/stdout until `signal` aborts or stdin closes. */
export async function serveStdio(d: McpDeps, signal: AbortSignal): Promise<void> {
  const server = createMcpServer(d);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
    signal.addEventListener("abort", () => {
      resolve();
    });
  });
  await server.connect(transport);
  await closed;
  await server.close();
}

export interface HttpServing {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Streamable HTTP on `host:port` at `/mcp`, stateless: each POST gets a fresh server and transport
 * (the SDK's stateless pattern), so no session state grows. `/healthz` answers for probes.
 */
export async function serveHttp(
  d: McpDeps,
  opts: { readonly host: string; readonly port: number },
  signal: AbortSignal,
): Promise<HttpServing> {
  const http: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return;
    }
    if (path !== "/mcp") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: the MCP endpoint is /mcp\n");
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { "content-type": "application/json", allow: "POST" }).end(
        JSON.stringify({
          jsonrpc: "2.0",
          error: { code: -32000, message: "Method not allowed (stateless server: POST only)" },
          id: null,
        }),
      );
      return;
    }
    const server = createMcpServer(d);
    // No sessionIdGenerator: stateless mode.
    const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    server
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch(() => {
        if (!res.headersSent)
          res.writeHead(500, { "content-type": "application/json" }).end(
            JSON.stringify({
              jsonrpc: "2.0",
              error: { code: -32603, message: "internal error" },
              id: null,
            }),
          );
      });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(opts.port, opts.host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const close = () =>
    new Promise<void>((resolve) => {
      http.closeAllConnections();
      http.close(() => {
        resolve();
      });
    });
  signal.addEventListener("abort", () => void close());
  const addr = http.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return { url: `http://${host}:${addr.port}/mcp`, close };
}
