/**
 * @module
 * `vigil analyze [-n NS | -A] [-l SELECTOR] [-o table|json|yaml] [--fail-on SEVERITY]`: lists the cluster once,
 * runs the health analyzers and prints one finding per root cause with the health score. Exit 0 when nothing
 * is at or above --fail-on, 1 when something is, 2 on any error (one sentence on stderr).
 */
import type { Command } from "commander";
import { z } from "zod";
import * as health from "../../health/index.js";
import { buildSnapshot, loadKubeConfig } from "../../kube/index.js";
import { toFindingView } from "../../llm/index.js";
import { VigilError } from "../../model/index.js";
import type { CliContext, CommandSpec } from "../context.js";
import { explainFindings } from "./ask.js";
import { OutputFormat, renderData, renderTable } from "../output.js";

/** A VigilError that carries its own exit status (main honours `exitCode`). */
export class AnalyzeExit extends VigilError {
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode: number, options?: ErrorOptions & { hint?: string }) {
    super(code, message, options);
    this.exitCode = exitCode;
  }
}

const Flags = z
  .object({
    namespace: z.string().min(1).optional(),
    allNamespaces: z.boolean().optional(),
    selector: z.string().min(1).optional(),
    output: OutputFormat,
    failOn: z.enum(health.SEVERITIES, { message: `--fail-on is one of ${health.SEVERITIES.join(", ")}` }),
    context: z.string().min(1).optional(),
    kubeconfig: z.string().min(1).optional(),
    hygiene: z.boolean(),
    explain: z.boolean().optional(),
  })
  .refine((f) => !(f.namespace !== undefined && f.allNamespaces === true), {
    message: "use either -n NAMESPACE or -A, not both",
  });

function age(now: Date, iso: string | undefined): string {
  if (iso === undefined) return "-";
  const s = Math.max(0, (now.getTime() - Date.parse(iso)) / 1000);
  if (s < 120) return `${Math.round(s)}s`;
  if (s < 7_200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3_600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

export function renderReportTable(r: health.HealthReport, now: Date): string {
  const scope =
    r.scope.namespaces === "all" ? "all namespaces" : `namespace ${r.scope.namespaces.join(", ")}`;
  if (r.findings.length === 0) return `no findings in ${scope} (health score ${r.score.score}/100)\n`;
  const rows = r.findings.map((f) => [
    f.severity.toUpperCase(),
    f.object.namespace === "" ? "-" : f.object.namespace,
    `${f.object.kind}/${f.object.name}`,
    f.code,
    age(now, f.since),
    f.reason,
  ]);
  const s = r.summary;
  const perNs = r.score.namespaces
    .filter((n) => n.score < 100)
    .map((n) => `${n.namespace === "" ? "(cluster)" : n.namespace} ${n.score}`)
    .join(", ");
  return (
    renderTable(["severity", "namespace", "object", "code", "age", "reason"], rows) +
    `\nhealth score ${r.score.score}/100${perNs !== "" ? ` (${perNs})` : ""}; ${s.findings} findings: ${s.critical} critical, ${s.high} high, ${s.medium} medium, ${s.low} low\n` +
    "fixes and evidence: vigil analyze -o yaml\n"
  );
}

export const analyzeCommand: CommandSpec = {
  name: "analyze",
  register(program: Command, ctx: CliContext) {
    program
      .command("analyze")
      .description(
        "find what is wrong in the cluster and why: one finding per root cause, with evidence and a fix",
      )
      .option("-n, --namespace <namespace>", "one namespace (default: the context's namespace)")
      .option("-A, --all-namespaces", "every namespace")
      .option("-l, --selector <selector>", "label selector for workloads, pods and what selects them")
      .option("-o, --output <format>", "table, json or yaml", "table")
      .option(
        "--fail-on <severity>",
        "exit 1 when a finding is at or above: critical, high, medium, low",
        "high",
      )
      .option("--no-hygiene", "leave out container hygiene findings (privileged, root, no limits, :latest)")
      .option("--context <context>", "kubeconfig context")
      .option("--kubeconfig <file>", "kubeconfig file")
      .option(
        "--explain",
        "explain the findings in plain language (a model if configured, else Vigil's own words)",
      )
      .action(async (raw: unknown) => {
        const r = Flags.safeParse(raw);
        if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
        const f = r.data;
        let report: health.HealthReport;
        try {
          const kc = loadKubeConfig({ kubeconfig: f.kubeconfig, context: f.context });
          const namespace =
            f.allNamespaces === true
              ? undefined
              : (f.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default");
          const built = await buildSnapshot(kc, { namespace, labelSelector: f.selector });
          for (const w of built.warnings) ctx.err(`warning: ${w}\n`);
          const now = new Date();
          const cfg = health.HealthConfig.parse({ hygiene: f.hygiene });
          const findings = health.analyze(now, built.snapshot, cfg);
          report = health.buildReport(now, built.snapshot, findings, {
            labelSelector: f.selector,
            warnings: built.warnings,
          });
          ctx.out(f.output === "table" ? renderReportTable(report, now) : renderData(f.output, report));
          if (f.explain === true) {
            ctx.out(
              "\n" +
                (await explainFindings(
                  findings.map(toFindingView),
                  { kubeconfig: f.kubeconfig, context: f.context, namespace },
                  ctx,
                )),
            );
          }
        } catch (err) {
          if (err instanceof VigilError) {
            throw new AnalyzeExit(err.code, err.message, 2, {
              cause: err,
              ...(err.hint !== undefined ? { hint: err.hint } : {}),
            });
          }
          throw new AnalyzeExit("Internal", err instanceof Error ? err.message : String(err), 2, {
            cause: err,
          });
        }
        const rank = health.severityRank(f.failOn);
        const failing = report.findings.filter((x) => health.severityRank(x.severity) >= rank).length;
        if (failing > 0) {
          throw new AnalyzeExit("Findings", `${failing} finding(s) at or above --fail-on ${f.failOn}`, 1);
        }
      });
  },
};
