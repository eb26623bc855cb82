/**
 * @module
 * `vigil bench rightsize --data DIR [--synthetic SEED] [-o json]`: replays per-container usage traces
 * through the VPA recommender and Vigil's (src/rightsize/replay.ts) and prints slack, OOM events,
 * throttled time and cost. DIR holds `*.csv` files `ts,cpu,mem[,cpu_request,mem_request]`, or is the
 * shared data root (../shared/data), whose Crane and NAB CloudWatch CPU series are turned into container
 * traces with modelled memory. Reading files happens here; the replay is pure.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import * as fc from "../../../forecast/index.js";
import { VigilError } from "../../../model/index.js";
import * as rs from "../../../rightsize/index.js";
import type { CliContext } from "../../context.js";
import { renderData, renderTable } from "../../output.js";
import type { BenchSpec } from "../bench.js";
import { parseDuration } from "./autoscale.js";

function read(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new VigilError("NotFound", `cannot read ${file}`, { cause: err });
  }
}

/** Container traces from a directory of usage CSVs. */
export function loadUsageDir(dir: string): rs.UsageTrace[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith(".csv"))
      .sort();
  } catch (err) {
    throw new VigilError("NotFound", `cannot read directory ${dir}`, { cause: err });
  }
  return files.map((f) => {
    const path = join(dir, f);
    const r = rs.parseUsageCsv(read(path));
    if (r.kind === "error") throw new VigilError("BadInput", `${path}:${r.line}: ${r.message}`);
    return { name: f.replace(/\.csv$/, ""), samples: r.samples };
  });
}

/** The usable shared traces (data README, "Right-sizing"): Crane DSP series and NAB CloudWatch CPU. */
export function loadSharedData(root: string): rs.UsageTrace[] {
  const out: rs.UsageTrace[] = [];
  const series = (path: string) => {
    const r = fc.parseSeriesCsv(read(path));
    if (r.kind === "error") throw new VigilError("BadInput", `${path}:${r.line}: ${r.message}`);
    return r.samples;
  };
  const crane = join(root, "traces", "crane");
  if (existsSync(crane))
    for (const f of readdirSync(crane)
      .filter((x) => /^input\d+\.csv$/.test(x))
      .sort((a, b) => a.localeCompare(b, "en", { numeric: true })))
      out.push(rs.fromSingleSeries(`crane/${f.replace(".csv", "")}`, series(join(crane, f))));
  const aws = join(root, "nab", "data", "realAWSCloudwatch");
  if (existsSync(aws))
    for (const f of readdirSync(aws)
      .filter((x) => x.includes("cpu_utilization"))
      .sort())
      // CloudWatch CPU is a percentage of the instance: 2 vCPUs assumed (scale does not change slack).
      out.push(
        rs.fromSingleSeries(`nab/${f.replace(".csv", "")}`, series(join(aws, f)), {
          ...rs.SINGLE_SERIES_DEFAULTS,
          cpuPerUnit: 2 / 100,
        }),
      );
  return out;
}

function isSharedRoot(dir: string): boolean {
  return (
    existsSync(join(dir, "traces", "crane")) || existsSync(join(dir, "nab", "data", "realAWSCloudwatch"))
  );
}

const Flags = z
  .object({
    data: z.string().optional(),
    synthetic: z.coerce.number().int().min(0).optional(),
    warmup: z.string(),
    interval: z.string(),
    memoryPeakWindow: z.string(),
    cpuPrice: z.coerce.number().nonnegative(),
    memoryPrice: z.coerce.number().nonnegative(),
    write: z.string().optional(),
    output: z.enum(["table", "json"]),
  })
  .refine((f) => f.data !== undefined || f.synthetic !== undefined, {
    message: "give --data DIR and/or --synthetic SEED",
  });

