/**
 * `vigil ask [-n NS] "question"`: answers questions about the cluster. With a provider configured, a model
 * investigates through Vigil's read-only tools (findings first), every tool output redacted and capped;
 * with none, the answer comes from the findings, deterministically. Interactive when no question is given
 * and stdin is a terminal. Writes go only through the remediation engine: the planner builds the action under
 * its guardrails, the exact patch is dry-run and shown, applied after a y/N on a terminal and journaled in an
 * Incident; with no terminal every write is refused.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import * as kube from "../../kube/index.js";
import * as llm from "../../llm/index.js";
import { VigilError } from "../../model/index.js";
import type { CliContext, CommandSpec } from "../context.js";

const Flags = z.object({
  namespace: z.string().min(1).max(63).optional(),
  allNamespaces: z.boolean().optional(),
  context: z.string().min(1).optional(),
  kubeconfig: z.string().min(1).optional(),
  provider: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  baseUrl: z.string().min(1).optional(),
  toolMode: z.enum(["native", "json"]).optional(),
  llmConfig: z.string().min(1).optional(),
  maxSteps: z.coerce.number().int().min(1).max(50).optional(),
  redactIps: z.boolean().optional(),
  redactEmails: z.boolean().optional(),
  output: z.enum(["text", "json"]).default("text"),
  incidentNamespace: z.string().min(1).max(63).default("default"),
});
type Flags = z.infer<typeof Flags>;

/** The LLM config file: --llm-config, else $VIGIL_HOME/llm.yaml when it exists. */
function readConfigFile(path: string | undefined, home: string): llm.LlmConfigFile | undefined {
  const p = path ?? join(home, "llm.yaml");
  if (path === undefined && !existsSync(p)) return undefined;
  try {
    return parseYaml(readFileSync(p, "utf8")) as llm.LlmConfigFile;
  } catch (err) {
    throw new VigilError("LlmConfig", `cannot read the LLM config file ${p}`, { cause: err });
  }
}

/** Settings from flags, the environment (read here, in the CLI) and the config file; undefined: no model. */
export function llmSettings(f: Flags, ctx: CliContext): llm.LlmConfig | undefined {
  const file = readConfigFile(f.llmConfig, ctx.cfg.home);
  const env: llm.EnvRecord = Object.freeze({ ...process.env });
  const cfg = llm.resolveLlmConfig(
    { provider: f.provider, model: f.model, baseUrl: f.baseUrl, toolMode: f.toolMode },
    env,
    file,
  );
  if (cfg === undefined) return undefined;
  return Object.freeze({
    ...cfg,
    ...(f.maxSteps !== undefined ? { maxSteps: f.maxSteps } : {}),
    redaction: Object.freeze({
      ...cfg.redaction,
      ...(f.redactIps !== undefined ? { ips: f.redactIps } : {}),
      ...(f.redactEmails !== undefined ? { emails: f.redactEmails } : {}),
    }),
  });
}

const retryPorts = {
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  sleep: (ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal }),
  random: Math.random,
};

/**
 * `--explain` for other commands: the findings go to the model first (grounded, cheap); read-only tools only,
 * nothing can be written. With no model configured, the deterministic answer from the findings.
 */
export async function explainFindings(
  findings: readonly llm.FindingView[],
  opts: {
    readonly kubeconfig?: string | undefined;
    readonly context?: string | undefined;
    readonly namespace: string | undefined;
  },
  ctx: CliContext,
): Promise<string> {
  const scope = opts.namespace === undefined ? "all namespaces" : `namespace ${opts.namespace}`;
  const question = "Explain what is wrong, why (the root cause), and what to do, most important first.";
  const cfg = llmSettings(Flags.parse({}), ctx);
  if (cfg === undefined)
    return llm.answerWithoutModel("what is broken, why and what should I do?", findings, scope);
  const kc = kube.loadKubeConfig({ kubeconfig: opts.kubeconfig, context: opts.context });
  const reader = llm.kubeReader(kc);
  const redactor = llm.createRedactor(cfg.redaction);
  await llm.learnSecrets(reader, redactor, opts.namespace, ctx.signal);
  const res = await llm.runAgent(question, {
    provider: llm.createProvider(cfg, retryPorts),
    tools: llm.READ_ONLY_TOOLS,
    toolContext: {
      cluster: reader,
      findings: () => Promise.resolve(findings),
      defaultNamespace: opts.namespace,
      now: () => new Date(),
      signal: ctx.signal,
    },
    redactor,
    approve: () => Promise.resolve(false),
    remediator: undefined,
    maxSteps: cfg.maxSteps,
    toolMode: cfg.toolMode,
    maxOutputTokens: cfg.maxOutputTokens,
    preamble: JSON.stringify({ scope, findings: findings.slice(0, 20), total: findings.length }),
  });
  return res.answer.trimEnd() + "\n";
}

