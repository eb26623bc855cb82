/**
 * @module
 * `vigil forecast (deployment/NAME | --series FILE) [--horizon 1h]`: the forecast with intervals, the
 * model chosen and a terminal chart. The series comes from a pluggable source: a CSV file, or a
 * workload's history (Prometheus range queries with --prometheus-url, else the checkpoint ConfigMap that
 * `vigil run --scalers` keeps).
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import * as fc from "../../forecast/index.js";
import { contextNamespace, loadKubeConfig } from "../../kube/index.js";
import * as metrics from "../../metrics/index.js";
import { VigilError } from "../../model/index.js";
import type { CliContext, CommandSpec } from "../context.js";
import { renderData, renderTable } from "../output.js";
import { parseDuration } from "./bench/autoscale.js";

/** Where a series comes from. A live source (metrics history, Prometheus) implements the same port. */
export interface SeriesSource {
  readonly describe: string;
  load(signal: AbortSignal): Promise<readonly fc.Sample[]>;
}

export function fileSource(path: string): SeriesSource {
  return {
    describe: path,
    load() {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (err) {
        return Promise.reject(new VigilError("NotFound", `cannot read ${path}`, { cause: err }));
      }
      const r = fc.parseSeriesCsv(text);
      if (r.kind === "error")
        return Promise.reject(new VigilError("BadInput", `${path}:${r.line}: ${r.message}`));
      return Promise.resolve(r.samples);
    },
  };
}

const KINDS: Readonly<Record<string, string>> = {
  deployment: "Deployment",
  deployments: "Deployment",
  deploy: "Deployment",
  statefulset: "StatefulSet",
  statefulsets: "StatefulSet",
  sts: "StatefulSet",
};

/** `deployment/NAME` (kubectl spellings) to a workload; undefined when it is not one. */
export function parseWorkload(arg: string, namespace: string): metrics.WorkloadRef | undefined {
  const m = /^([a-z]+)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(arg);
  const kind = m?.[1] !== undefined ? KINDS[m[1]] : undefined;
  return kind === undefined || m?.[2] === undefined ? undefined : { namespace, kind, name: m[2] };
}

/** A workload's history through a `HistorySource`, as the same `SeriesSource` port the file uses. */
export function workloadSource(
  src: metrics.HistorySource,
  w: metrics.WorkloadRef,
  range: { readonly historySeconds: number; readonly stepSeconds: number; readonly now: number },
): SeriesSource {
  return {
    describe: `${w.kind.toLowerCase()}/${w.name} -n ${w.namespace} (${src.describe})`,
    load: (signal) =>
      src.load(
        w,
        { start: range.now - range.historySeconds, end: range.now, stepSeconds: range.stepSeconds },
        signal,
      ),
  };
}

const Flags = z.object({
  target: z.string().optional(),
  series: z.string().optional(),
  namespace: z.string().optional(),
  kubeconfig: z.string().optional(),
  context: z.string().optional(),
  prometheusUrl: z.url().optional(),
  query: z.string().max(4096).optional(),
  history: z.string(),
  step: z.string(),
  horizon: z.string(),
  model: z.enum(fc.MODEL_NAMES),
  counter: z.boolean().optional(),
  output: z.enum(["table", "json"]),
});

/** A small terminal chart: the last `width` history points, then the forecast (·) with its band (░). */
export function renderChart(history: readonly number[], f: fc.ForecastOk, width = 72, height = 12): string {
  const fpts = f.points;
  const nf = Math.min(fpts.length, Math.floor(width / 3));
  const step = Math.max(1, Math.ceil(fpts.length / nf));
  const fs = fpts.filter((_, i) => i % step === 0);
  const hs = history.slice(-(width - fs.length));
  const all = [...hs, ...fs.flatMap((p) => [p.lower, p.upper, p.mean])];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const y = (v: number) => (hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * (height - 1)));
  const grid = Array.from({ length: height }, () => new Array<string>(hs.length + fs.length).fill(" "));
  hs.forEach((v, x) => {
    const row = grid[height - 1 - y(v)];
    if (row !== undefined) row[x] = "•";
  });
  fs.forEach((p, i) => {
    const x = hs.length + i;
    for (let r = y(p.lower); r <= y(p.upper); r++) {
      const row = grid[height - 1 - r];
      if (row !== undefined) row[x] = "░";
    }
    const row = grid[height - 1 - y(p.mean)];
    if (row !== undefined) row[x] = "·";
  });
  const label = (v: number) => v.toPrecision(4).padStart(10);
  return (
    grid
      .map((r, i) => `${i === 0 ? label(hi) : i === height - 1 ? label(lo) : " ".repeat(10)} │${r.join("")}`)
      .join("\n") + "\n"
  );
}

