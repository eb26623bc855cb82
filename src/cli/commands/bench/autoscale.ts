/**
 * @module
 * `vigil bench autoscale --trace FILE.csv`: replays a request-rate trace through the HPA simulator and
 * through Vigil's predictive policy, and prints SLO-violation minutes, availability, replica-hours,
 * scaling actions and the largest step. `--synthetic SEED` generates a daily-cycle-with-spikes trace.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import * as as from "../../../autoscale/index.js";
import * as fc from "../../../forecast/index.js";
import { VigilError } from "../../../model/index.js";
import type { CliContext } from "../../context.js";
import { renderData, renderTable } from "../../output.js";
import type { BenchSpec } from "../bench.js";

/** "60s", "5m", "1h", "2d" or plain seconds. */
export function parseDuration(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/.exec(s.trim());
  if (m === null) return undefined;
  const mult = { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] ?? "s"] ?? 1;
  return Number(m[1]) * mult;
}

const Duration = z.string().transform((s, c) => {
  const v = parseDuration(s);
  if (v === undefined) {
    c.addIssue({ code: "custom", message: `not a duration: "${s}" (use 60s, 5m, 1h)` });
    return z.NEVER;
  }
  return v;
});

const Flags = z
  .object({
    trace: z.string().optional(),
    synthetic: z.coerce.number().int().min(0).optional(),
    capacityPerPod: z.coerce.number().positive(),
    startup: Duration,
    slo: Duration,
    hpaTarget: z.coerce.number().gt(0).lte(1),
    vigilTarget: z.coerce.number().gt(0).lte(1),
    warmup: Duration,
    rescaleMedian: z.coerce.number().positive().optional(),
    forecaster: z.enum(["seasonal", "ensemble", "none"]),
    output: z.enum(["table", "json"]),
  })
  .refine((f) => (f.trace === undefined) !== (f.synthetic === undefined), {
    message: "give exactly one of --trace or --synthetic",
  });

function loadTrace(file: string): as.TraceInput {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new VigilError("NotFound", `cannot read ${file}`, { cause: err });
  }
  const r = fc.parseSeriesCsv(text);
  if (r.kind === "error") throw new VigilError("BadInput", `${file}:${r.line}: ${r.message}`);
  const p = fc.prepareSeries(r.samples);
  if (p.kind !== "ok") throw new VigilError("BadInput", `${file}: row ${p.index + 2}: ${p.message}`);
  return { start: p.series.start, step: p.series.step, values: p.series.values };
}

/** Scales a unit-less series so its median rate (value / step) is `median` requests per second. */
export function rescaleToMedian(tr: as.TraceInput, median: number): as.TraceInput {
  const rates = tr.values.map((v) => v / tr.step).sort((a, b) => a - b);
  const med = rates[Math.floor(rates.length / 2)] ?? 0;
  if (!(med > 0)) throw new VigilError("BadInput", "the trace's median is 0: cannot rescale it");
  const k = median / med;
  return { ...tr, values: tr.values.map((v) => Math.max(0, v * k)) };
}

const pick = (r: as.PolicyRun): as.PolicyScore => ({
  slo_violation_minutes: r.slo_violation_minutes,
  availability: r.availability,
  replica_hours: r.replica_hours,
  actions: r.actions,
  max_step: r.max_step,
});

