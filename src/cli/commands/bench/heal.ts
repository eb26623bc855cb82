/**
 * @module
 * `vigil bench heal`: runs the scenario catalogue (deploy/scenarios) with Vigil in auto mode and with only
 * Kubernetes' own self-healing (baseline), and prints per scenario and overall: recovered, time to detect,
 * MTTR, actions and harmful actions. Two sandboxes, one per lane, run side by side; each lane reuses its
 * sandbox for every scenario (a fresh namespace each; node faults are put back after each run).
 */
import type { Command } from "commander";
import { z } from "zod";
import { VigilError } from "../../../model/index.js";
import * as scenario from "../../../scenario/index.js";
import type { CliContext } from "../../context.js";
import { renderData, renderTable } from "../../output.js";
import { catalogue, loadScenario, runScenario, type ScenarioRun } from "../../scenario/index.js";
import type { BenchSpec } from "../bench.js";
import { scenarioCluster } from "../scenario.js";

const Flags = z.object({
  only: z.string().optional(),
  timeout: z.coerce.number().int().min(10).max(3600).optional(),
  baselineCap: z.coerce.number().int().min(10).max(3600),
  vigilOnly: z.boolean().default(false),
  output: z.enum(["table", "json"]),
});

export interface HealBenchResult {
  readonly command: string;
  readonly scenarios: readonly (scenario.BenchRow & { readonly description: string })[];
  readonly overall: scenario.BenchSummary;
}

function cell(r: scenario.RunResult | null, f: (x: scenario.RunResult) => string): string {
  return r === null ? "-" : f(r);
}
const num = (x: number | null) => (x === null ? "-" : x.toFixed(1));

export const healBench: BenchSpec = {
  name: "heal",
  register(bench: Command, ctx: CliContext) {
    bench
      .command("heal")
      .description("self-healing: every scenario with Vigil and with Kubernetes alone (sandbox; minutes)")
      .option("--only <names>", "comma-separated scenario names (default: all)")
      .option("--timeout <seconds>", "override every scenario's recovery timeout with Vigil")
      .option("--baseline-cap <seconds>", "cap on how long the baseline may take to recover", "400")
      .option("--vigil-only", "skip the baseline lane")
      .option("-o, --output <format>", "table|json", "table")
      .action(async (raw: Record<string, unknown>) => {
        const parsed = Flags.safeParse(raw);
        if (!parsed.success) throw new VigilError("Usage", z.prettifyError(parsed.error));
        const f = parsed.data;
        const all = [...catalogue(ctx.cfg.root).keys()];
        const names = f.only === undefined ? all : f.only.split(",").map((s) => s.trim());
        const scs = names.map((n) => loadScenario(ctx.cfg.root, n));
        const nodes = Math.max(...scs.map((s) => s.spec.nodes));
        const progress = (m: string) => {
          ctx.err(`${m}\n`);
        };
        const lane = async (baseline: boolean): Promise<Map<string, ScenarioRun | null>> => {
          const out = new Map<string, ScenarioRun | null>();
          const cluster = await scenarioCluster(
            ctx,
            undefined,
            `heal-${baseline ? "b" : "v"}-${process.pid}`,
            nodes,
          );
          try {
            for (const sc of scs) {
              if (ctx.signal.aborted) break;
              try {
                out.set(
                  sc.metadata.name,
                  await runScenario(
                    {
                      kc: cluster.kc,
                      kubeconfigPath: cluster.path,
                      root: ctx.cfg.root,
                      progress,
                      signal: ctx.signal,
                    },
                    sc,
                    {
                      baseline,
                      timeoutSeconds: baseline ? undefined : f.timeout,
                      baselineCapSeconds: f.baselineCap,
                    },
                  ),
                );
              } catch (err) {
                progress(
                  `${sc.metadata.name} [${baseline ? "baseline" : "vigil"}]: failed: ${err instanceof Error ? err.message : String(err)}`,
                );
                out.set(sc.metadata.name, null);
              }
            }
          } finally {
            await cluster.close();
          }
          return out;
        };
        const [v, b] = await Promise.all([
          lane(false),
          f.vigilOnly ? Promise.resolve(new Map<string, ScenarioRun | null>()) : lane(true),
        ]);
        const rows = scs.map((sc) => ({
          name: sc.metadata.name,
          description: sc.metadata.description,
          vigil: v.get(sc.metadata.name)?.result ?? null,
          baseline: b.get(sc.metadata.name)?.result ?? null,
        }));
        const result: HealBenchResult = {
          command: `vigil bench heal${f.only !== undefined ? ` --only ${f.only}` : ""}`,
          scenarios: rows,
          overall: scenario.summarize(rows),
        };
        if (f.output === "json") {
          ctx.out(renderData("json", result));
          return;
        }
        ctx.out(
          renderTable(
            [
              "scenario",
              "recovered (vigil/k8s)",
              "detect_s",
              "mttr_s vigil",
              "mttr_s k8s",
              "actions",
              "harmful",
              "kinds",
              "as expected",
            ],
            rows.map((r) => [
              r.name,
              `${cell(r.vigil, (x) => (x.recovered ? "yes" : "no"))}/${cell(r.baseline, (x) => (x.recovered ? "yes" : "no"))}`,
              cell(r.vigil, (x) => num(x.detect_s)),
              cell(r.vigil, (x) => num(x.mttr_s)),
              cell(r.baseline, (x) => num(x.mttr_s)),
              cell(r.vigil, (x) => String(x.actions)),
              cell(r.vigil, (x) => String(x.harmful_actions)),
              cell(r.vigil, (x) => x.action_kinds.join(",") || "-"),
              cell(r.vigil, (x) => (x.expectation_met ? "yes" : "no")),
            ]),
          ),
        );
        const o = result.overall;
        ctx.out(
          `\nrecovered: vigil ${o.vigil_recovered}/${o.scenarios}, kubernetes ${o.baseline_recovered}/${o.scenarios}; as expected: ${o.vigil_expectation_met}/${o.scenarios}; actions ${o.vigil_actions}, harmful ${o.vigil_harmful_actions}; median MTTR vigil ${num(o.vigil_mttr_median_s)} s, kubernetes ${num(o.baseline_mttr_median_s)} s; median change where both recovered ${o.mttr_change_median === null ? "-" : `${(o.mttr_change_median * 100).toFixed(0)} %`}\n`,
        );
      });
  },
};