/** Findings from the health analyzers; the raw-state summary when they fail (e.g. a schema drift). */
export function findingsSource(reader: llm.ClusterReader, err: (t: string) => void): llm.FindingsSource {
  const fromHealth = llm.healthFindings(reader, () => new Date());
  const fallback = llm.rawStateFindings(reader);
  return async (scope, signal) => {
    try {
      return await fromHealth(scope, signal);
    } catch (e) {
      if (e instanceof VigilError && e.code.startsWith("Kube")) throw e;
      err("ask: health analyzers failed; using the basic pod/event summary\n");
      return fallback(scope, signal);
    }
  };
}

/** y/N on the terminal after showing the planned action and its exact patch; false without a terminal. */
function terminalApprover(rl: () => Interface | undefined, ctx: CliContext): llm.Approver {
  return async (w) => {
    const r = rl();
    if (r === undefined) return false;
    const t = w.action.target;
    const patch = w.patch.length > 6000 ? `${w.patch.slice(0, 6000)}\n… (${w.patch.length} bytes)` : w.patch;
    ctx.err(
      `\nThe assistant asks to ${w.action.kind} ${t.kind} ${t.namespace}/${t.name} (${w.request.tool}).\n` +
        `  the model's reason: ${w.request.reason}\n` +
        `  Vigil's planner:    ${w.action.reason.message}\n` +
        `  policy: ${w.policy}; ${w.action.disruptive ? "disruptive" : "not disruptive"}; server dry run: ${w.dryRun}\n` +
        `  requests that will be sent (field manager vigil):\n${patch}\n`,
    );
    const a = await r.question("Apply this change? [y/N] ");
    return /^y(es)?$/i.test(a.trim());
  };
}

function footer(res: llm.AgentResult, cfg: llm.LlmConfig, redactor: llm.Redactor): string {
  const cost = llm.costUsd(res.usage, cfg.inputPricePerMTok, cfg.outputPricePerMTok);
  return (
    `[${cfg.provider}:${cfg.model} · ${res.steps} step(s) · ${res.toolCalls.length} tool call(s) · ` +
    `${res.usage.inputTokens} in / ${res.usage.outputTokens} out tokens` +
    (cost !== undefined ? ` · $${cost.toFixed(4)}` : "") +
    ` · ${redactor.size} value(s) redacted]\n`
  );
}

