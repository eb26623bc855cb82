/**
 * @module
 * `vigil recommend --usage FILE.csv [-o table|json|yaml]`: CPU and memory recommendations for one
 * container from its usage history, from the VPA recommender and from Vigil, with the QoS class change
 * and the monthly cost. The history comes through a `UsageSource` port: a CSV file today; a live source
 * (metrics.k8s.io samples collected by the operator, or Prometheus) implements the same port, and
 * `-n/-A`, `--apply` and `--dry-run` (patching the owning workload's template) come with it.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { VigilError } from "../../model/index.js";
import * as rs from "../../rightsize/index.js";
import type { CliContext, CommandSpec } from "../context.js";
import { OutputFormat, renderData, renderTable } from "../output.js";

/** Where a container's usage history comes from. */
export interface UsageSource {
  readonly describe: string;
  load(signal: AbortSignal): Promise<readonly rs.UsageTrace[]>;
}

export function usageFileSource(path: string): UsageSource {
  return {
    describe: path,
    load() {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (err) {
        return Promise.reject(new VigilError("NotFound", `cannot read ${path}`, { cause: err }));
      }
      const r = rs.parseUsageCsv(text);
      if (r.kind === "error")
        return Promise.reject(new VigilError("BadInput", `${path}:${r.line}: ${r.message}`));
      return Promise.resolve([{ name: basename(path).replace(/\.csv$/, ""), samples: r.samples }]);
    },
  };
}

const Flags = z.object({
  usage: z.string({ message: "--usage FILE.csv is required (a live cluster source is not available yet)" }),
  cpuLimit: z.coerce.number().positive().optional(),
  memoryLimit: z.coerce.number().positive().optional(),
  cpuPrice: z.coerce.number().nonnegative(),
  memoryPrice: z.coerce.number().nonnegative(),
  output: OutputFormat,
});

const cores = (x: number | undefined) =>
  x === undefined ? "-" : !Number.isFinite(x) ? "∞" : x >= 1 ? x.toFixed(2) : `${Math.ceil(x * 1000)}m`;
const bytes = (x: number | undefined) =>
  x === undefined
    ? "-"
    : !Number.isFinite(x)
      ? "∞"
      : x >= rs.GiB
        ? `${(x / rs.GiB).toFixed(2)}Gi`
        : `${Math.ceil(x / rs.MiB)}Mi`;
const money = (x: number | undefined, cur: string) => (x === undefined ? "-" : `${x.toFixed(2)} ${cur}`);

/** JSON-friendly: infinite bounds become null. */
function finite(r: rs.RecommendReport): unknown {
  return JSON.parse(
    JSON.stringify(r, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v)),
  );
}

export function renderRecommendTable(r: rs.RecommendReport): string {
  const rows = [
    [
      "current",
      "-",
      cores(r.current.cpu),
      "-",
      "-",
      bytes(r.current.mem),
      "-",
      "-",
      "-",
      money(r.monthly.current, r.currency),
    ],
    ...[r.vpa, r.vigil].map((x) => [
      x.recommender,
      cores(x.cpu.lower),
      cores(x.cpu.target),
      cores(x.cpu.upper),
      bytes(x.mem.lower),
      bytes(x.mem.target),
      bytes(x.mem.upper),
      `${cores(x.limits.cpu)} / ${bytes(x.limits.mem)}`,
      x.confidence.toFixed(2),
      money(x.recommender === "vpa" ? r.monthly.vpa : r.monthly.vigil, r.currency),
    ]),
  ];
  const days = (r.to - r.from) / rs.DAY;
  return (
    `container: ${r.container}  history: ${days.toFixed(1)} days, ${r.samples} samples  peak: ${cores(r.peak.cpu)} CPU, ${bytes(r.peak.mem)} memory\n\n` +
    renderTable(
      [
        "",
        "cpu-lower",
        "cpu-target",
        "cpu-upper",
        "mem-lower",
        "mem-target",
        "mem-upper",
        "limits",
        "confidence",
        "per-month",
      ],
      rows,
    ) +
    `\nQoS: vpa ${r.qos.vpa.note}; vigil ${r.qos.vigil.note}\n` +
    r.vigil.reasons.map((x) => `vigil ${x}\n`).join("")
  );
}

export const recommendCommand: CommandSpec = {
  name: "recommend",
  register(program: Command, ctx: CliContext) {
    program
      .command("recommend")
      .description("recommend CPU and memory requests and limits (VPA baseline and Vigil) from usage history")
      .option("--usage <file>", "CSV ts,cpu,mem[,cpu_request,mem_request]: unix seconds, cores, bytes")
      .option("--cpu-limit <cores>", "the container's current CPU limit, for the QoS class")
      .option("--memory-limit <bytes>", "the container's current memory limit, for the QoS class")
      .option("--cpu-price <x>", "per vCPU-hour", String(rs.DEFAULT_PRICING.cpuPerCoreHour))
      .option("--memory-price <x>", "per GiB-hour", String(rs.DEFAULT_PRICING.memoryPerGiBHour))
      .option("-o, --output <format>", "table, json or yaml", "table")
      .action(async (raw: unknown) => {
        const r = Flags.safeParse(raw);
        if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
        const f = r.data;
        const source = usageFileSource(f.usage);
        const traces = await source.load(ctx.signal);
        const opts: rs.RecommendOptions = {
          ...rs.RECOMMEND_DEFAULTS,
          pricing: { ...rs.DEFAULT_PRICING, cpuPerCoreHour: f.cpuPrice, memoryPerGiBHour: f.memoryPrice },
          currentLimits: { cpu: f.cpuLimit, mem: f.memoryLimit },
        };
        const reports = traces.map((t) => rs.recommendTrace(t, opts));
        if (f.output !== "table") {
          ctx.out(
            renderData(
              f.output,
              reports.length === 1 ? finite(reports[0] as rs.RecommendReport) : reports.map(finite),
            ),
          );
          return;
        }
        ctx.out(reports.map(renderRecommendTable).join("\n"));
      });
  },
};
