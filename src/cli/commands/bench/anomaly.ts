/**
 * @module
 * `vigil bench anomaly --nab DIR [-o json]`: runs Vigil's anomaly detectors over the Numenta Anomaly Benchmark
 * corpus (`DIR/data/<category>/<file>.csv`, `DIR/labels/combined_windows.json`) and prints NAB's standard,
 * reward-low-FP and reward-low-FN scores, per detector. Reading and checking the files happens here; the
 * detectors and the scorer are pure (`src/anomaly`).
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import {
  type NabBenchReport,
  type NabSeries,
  type NabWindow,
  NAB_DETECTORS,
  type NabCrossValidation,
  checkWindows,
  crossValidate,
  defaultAnomalyConfig,
  tuningGrid,
  runNabBench,
} from "../../../anomaly/index.js";
import { VigilError } from "../../../model/index.js";
import type { BenchSpec } from "../bench.js";
import type { CliContext } from "../../context.js";
import { OutputFormat, renderData, renderTable } from "../../output.js";

const Flags = z.object({
  nab: z.string().min(1),
  output: OutputFormat,
  threshold: z.coerce.number().min(0).max(1.1),
  cv: z.boolean().default(false),
});

const TS = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.0+)?$/;

/** `YYYY-MM-DD HH:MM:SS[.000000]` (no zone, read as UTC) → seconds; a canonical key for window matching. */
function parseTimestamp(s: string): { key: string; seconds: number } | undefined {
  const m = TS.exec(s.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, se] = m.map(Number);
  const ms = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, se ?? 0);
  if (Number.isNaN(ms)) return undefined;
  return { key: s.trim().slice(0, 19), seconds: ms / 1000 };
}

function invalid(file: string, message: string): VigilError {
  return new VigilError("InvalidInput", `${file}: ${message}`);
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new VigilError("InvalidInput", `cannot read ${path}`, { cause: err });
  }
}

/** Parses one `timestamp,value` CSV (LF or CRLF, final newline optional). */
export function parseNabCsv(
  file: string,
  text: string,
): { keys: string[]; t: Float64Array; v: Float64Array } {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  if (lines[0]?.trim() !== "timestamp,value") throw invalid(file, "the header must be `timestamp,value`");
  const n = lines.length - 1;
  if (n < 1) throw invalid(file, "no data rows");
  const keys: string[] = [];
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const line = lines[i + 1] ?? "";
    const comma = line.indexOf(",");
    const ts = comma < 0 ? undefined : parseTimestamp(line.slice(0, comma));
    const raw = comma < 0 ? "" : line.slice(comma + 1).trim();
    const value = raw === "" ? Number.NaN : Number(raw);
    if (ts === undefined || !Number.isFinite(value))
      throw invalid(
        file,
        `line ${i + 2}: expected \`YYYY-MM-DD HH:MM:SS,<number>\`, got ${JSON.stringify(line.slice(0, 80))}`,
      );
    keys.push(ts.key);
    t[i] = ts.seconds;
    v[i] = value;
  }
  return { keys, t, v };
}

const WindowsFile = z.record(z.string(), z.array(z.tuple([z.string(), z.string()])));

/** Turns label timestamps into row ranges; NAB enters a window only on an exact timestamp match. */
export function resolveWindows(
  file: string,
  keys: readonly string[],
  limits: readonly (readonly [string, string])[],
): NabWindow[] {
  const index = new Map<string, number>();
  keys.forEach((k, i) => {
    if (!index.has(k)) index.set(k, i);
  });
  const windows = limits.map(([a, b]): NabWindow => {
    const l = index.get(parseTimestamp(a)?.key ?? "");
    const r = index.get(parseTimestamp(b)?.key ?? "");
    if (l === undefined || r === undefined)
      throw invalid(file, `window [${a}, ${b}] does not start and end on data rows`);
    return [l, r];
  });
  const check = checkWindows(keys.length, windows);
  if (check.kind === "invalid") throw invalid(file, check.message);
  return windows;
}

