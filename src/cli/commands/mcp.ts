/**
 * `vigil mcp [--http]`: serves the assistant's read-only tools to MCP clients (kagent, kubectl-ai,
 * Claude Desktop, …) over stdio, or streamable HTTP at `/mcp`. Output is redacted unless --no-redact.
 */
import type { Command } from "commander";
import { z } from "zod";
import * as kube from "../../kube/index.js";
import * as llm from "../../llm/index.js";
import type * as mcpTypes from "../../mcp/index.js";
import { VigilError } from "../../model/index.js";
import type { CliContext, CommandSpec } from "../context.js";
import { findingsSource } from "./ask.js";
import { packageVersion } from "./version.js";

const Flags = z.object({
  http: z.boolean().optional(),
  host: z.string().min(1).default("127.0.0.1"),
  port: z.coerce.number().int().min(0).max(65_535).default(8765),
  namespace: z.string().min(1).max(63).optional(),
  allNamespaces: z.boolean().optional(),
  context: z.string().min(1).optional(),
  kubeconfig: z.string().min(1).optional(),
  redact: z.boolean().default(true),
  redactIps: z.boolean().optional(),
  maxOutputBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(32 * 1024),
});

export const mcpCommand: CommandSpec = {
  name: "mcp",
  register(program: Command, ctx: CliContext) {
    program
      .command("mcp")
      .description("serve Vigil's read-only cluster tools over MCP (stdio, or streamable HTTP with --http)")
      .option("--http", "serve streamable HTTP at /mcp instead of stdio")
      .option("--host <addr>", "HTTP listen address (0.0.0.0 in a cluster)", "127.0.0.1")
      .option("--port <n>", "HTTP port", "8765")
      .option(
        "-n, --namespace <ns>",
        "default namespace for tool calls that name none (default: the context's)",
      )
      .option("-A, --all-namespaces", "tool calls that name no namespace see every namespace")
      .option("--context <name>", "kubeconfig context")
      .option("--kubeconfig <path>", "kubeconfig file (default: $KUBECONFIG, in-cluster, or ~/.kube/config)")
      .option("--no-redact", "send tool output unmasked (only for clients you trust with secrets)")
      .option("--redact-ips", "also mask IP addresses")
      .option("--max-output-bytes <n>", "cap per tool result", String(32 * 1024))
      .action(async (raw: unknown) => {
        const r = Flags.safeParse(raw);
        if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
        const f = r.data;
        const kc = kube.loadKubeConfig({ kubeconfig: f.kubeconfig, context: f.context });
        const namespace = f.allNamespaces === true ? undefined : (f.namespace ?? kube.contextNamespace(kc));
        const reader = llm.kubeReader(kc);
        let redactor: llm.Redactor | undefined;
        if (f.redact) {
          redactor = llm.createRedactor(llm.RedactionConfig.parse({ ips: f.redactIps ?? false }));
          const n = await llm.learnSecrets(reader, redactor, namespace, ctx.signal);
          if (n === 0)
            ctx.err("mcp: could not read Secrets to learn their values; pattern-based redaction only\n");
        } else {
          ctx.err("mcp: redaction is OFF (--no-redact)\n");
        }
        const mcp = await import("../../mcp/index.js"); // the MCP SDK loads only for this command
        const deps: mcpTypes.McpDeps = {
          tools: llm.READ_ONLY_TOOLS,
          context: {
            cluster: reader,
            findings: findingsSource(reader, ctx.err),
            defaultNamespace: namespace,
            now: () => new Date(),
          },
          redactor,
          maxOutputBytes: f.maxOutputBytes,
          version: packageVersion(ctx.cfg.root),
        };
        if (f.http !== true) {
          // stdout is the protocol channel: nothing else may be written to it.
          await mcp.serveStdio(deps, ctx.signal);
          return;
        }
        const srv = await mcp.serveHttp(deps, { host: f.host, port: f.port }, ctx.signal);
        ctx.err(`mcp: serving streamable HTTP at ${srv.url} (read-only tools; Ctrl-C to stop)\n`);
        await new Promise<void>((resolve) => {
          if (ctx.signal.aborted) resolve();
          ctx.signal.addEventListener("abort", () => {
            resolve();
          });
        });
        await srv.close();
      });
  },
};
