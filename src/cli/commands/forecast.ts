/**
 * @module
 * `vigil forecast --series FILE [--horizon 1h]`: the forecast with intervals, the model chosen and a
 * terminal chart. The series comes from a pluggable source (a file today; `deployment/NAME` later).
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import * as fc from "../../forecast/index.js";
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

const Flags = z.object({
  series: z.string({ message: "--series FILE is required (deployment/NAME is not available yet)" }),
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
      .command("forecast")
      .description("forecast a metric series with prediction intervals (ensemble by default)")
      .option("--series <file>", "CSV ts,value (unix seconds or YYYY-MM-DD HH:MM:SS)")
      .option("--horizon <duration>", "how far ahead", "1h")
      .option("--model <name>", `one of ${fc.MODEL_NAMES.join(", ")}`, "ensemble")
      .option("--counter", "the series is a monotonic counter: forecast its per-second rate")
      .option("-o, --output <format>", "table or json", "table")
      .action(async (raw: unknown) => {
        const r = Flags.safeParse(raw);
        if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
        const f = r.data;
        const horizon = parseDuration(f.horizon);
        if (horizon === undefined || horizon <= 0)
          throw new VigilError("Usage", `not a duration: "${f.horizon}" (use 15m, 1h)`);
        const source = fileSource(f.series);
        const samples = await source.load(ctx.signal);
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