function seconds(flag: string, v: string): number {
  const s = parseDuration(v);
  if (s === undefined || s <= 0)
    throw new VigilError("Usage", `--${flag}: not a duration: "${v}" (use 5m, 1h, 1d)`);
  return s;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export const rightsizeBench: BenchSpec = {
  name: "rightsize",
  register(bench: Command, ctx: CliContext) {
    bench
      .command("rightsize")
      .description("replay container usage traces through the VPA recommender and Vigil's")
      .option("--data <dir>", "CSV files ts,cpu,mem[,cpu_request,mem_request], or the shared data root")
      .option(
        "--synthetic <seed>",
        "add the generated traces (daily cycles, bursts, leak, batch, weekly, idle)",
      )
      .option("--warmup <duration>", "history before scoring starts", "1d")
      .option("--interval <duration>", "recommender and updater loop", "5m")
      .option(
        "--memory-peak-window <duration>",
        "Vigil never recommends memory below this window's peak",
        "7d",
      )
      .option("--cpu-price <x>", "per vCPU-hour", String(rs.DEFAULT_PRICING.cpuPerCoreHour))
      .option("--memory-price <x>", "per GiB-hour", String(rs.DEFAULT_PRICING.memoryPerGiBHour))
      .option("--write <dir>", "also write the traces used as CSV files into DIR (to inspect or reuse)")
      .option("-o, --output <format>", "table or json", "table")
      .action((raw: unknown) => {
        const r = Flags.safeParse(raw);
        if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
        const f = r.data;
        const cfg: rs.ReplayConfig = {
          ...rs.REPLAY_DEFAULTS,
          warmupSeconds: seconds("warmup", f.warmup),
          intervalSeconds: seconds("interval", f.interval),
          vigil: {
            ...rs.REPLAY_DEFAULTS.vigil,
            memoryPeakWindowSeconds: seconds("memory-peak-window", f.memoryPeakWindow),
          },
          pricing: { ...rs.DEFAULT_PRICING, cpuPerCoreHour: f.cpuPrice, memoryPerGiBHour: f.memoryPrice },
        };
        const traces: rs.UsageTrace[] = [];
        if (f.data !== undefined)
          traces.push(...(isSharedRoot(f.data) ? loadSharedData(f.data) : loadUsageDir(f.data)));
        if (f.synthetic !== undefined)
          traces.push(
            ...rs.syntheticTraces(fc.seededRng(f.synthetic), { ...rs.DEFAULT_SYNTHETIC, seed: f.synthetic }),
          );
        if (traces.length === 0) throw new VigilError("BadInput", `no traces found in ${f.data ?? "(none)"}`);
        if (f.write !== undefined) {
          mkdirSync(f.write, { recursive: true });
          for (const t of traces)
            writeFileSync(join(f.write, `${t.name.replace(/\//g, "_")}.csv`), rs.formatUsageCsv(t.samples));
        }
        const scores: rs.TraceScore[] = [];
        for (const t of traces) {
          if (ctx.signal.aborted) throw new VigilError("Interrupted", "interrupted");
          ctx.err(`replaying ${t.name} (${t.samples.length} samples)\n`);
          scores.push(rs.replayTrace(t, cfg));
        }
        const withOrig = scores.filter((s) => s.original !== undefined).length;
        if (withOrig > 0 && withOrig < scores.length)
          ctx.err(
            `note: original requests cover ${withOrig} of ${scores.length} traces; "original" is over those only\n`,
          );
        const summary = rs.benchSummary(scores);
        if (f.output === "json") {
          ctx.out(renderData("json", summary));
          return;
        }
        const rows: string[][] = [];
        for (const s of scores) {
          if (s.original !== undefined)
            rows.push([
              s.name,
              "original",
              pct(s.original.cpu_slack),
              pct(s.original.memory_slack),
              "-",
              "-",
              "-",
              "-",
              "-",
              s.original.cost.toFixed(2),
              "-",
            ]);
          for (const p of rs.POLICIES) {
            const x = s.policies[p];
            rows.push([
              s.name,
              p,
              pct(x.cpu_slack),
              pct(x.memory_slack),
              String(x.oom_events),
              String(Math.round(x.throttled_s)),
              String(Math.round(x.throttled_s_at_request)),
              String(Math.round(x.mem_above_request_s)),
              x.memory_limit_ratio.toFixed(2),
              x.cost.toFixed(2),
              String(x.updates),
            ]);
          }
        }
        const total = (p: rs.PolicyName) => rs.summarise(scores, p);
        const o = rs.summariseOriginal(scores);
        if (o !== undefined)
          rows.push([
            "ALL",
            "original",
            pct(o.cpu_slack),
            pct(o.memory_slack),
            "-",
            "-",
            "-",
            "-",
            "-",
            o.cost.toFixed(2),
            "-",
          ]);
        for (const p of rs.POLICIES) {
          const x = total(p);
          rows.push([
            "ALL",
            p,
            pct(x.cpu_slack),
            pct(x.memory_slack),
            String(x.oom_events),
            String(Math.round(x.throttled_s)),
            String(Math.round(x.throttled_s_at_request)),
            String(Math.round(x.mem_above_request_s)),
            x.memory_limit_ratio.toFixed(2),
            x.cost.toFixed(2),
            String(x.updates),
          ]);
        }
        ctx.out(
          renderTable(
            [
              "trace",
              "policy",
              "cpu-slack",
              "mem-slack",
              "oom",
              "throttled-s",
              "over-request-s",
              "mem-over-request-s",
              "mem-limit/request",
              "cost",
              "updates",
            ],
            rows,
          ),
        );
        const v = total("vigil");
        const b = total("vpa");
        const subset = scores.filter((s) => s.original !== undefined);
        const vigilOnSubset = rs.summarise(subset, "vigil");
        ctx.out(
          `\ntargets: vigil memory slack ${pct(v.memory_slack)} (≤ 20%), CPU slack ${pct(v.cpu_slack)} (≤ 30%), OOM ${v.oom_events} vs VPA ${b.oom_events} (≤)` +
            (o === undefined
              ? "\n"
              : `, cost ${pct(1 - vigilOnSubset.cost / o.cost)} below original (≥ 20%)\n`),
        );
      });
  },
};