/** Reads the corpus: every `data/<category>/*.csv` must have an entry in the windows file and vice versa. */
export function readNabCorpus(dir: string): NabSeries[] {
  const labelsPath = join(dir, "labels", "combined_windows.json");
  let labels: z.output<typeof WindowsFile>;
  try {
    labels = WindowsFile.parse(JSON.parse(readText(labelsPath)));
  } catch (err) {
    if (err instanceof VigilError) throw err;
    throw new VigilError("InvalidInput", `${labelsPath}: not a NAB windows file`, { cause: err });
  }
  const dataDir = join(dir, "data");
  let categories: string[];
  try {
    categories = readdirSync(dataDir)
      .filter((c) => statSync(join(dataDir, c)).isDirectory())
      .sort();
  } catch (err) {
    throw new VigilError("InvalidInput", `${dataDir}: not a directory`, {
      cause: err,
      hint: "--nab points at a NAB checkout: it holds data/ and labels/",
    });
  }
  const series: NabSeries[] = [];
  for (const c of categories) {
    for (const f of readdirSync(join(dataDir, c))
      .filter((x) => x.endsWith(".csv"))
      .sort()) {
      const name = `${c}/${f}`;
      const limits = labels[name];
      if (limits === undefined) throw invalid(name, `no entry in ${labelsPath}`);
      const { keys, t, v } = parseNabCsv(name, readText(join(dataDir, c, f)));
      series.push({ name, t, v, windows: resolveWindows(name, keys, limits) });
    }
  }
  const seen = new Set(series.map((s) => s.name));
  const missing = Object.keys(labels).filter((k) => !seen.has(k));
  if (missing.length > 0)
    throw new VigilError("InvalidInput", `labelled files missing from ${dataDir}: ${missing.join(", ")}`);
  if (series.length === 0) throw new VigilError("InvalidInput", `${dataDir}: no CSV files`);
  return series;
}

function f2(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : "-";
}

function renderCv(name: string, cv: NabCrossValidation): string {
  const folds = cv.folds
    .map((f, i) => `fold ${i}: tuned ${f2(f.train.standard)} -> held out ${f2(f.test.standard)}`)
    .join("; ");
  return (
    `2-fold, ${name} (${cv.candidates} candidate${cv.candidates === 1 ? "" : "s"}): standard ${f2(cv.pooled.standard)}, ` +
    `reward_low_fp ${f2(cv.pooled.reward_low_fp)}, reward_low_fn ${f2(cv.pooled.reward_low_fn)} (${folds})\n`
  );
}

function renderReport(r: NabBenchReport & CvReport): string {
  const rows = NAB_DETECTORS.map((d) => {
    const x = r.detectors[d];
    return [
      d,
      f2(x.scores.standard),
      f2(x.scores.reward_low_fp),
      f2(x.scores.reward_low_fn),
      x.thresholds.standard.toFixed(4),
    ];
  });
  const cats = Object.entries(r.detectors.vigil.categories).map(([c, s]) => [c, f2(s)]);
  return (
    renderTable(["detector", "standard", "reward_low_fp", "reward_low_fn", "threshold(std)"], rows) +
    "\n" +
    renderTable(["category (vigil, standard)", "score"], cats) +
    `\nvigil at fixed threshold ${r.fixedThreshold.threshold}: standard ${f2(r.fixedThreshold.scores.standard)}, ` +
    `reward_low_fp ${f2(r.fixedThreshold.scores.reward_low_fp)}, reward_low_fn ${f2(r.fixedThreshold.scores.reward_low_fn)}\n` +
    `corpus: ${r.corpus.files} files, ${r.corpus.rows} rows, ${r.corpus.windows} windows\n` +
    (r.crossValidation === undefined
      ? ""
      : renderCv("defaults, threshold tuned on the other half", r.crossValidation.defaults) +
        renderCv("settings and threshold tuned on the other half", r.crossValidation.grid))
  );
}

interface CvReport {
  readonly crossValidation?: { readonly defaults: NabCrossValidation; readonly grid: NabCrossValidation };
}

export const anomalyBench: BenchSpec = {
  name: "anomaly",
  register(bench: Command, ctx: CliContext) {
    bench
      .command("anomaly")
      .description(
        "score Vigil's metric anomaly detectors on the Numenta Anomaly Benchmark (NAB v1.1 scoring)",
      )
      .requiredOption("--nab <dir>", "NAB directory holding data/ and labels/combined_windows.json")
      .option("-o, --output <format>", "table|json|yaml", "table")
      .option("--threshold <t>", "also score at this threshold, fixed in advance", "0.5")
      .option(
        "--cv",
        "also run the 2-fold check: tune on half the files, score the other half (about 20 s more)",
      )
      .action((raw: unknown) => {
        const r = Flags.safeParse(raw);
        if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
        const started = performance.now();
        ctx.err(`bench anomaly: reading ${r.data.nab}\n`);
        const series = readNabCorpus(r.data.nab);
        let last = 0;
        const report = runNabBench(series, defaultAnomalyConfig, {
          fixedThreshold: r.data.threshold,
          progress: (done, total) => {
            const now = performance.now();
            if (done === total || now - last > 2000) {
              last = now;
              ctx.err(`bench anomaly: detected ${done}/${total} files\n`);
            }
          },
        });
        const full: NabBenchReport & CvReport = r.data.cv
          ? {
              ...report,
              crossValidation: {
                defaults: crossValidate(series, [defaultAnomalyConfig]),
                grid: crossValidate(series, tuningGrid(defaultAnomalyConfig)),
              },
            }
          : report;
        ctx.err(`bench anomaly: done in ${((performance.now() - started) / 1000).toFixed(1)}s\n`);
        ctx.out(r.data.output === "table" ? renderReport(full) : renderData(r.data.output, full));
      });
  },
};