export const autoscaleBench: BenchSpec = {
  name: "autoscale",
  register(bench: Command, ctx: CliContext) {
    bench
      .command("autoscale")
      .description("replay a request-rate trace through the HPA and through Vigil's predictive policy")
      .option("--trace <file>", "CSV ts,value: unix seconds, requests per interval")
      .option("--synthetic <seed>", "use a generated 8-day trace (daily cycle, a daily spike, random spikes)")
      .option("--capacity-per-pod <x>", "requests per second one pod serves", "100")
      .option("--startup <duration>", "pod start-up time until Ready", "60s")
      .option("--slo <duration>", "latency SLO", "0.5s")
      .option("--hpa-target <share>", "the HPA's per-pod target as a share of capacity", "0.7")
      .option("--vigil-target <share>", "Vigil's per-pod utilisation target", "0.7")
      .option("--warmup <duration>", "history before scoring starts", "2d")
      .option(
        "--rescale-median <rate>",
        "multiply the trace so its median rate is this many requests per second (for unit-less series)",
      )
      .option(
        "--forecaster <name>",
        "Vigil's forecast: seasonal, ensemble (the first version) or none",
        "seasonal",
      )
      .option("-o, --output <format>", "table or json", "table")
      .action((raw: unknown) => {
        const r = Flags.safeParse(raw);
        if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
        const f = r.data;
        const synthetic = f.trace === undefined ? as.syntheticTrace({ seed: f.synthetic ?? 1 }) : undefined;
        const loaded = synthetic ?? loadTrace(f.trace ?? "");
        const trace = f.rescaleMedian === undefined ? loaded : rescaleToMedian(loaded, f.rescaleMedian);
        const cfg: as.SimConfig = {
          ...as.DEFAULT_SIM,
          capacityPerPod: f.capacityPerPod,
          startupSeconds: f.startup,
          sloSeconds: f.slo,
          hpaTargetUtilization: f.hpaTarget,
          warmupSeconds: Math.min(f.warmup, Math.floor((trace.values.length * trace.step) / 2)),
          forecaster: f.forecaster,
          predictive: { ...as.DEFAULT_SIM.predictive, targetUtilization: f.vigilTarget },
        };
        // Synthetic traces know their spikes: score the recurring and the random ones apart.
        const res = as.simulate(trace, cfg, synthetic === undefined ? [] : as.spikeWindows(synthetic));
        const kinds = Object.keys(res.vigil.by_window).sort();
        const out = {
          hpa: pick(res.hpa),
          vigil: pick(res.vigil),
          spikes: {
            minutes: res.spikeMinutes,
            hpa_availability: res.hpa.spike_availability,
            vigil_availability: res.vigil.spike_availability,
            hpa_violation_minutes: res.hpa.spike_violation_minutes,
            vigil_violation_minutes: res.vigil.spike_violation_minutes,
          },
          ...(kinds.length === 0
            ? {}
            : {
                windows: Object.fromEntries(
                  kinds.map((k) => [k, { hpa: res.hpa.by_window[k], vigil: res.vigil.by_window[k] }]),
                ),
              }),
          scored_minutes: res.scoredMinutes,
          ratios: {
            violation_minutes:
              res.hpa.slo_violation_minutes === 0
                ? 0
                : res.vigil.slo_violation_minutes / res.hpa.slo_violation_minutes,
            replica_hours: res.vigil.replica_hours / res.hpa.replica_hours,
          },
        };
        if (f.output === "json") {
          ctx.out(renderData("json", out));
          return;
        }
        const row = (name: string, p: as.PolicyRun) => [
          name,
          String(p.slo_violation_minutes),
          (100 * p.availability).toFixed(3),
          (100 * p.spike_availability).toFixed(2),
          p.replica_hours.toFixed(1),
          String(p.actions),
          String(p.max_step),
        ];
        ctx.out(
          renderTable(
            [
              "policy",
              "slo-violation-min",
              "availability%",
              "spike-avail%",
              "replica-hours",
              "actions",
              "max-step",
            ],
            [row("hpa", res.hpa), row("vigil", res.vigil)],
          ),
        );
        for (const k of kinds) {
          const h = res.hpa.by_window[k];
          const v = res.vigil.by_window[k];
          if (h === undefined || v === undefined) continue;
          ctx.out(
            `${k} spikes (+5 min): violation minutes hpa ${h.slo_violation_minutes} / vigil ${v.slo_violation_minutes}, availability ${(100 * h.availability).toFixed(2)}% / ${(100 * v.availability).toFixed(2)}%\n`,
          );
        }
        ctx.out(
          `\nvigil/hpa: ${(100 * out.ratios.violation_minutes).toFixed(0)}% of violation minutes at ${(100 * out.ratios.replica_hours).toFixed(0)}% of replica-hours (${res.scoredMinutes} scored minutes, ${res.spikeMinutes} in spikes)\n`,
        );
      });
  },
};
