/**
 * @module
 * `vigil bench forecast --data DIR`: rolling-origin backtest of every model and the ensemble over the
 * `ts,value` CSV files under DIR (one group per folder), plus period detection against a periods.csv.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import * as fc from "../../../forecast/index.js";
import { VigilError } from "../../../model/index.js";
import type { CliContext } from "../../context.js";
import { renderData, renderTable } from "../../output.js";
import type { BenchSpec } from "../bench.js";

const Flags = z.object({
  data: z.array(z.string()).min(1),
  output: z.enum(["table", "json"]),
  origins: z.coerce.number().int().min(1).max(200),
});

function csvFiles(dir: string): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch (err) {
    throw new VigilError("NotFound", `cannot read ${dir}`, { cause: err });
  }
  if (st.isFile()) return [dir];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...csvFiles(p));
    else if (e.name.endsWith(".csv") && e.name !== "periods.csv") out.push(p);
  }
  return out;
}

function loadSeries(file: string): fc.RegularSeries | string {
  const r = fc.parseSeriesCsv(readFileSync(file, "utf8"));
  if (r.kind === "error") return `line ${r.line}: ${r.message}`;
  const p = fc.prepareSeries(r.samples, { duplicates: "average" });
  if (p.kind !== "ok") return `row ${p.index + 2}: ${p.message}`;
  return p.series;
}

interface PeriodCheck {
  readonly file: string;
  readonly expected: string;
  readonly detected: string;
  readonly asserted: boolean;
  readonly agree: boolean;
}

function checkPeriods(dir: string): PeriodCheck[] {
  let text: string;
  try {
    text = readFileSync(join(dir, "periods.csv"), "utf8");
  } catch {
    return [];
  }
  const rows = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const head = (rows[0] ?? "").split(",");
  const col = (n: string) => head.indexOf(n);
  const out: PeriodCheck[] = [];
  for (const line of rows.slice(1)) {
    const f = line.split(",");
    const file = f[col("file")] ?? "";
    const expected = f[col("expected_period")] ?? "";
    const windowDays = Number(f[col("test_window_days")] ?? "14");
    const s = loadSeries(join(dir, file));
    let detected = "error";
    if (typeof s !== "string") {
      const keep = Math.round((windowDays * fc.DAY) / s.step);
      const d = fc.detectPeriod(s.values.slice(-keep), s.step);
      detected = d.kind === "none" ? "none" : d.seconds === fc.DAY ? "daily" : "weekly";
    }
    out.push({
      file,
      expected,
      detected,
      asserted: f[col("periodic_in_test")] === "true",
      agree: detected === expected,
    });
  }
  return out;
}

const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "-");

export const forecastBench: BenchSpec = {
  name: "forecast",
  register(bench: Command, ctx: CliContext) {
    bench
      .command("forecast")
      .description("rolling-origin backtest of the forecasting models at 5, 15 and 60 min ahead")
      .option(
        "--data <dir>",
        "folder (or file) of ts,value CSVs; repeatable",
        (v: string, acc: string[]) => [...acc, v],
        [],
      )
      .option("--origins <n>", "forecast origins per series, spread over the last 2 days", "12")
      .option("-o, --output <format>", "table or json", "table")
      .action((raw: unknown) => {
        const r = Flags.safeParse(raw);
        if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
        const f = r.data;
        const opts: fc.BacktestOptions = { ...fc.DEFAULT_BACKTEST, origins: f.origins };
        const groups = new Map<string, fc.SeriesBacktest[]>();
        const skipped: { file: string; reason: string }[] = [];
        const periods: PeriodCheck[] = [];
        for (const root of f.data) {
          const files = csvFiles(root);
          for (const dir of new Set(files.map((x) => dirname(x)))) periods.push(...checkPeriods(dir));
          for (const file of files) {
            const group = relative(root, dirname(file)) || basename(root);
            const s = loadSeries(file);
            if (typeof s === "string") {
              skipped.push({ file, reason: s });
              ctx.err(`bench: skipping ${file}: ${s}\n`);
              continue;
            }
            ctx.err(`bench: ${group}/${basename(file)} (${s.values.length} points)\n`);
            const b = fc.backtestSeries(basename(file), s, opts, () => performance.now());
            if ("kind" in b) {
              skipped.push({ file, reason: b.reason });
              continue;
            }
            groups.set(group, [...(groups.get(group) ?? []), b]);
          }
        }
        const out = {
          groups: [...groups].map(([name, rows]) => ({
            name,
            series: rows.length,
            ...Object.fromEntries(
              Object.entries(fc.averageScores(rows.map((x) => x.overall))).map(([m, s]) => [
                m,
                { mape: s.mape, smape: s.smape, mase: s.mase, under_rate: s.under_rate, fit_ms: s.fit_ms },
              ]),
            ),
          })),
          by_horizon: [...groups].map(([name, rows]) => ({
            name,
            ...Object.fromEntries(
              opts.horizonsSeconds.map((h) => [
                `${h / 60}m`,
                fc.averageScores(rows.map((x) => x.byHorizon[String(h)] ?? {})),
              ]),
            ),
          })),
          series: [...groups].flatMap(([name, rows]) =>
            rows.map((x) => ({
              group: name,
              name: x.name,
              points: x.points,
              origins: x.origins,
              chosen: x.chosen,
              ...x.overall,
            })),
          ),
          period_detection: {
            agree: periods.filter((p) => p.agree).length,
            total: periods.length,
            asserted_agree: periods.filter((p) => p.asserted && p.agree).length,
            asserted_total: periods.filter((p) => p.asserted).length,
            files: periods,
          },
          skipped,
        };
        if (f.output === "json") {
          ctx.out(renderData("json", out));
          return;
        }
        const rows: string[][] = [];
        for (const [name, rs] of groups) {
          const avg = fc.averageScores(rs.map((x) => x.overall));
          const h15 = fc.averageScores(rs.map((x) => x.byHorizon["900"] ?? {}));
          for (const m of opts.models) {
            const s = avg[m];
            if (s === undefined) continue;
            rows.push([
              name,
              m,
              fmt(s.mase, 3),
              fmt(s.mape, 1),
              fmt(s.smape, 1),
              fmt(h15[m]?.mape ?? Number.NaN, 1),
              fmt(s.under_rate),
              fmt(s.fit_ms, 1),
            ]);
          }
        }
        ctx.out(
          renderTable(["group", "model", "mase", "mape%", "smape%", "mape15m%", "under", "fit_ms"], rows),
        );
        ctx.out(
          `\nperiod detection: ${out.period_detection.agree}/${out.period_detection.total} agree ` +
            `(${out.period_detection.asserted_agree}/${out.period_detection.asserted_total} where the test asserts it)\n`,
        );
        if (skipped.length > 0)
          ctx.out(`skipped: ${skipped.map((s) => `${basename(s.file)} (${s.reason})`).join("; ")}\n`);
      });
  },
};