export const forecastCommand: CommandSpec = {
  name: "forecast",
  register(program: Command, ctx: CliContext) {
    program
      .command("forecast [target]")
      .description(
        "forecast a workload's load (deployment/NAME) or a metric series (--series) with prediction intervals",
      )
      .option("--series <file>", "CSV ts,value (unix seconds or YYYY-MM-DD HH:MM:SS)")
      .option("-n, --namespace <ns>", "the workload's namespace (default: the context's)")
      .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
      .option("--context <name>", "kubeconfig context")
      .option(
        "--prometheus-url <url>",
        "read the workload's history from Prometheus (else Vigil's checkpoint)",
      )
      .option(
        "--query <promql>",
        "with --prometheus-url: the series to forecast (default: the workload's CPU)",
      )
      .option("--history <duration>", "how much history to read for a workload", "8d")
      .option("--step <duration>", "resolution of a workload's history", "60s")
      .option("--horizon <duration>", "how far ahead", "1h")
      .option("--model <name>", `one of ${fc.MODEL_NAMES.join(", ")}`, "ensemble")
      .option("--counter", "the series is a monotonic counter: forecast its per-second rate")
      .option("-o, --output <format>", "table or json", "table")
      .action(async (target: string | undefined, raw: Record<string, unknown>) => {
        const r = Flags.safeParse({ ...raw, target });
        if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
        const f = r.data;
        const horizon = parseDuration(f.horizon);
        if (horizon === undefined || horizon <= 0)
          throw new VigilError("Usage", `not a duration: "${f.horizon}" (use 15m, 1h)`);
        const source = seriesSource(f, ctx);
        const samples = await source.load(ctx.signal);
        if (samples.length === 0)
          throw new VigilError("InsufficientData", `${source.describe}: no samples in the history`);
        const prepared = fc.prepareSeries(samples, { counter: f.counter === true });
        if (prepared.kind !== "ok")
          throw new VigilError(
            "BadInput",
            `${source.describe}: row ${prepared.index + 2}: ${prepared.message}`,
          );
        const res = fc.forecastSeries(prepared.series, { horizonSeconds: horizon, model: f.model });
        if (res.kind === "insufficientData")
          throw new VigilError("InsufficientData", `${source.describe}: ${res.message}`);
        if (f.output === "json") {
          ctx.out(renderData("json", { source: source.describe, ...res }));
          return;
        }
        const period =
          res.period.kind === "period" ? `${res.period.seconds / 3600}h` : `none (${res.period.reason})`;
        ctx.out(`series: ${source.describe}  step: ${res.stepSeconds}s  period: ${period}\n`);
        ctx.out(
          `model: ${res.label}${res.model === "ensemble" ? ` (largest weight: ${res.chosen})` : ""}  interval: ${100 * res.level}%\n\n`,
        );
        ctx.out(renderChart(prepared.series.values, res));
        const every = Math.max(1, Math.ceil(res.points.length / 12));
        const rows = res.points
          .filter((_, i) => i % every === every - 1 || i === res.points.length - 1)
          .map((p) => [
            new Date(p.t * 1000).toISOString().replace(".000Z", "Z"),
            p.mean.toPrecision(5),
            p.lower.toPrecision(5),
            p.upper.toPrecision(5),
          ]);
        ctx.out("\n" + renderTable(["time", "forecast", "lower", "upper"], rows));
      });
  },
};

function seriesSource(f: z.output<typeof Flags>, ctx: CliContext): SeriesSource {
  if ((f.target === undefined) === (f.series === undefined))
    throw new VigilError("Usage", "give either deployment/NAME or --series FILE");
  if (f.series !== undefined) return fileSource(f.series);
  const history = parseDuration(f.history);
  const step = parseDuration(f.step);
  if (history === undefined || history <= 0 || step === undefined || step <= 0)
    throw new VigilError("Usage", `not a duration: "${f.history}" or "${f.step}" (use 60s, 1h, 8d)`);
  const kc = loadKubeConfig({
    kubeconfig: f.kubeconfig ?? ctx.cfg.kubeconfigEnv?.split(":")[0],
    context: f.context,
  });
  const w = parseWorkload(f.target ?? "", f.namespace ?? contextNamespace(kc));
  if (w === undefined)
    throw new VigilError(
      "Usage",
      `not a workload: "${f.target ?? ""}" (use deployment/NAME or statefulset/NAME)`,
    );
  if (f.query !== undefined && f.prometheusUrl === undefined)
    throw new VigilError("Usage", "--query needs --prometheus-url");
  const q = f.query;
  const src =
    f.prometheusUrl !== undefined
      ? metrics.prometheusSource(f.prometheusUrl, q !== undefined ? () => q : metrics.cpuQuery)
      : metrics.checkpointSource(kc);
  return workloadSource(src, w, { historySeconds: history, stepSeconds: step, now: Date.now() / 1000 });
}
