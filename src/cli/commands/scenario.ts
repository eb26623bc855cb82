/**
 * @module
 * `vigil scenario run <name|file.yaml> [--baseline]`: deploys a sample workload on a sandbox (a fresh one,
 * or the cluster `--kubeconfig` names), injects a fault and measures time to detect, time to recover and
 * the actions Vigil took (none with `--baseline`: Kubernetes' own self-healing only).
 * `vigil scenario list` shows the catalogue in deploy/scenarios/.
 */
import { KubeConfig } from "@kubernetes/client-node";
import type { Command } from "commander";
import { z } from "zod";
import { VigilError } from "../../model/index.js";
import * as sandbox from "../../sandbox/index.js";
import { sandboxEnv } from "./sandbox.js";
import type { CliContext, CommandSpec } from "../context.js";
import { renderData, renderTable } from "../output.js";
import { catalogue, loadScenario, runScenario, type ScenarioRun } from "../scenario/index.js";

const Flags = z.object({
  baseline: z.boolean().default(false),
  output: z.enum(["table", "json", "yaml"]),
  kubeconfig: z.string().optional(),
  timeout: z.coerce.number().int().min(10).max(3600).optional(),
  keep: z.boolean().default(false),
});

/** A sandbox for scenario runs: the `--kubeconfig` cluster, or a fresh sandbox torn down by `close`. */
export async function scenarioCluster(
  ctx: CliContext,
  kubeconfig: string | undefined,
  name: string,
  nodes: number,
): Promise<{ kc: KubeConfig; path: string; close: () => Promise<void> }> {
  if (kubeconfig !== undefined) {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    return { kc, path: kubeconfig, close: () => Promise.resolve() };
  }
  const env = sandboxEnv(ctx);
  if (sandbox.status({ home: ctx.cfg.home }, name).exists) await sandbox.down({ home: ctx.cfg.home }, name);
  const up = await sandbox.up(env, { name, nodes, timeoutMs: 120_000, signal: ctx.signal });
  const kc = new KubeConfig();
  kc.loadFromFile(up.state.kubeconfig);
  return {
    kc,
    path: up.state.kubeconfig,
    close: async () => {
      await sandbox.down({ home: ctx.cfg.home }, name);
    },
  };
}

export function runRow(r: ScenarioRun): string[] {
  const x = r.result;
  return [
    r.name,
    r.mode,
    x.recovered ? "yes" : "no",
    x.detect_s === null ? "-" : x.detect_s.toFixed(1),
    x.mttr_s === null ? "-" : x.mttr_s.toFixed(1),
    String(x.actions),
    String(x.harmful_actions),
    x.action_kinds.join(",") || "-",
    x.expectation_met ? "yes" : "no",
  ];
}
export const RUN_HEADERS = [
  "scenario",
  "mode",
  "recovered",
  "detect_s",
  "mttr_s",
  "actions",
  "harmful",
  "kinds",
  "as expected",
];

export const scenarioCommand: CommandSpec = {
  name: "scenario",
  register(program: Command, ctx: CliContext) {
    const cmd = program
      .command("scenario")
      .description("fault scenarios: inject a fault, measure detection and recovery");
    cmd
      .command("list")
      .description("list the scenarios shipped in deploy/scenarios")
      .action(() => {
        const rows = [...catalogue(ctx.cfg.root)].map(([name, file]) => {
          const sc = loadScenario(ctx.cfg.root, file);
          return [name, sc.metadata.description.split("\n")[0] ?? ""];
        });
        ctx.out(renderTable(["name", "description"], rows));
      });
    cmd
      .command("run")
      .description("run one scenario (a catalogue name or a file) with Vigil, or --baseline without it")
      .argument("<scenario>", "a name from `vigil scenario list` or a scenario .yaml file")
      .option("--baseline", "do not start Vigil: measure Kubernetes' own self-healing")
      .option("--kubeconfig <file>", "use a running sandbox instead of starting one")
      .option("--timeout <seconds>", "override the scenario's recovery timeout")
      .option("--keep", "keep the scenario's namespace afterwards")
      .option("-o, --output <format>", "table|json|yaml", "table")
      .action(async (name: string, raw: Record<string, unknown>) => {
        const parsed = Flags.safeParse(raw);
        if (!parsed.success) throw new VigilError("Usage", z.prettifyError(parsed.error));
        const f = parsed.data;
        const sc = loadScenario(ctx.cfg.root, name);
        const cluster = await scenarioCluster(ctx, f.kubeconfig, `scenario-${process.pid}`, sc.spec.nodes);
        try {
          const run = await runScenario(
            {
              kc: cluster.kc,
              kubeconfigPath: cluster.path,
              root: ctx.cfg.root,
              progress: (m) => {
                ctx.err(`${m}\n`);
              },
              signal: ctx.signal,
            },
            sc,
            { baseline: f.baseline, timeoutSeconds: f.timeout, keep: f.keep },
          );
          if (f.output === "table") {
            ctx.out(renderTable(RUN_HEADERS, [runRow(run)]));
            for (const n of run.result.notes) ctx.out(`note: ${n}\n`);
          } else ctx.out(renderData(f.output, run));
        } finally {
          await cluster.close();
        }
      });
  },
};