export const askCommand: CommandSpec = {
  name: "ask",
  register(program: Command, ctx: CliContext) {
    program
      .command("ask")
      .description(
        "ask about the cluster in plain language (a model if configured; Vigil's findings otherwise)",
      )
      .argument("[question...]", "the question; none: interactive when stdin is a terminal")
      .option("-n, --namespace <ns>", "namespace to focus on (default: the context's)")
      .option("-A, --all-namespaces", "look at every namespace")
      .option("--context <name>", "kubeconfig context")
      .option("--kubeconfig <path>", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
      .option(
        "--provider <name>",
        "openai | azure | anthropic | gemini | ollama (default: $VIGIL_LLM_PROVIDER)",
      )
      .option("--model <name>", "model or Azure deployment (default: $VIGIL_LLM_MODEL)")
      .option("--base-url <url>", "OpenAI-compatible server or proxy (default: $VIGIL_LLM_BASE_URL)")
      .option("--tool-mode <mode>", "native | json (tools described in the prompt, for weak tool calling)")
      .option("--llm-config <file>", "YAML/JSON LLM settings (default: $VIGIL_HOME/llm.yaml if present)")
      .option("--max-steps <n>", "tool-calling rounds before the model must answer")
      .option("--redact-ips", "also mask IP addresses before they reach the model")
      .option("--no-redact-emails", "do not mask e-mail addresses")
      .option("-o, --output <format>", "text or json", "text")
      .option(
        "--incident-namespace <ns>",
        "where approved actions are journaled as Incidents (as vigil run)",
        "default",
      )
      .action(async (words: string[], raw: unknown) => {
        const r = Flags.safeParse(raw);
        if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
        const f = r.data;
        const question = words.join(" ").trim();
        const interactive = question === "" && process.stdin.isTTY;
        if (question === "" && !interactive) {
          throw new VigilError("Usage", 'give a question, e.g. vigil ask "why is checkout failing?"', {
            hint: "run it on a terminal without a question for an interactive session",
          });
        }
        const cfg = llmSettings(f, ctx);
        const kc = kube.loadKubeConfig({ kubeconfig: f.kubeconfig, context: f.context });
        const namespace = f.allNamespaces === true ? undefined : (f.namespace ?? kube.contextNamespace(kc));
        const scope = namespace === undefined ? "all namespaces" : `namespace ${namespace}`;
        const reader = llm.kubeReader(kc);
        const findings = findingsSource(reader, ctx.err);

        if (cfg === undefined) {
          const list = await findings({ namespace }, ctx.signal);
          const q = question === "" ? "what is broken?" : question;
          ctx.out(
            f.output === "json"
              ? JSON.stringify(
                  { answer: llm.answerWithoutModel(q, list, scope), provider: undefined, findings: list },
                  undefined,
                  2,
                ) + "\n"
              : llm.answerWithoutModel(q, list, scope),
          );
          return;
        }

        const provider = llm.createProvider(cfg, retryPorts);
        const redactor = llm.createRedactor(cfg.redaction);
        const learned = await llm.learnSecrets(reader, redactor, namespace, ctx.signal);
        if (learned === 0)
          ctx.err("ask: could not read Secrets to learn their values; pattern-based redaction only\n");
        let rl: Interface | undefined;
        const tty = process.stdin.isTTY && process.stderr.isTTY;
        const getRl = () => {
          if (!tty) return undefined;
          rl ??= createInterface({ input: process.stdin, output: process.stderr });
          return rl;
        };
        const toolContext: llm.ToolContext = {
          cluster: reader,
          findings,
          defaultNamespace: namespace,
          now: () => new Date(),
          signal: ctx.signal,
        };
        // Findings first: the model starts grounded, and cheap questions need no tool call.
        const initial = await findings({ namespace }, ctx.signal);
        const preamble = JSON.stringify({ scope, findings: initial.slice(0, 20), total: initial.length });
        const base = {
          provider,
          tools: llm.ALL_TOOLS,
          toolContext,
          redactor,
          approve: terminalApprover(getRl, ctx),
          // Writes exist only with a terminal to approve them on, and only through the remediation engine.
          remediator: tty
            ? llm.createRemediator({
                cluster: reader,
                send: llm.kubeSender(kc),
                journal: llm.kubeJournal(kc, f.incidentNamespace, () => new Date()),
                now: () => new Date(),
              })
            : undefined,
          maxSteps: cfg.maxSteps,
          toolMode: cfg.toolMode,
          maxOutputTokens: cfg.maxOutputTokens,
          onStep: (e: { tool: string; ok: boolean; bytes: number }) => {
            ctx.err(`  · ${e.tool}${e.ok ? "" : " (error)"} ${e.bytes} bytes\n`);
          },
        };
        try {
          if (!interactive) {
            const res = await llm.runAgent(question, { ...base, preamble });
            if (f.output === "json") {
              ctx.out(
                JSON.stringify(
                  {
                    answer: res.answer,
                    provider: provider.id,
                    stopReason: res.stopReason,
                    usage: res.usage,
                    toolCalls: res.toolCalls.map((c) => ({ name: c.name, ok: c.ok, bytes: c.bytes })),
                    writes: res.writes,
                  },
                  undefined,
                  2,
                ) + "\n",
              );
            } else {
              ctx.out(res.answer.trimEnd() + "\n");
              ctx.err(footer(res, cfg, redactor));
            }
            return;
          }
          ctx.err(`vigil ask: ${provider.id}, ${scope}. Empty line or Ctrl-D to quit.\n`);
          let history: readonly llm.ChatMessage[] = [];
          for (;;) {
            const r2 = getRl();
            if (r2 === undefined) break;
            let q: string;
            try {
              q = (await r2.question("vigil> ")).trim();
            } catch {
              break; // Ctrl-D / closed
            }
            if (q === "" || q === "exit" || q === "quit") break;
            const res = await llm.runAgent(q, {
              ...base,
              history,
              preamble: history.length === 0 ? preamble : undefined,
            });
            history = res.messages;
            ctx.out(res.answer.trimEnd() + "\n");
            ctx.err(footer(res, cfg, redactor));
          }
        } finally {
          rl?.close();
        }
      });
  },
};
