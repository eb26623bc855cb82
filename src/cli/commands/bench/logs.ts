/**
 * @module
 * `vigil bench logs`: the template miner on the Loghub 2k data sets, with one fixed configuration for all
 * of them. Prints GA, FGA, PA and FTA per data set and on average (original labels, and Loghub-2.0's
 * corrected labels when `--corrected` is given) and the miner's throughput on one thread, with and without
 * its exact-repeat line cache.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Command } from "commander";
import { z } from "zod";
import * as logmine from "../../../logmine/index.js";
import { VigilError } from "../../../model/index.js";
import type { CliContext } from "../../context.js";
import { renderData, renderTable } from "../../output.js";
import type { BenchSpec } from "../bench.js";

const Flags = z.object({
  loghub: z.string().min(1),
  corrected: z.string().min(1).optional(),
  output: z.enum(["table", "json"]),
  passes: z.coerce.number().int().min(1).max(1000),
});

/** One data set, read: the message of each line and its labels. */
interface Dataset {
  readonly name: string;
  readonly messages: readonly string[];
  readonly original: Labels;
  readonly corrected: Labels | undefined;
}

interface Labels {
  readonly group: readonly string[];
  readonly template: readonly string[];
}

export interface LogsBenchResult {
  readonly datasets: readonly {
    readonly name: string;
    readonly original: logmine.Accuracy;
    readonly corrected?: logmine.Accuracy;
  }[];
  readonly average: { readonly original: logmine.Accuracy; readonly corrected?: logmine.Accuracy };
  /** The default configuration (exact repeats answered by the line cache): median lines/s. */
  readonly throughput_lines_per_s: number;
  /** The same with `lineCache: 0`, so every line is tokenized, masked and searched: median lines/s. */
  readonly throughput_lines_per_s_uncached: number;
  /** How throughput was measured. */
  readonly throughput: {
    readonly lines: number;
    readonly passes: number;
    readonly warmup_passes: number;
    /** Slowest and fastest timed pass, lines/s. */
    readonly cached_range: readonly [number, number];
    readonly uncached_range: readonly [number, number];
  };
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new VigilError("BenchInput", `cannot read ${path}`, { cause: err });
  }
}

function column(cols: Map<string, string[]>, name: string, file: string): string[] {
  const c = cols.get(name);
  if (c === undefined) throw new VigilError("BenchInput", `${file} has no ${name} column`);
  return c;
}

function labels(file: string, contents: readonly string[], byTemplate: boolean): Labels {
  const cols = logmine.csvColumns(readText(file));
  const ids = column(cols, "EventId", file);
  const tpl = column(cols, "EventTemplate", file);
  if (tpl.length !== contents.length) {
    throw new VigilError("BenchInput", `${file} has ${tpl.length} rows, expected ${contents.length}`);
  }
  const template = tpl.map((t, i) =>
    logmine.correctTemplateGeneral(logmine.alignWithNull(t, contents[i] ?? "")),
  );
  return { group: byTemplate ? template : ids, template };
}

/**
 * Reads `<dir>/<S>/<S>_2k.log` and its structured CSV. The message of a line is the raw line's tail that the
 * data set's own header/content split (the `Content` column) marks; no per-data-set pattern is used.
 */
function readDataset(
  dir: string,
  name: string,
  correctedDir: string | undefined,
  err: (t: string) => void,
): Dataset {
  const base = join(dir, name, `${name}_2k.log`);
  const raw = logmine.splitLines(readText(base));
  const cols = logmine.csvColumns(readText(`${base}_structured.csv`));
  const content = column(cols, "Content", `${base}_structured.csv`);
  if (content.length !== raw.length) {
    throw new VigilError("BenchInput", `${name}: ${raw.length} log lines but ${content.length} CSV rows`);
  }
  let mismatched = 0;
  const messages = raw.map((line, i) => {
    const c = (content[i] ?? "").trimEnd();
    const l = line.trimEnd();
    if (l.endsWith(c)) return l.slice(l.length - c.length);
    mismatched++;
    return c;
  });
  if (mismatched > 0)
    err(`bench logs: ${name}: ${mismatched} lines do not end with their Content; used Content\n`);
  const corrFile =
    correctedDir === undefined
      ? undefined
      : join(correctedDir, name, `${name}_2k.log_structured_corrected.csv`);
  return {
    name,
    messages,
    original: labels(`${base}_structured.csv`, content, false),
    corrected: corrFile !== undefined && existsSync(corrFile) ? labels(corrFile, content, true) : undefined,
  };
}

function listDatasets(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch (err) {
    throw new VigilError("BenchInput", `cannot list ${dir}`, { cause: err });
  }
  const found = names.filter((n) => existsSync(join(dir, n, `${n}_2k.log`))).sort();
  if (found.length === 0) {
    throw new VigilError("BenchInput", `no <S>/<S>_2k.log data sets under ${dir}`, {
      hint: "point --loghub at a folder laid out like logpai/loghub",
    });
  }
  return found;
}

/** Mines one data set with a fresh miner and returns, per line, the group id and the template. */
function mine(messages: readonly string[]): { group: number[]; template: string[] } {
  const miner = logmine.createMiner(logmine.defaultMinerConfig);
  const ids = messages.map((m) => miner.add(m)?.id ?? 0);
  // Groups and templates as they stand after the whole pass (clusters generalise and merge as lines arrive).
  const group = ids.map((id) => miner.root(id)?.id ?? 0);
  const template = group.map((id, i) => {
    const c = miner.root(id);
    return c === undefined ? "" : logmine.alignWithNull(miner.template(c), messages[i] ?? "");
  });
  return { group, template };
}

const WARMUP = 3;

/** Milliseconds for one fresh miner to mine every message once. */
function timePass(all: readonly string[], cfg: logmine.MinerConfig): number {
  const miner = logmine.createMiner(cfg);
  const t0 = performance.now();
  for (const m of all) miner.add(m);
  return performance.now() - t0;
}

/** Median, slowest and fastest lines/s of the timed passes. */
function rates(lines: number, times: number[]): { median: number; range: [number, number] } {
  times.sort((a, b) => a - b);
  const rate = (ms: number | undefined) => Math.round(lines / ((ms ?? 1) / 1000));
  return {
    median: rate(times[Math.floor(times.length / 2)]),
    range: [rate(times[times.length - 1]), rate(times[0])],
  };
}

/**
 * Lines per second of a fresh miner over all messages, with the default configuration and with the line
 * cache off: `passes` timed passes of each after warm-up passes, interleaved so that both see the same
 * load on a shared machine; medians.
 */
function throughput(all: readonly string[], passes: number) {
  const cached = logmine.defaultMinerConfig;
  const uncached = logmine.MinerConfig.parse({ ...logmine.defaultMinerConfig, lineCache: 0 });
  for (let k = 0; k < WARMUP; k++) {
    timePass(all, cached);
    timePass(all, uncached);
  }
  const tc: number[] = [];
  const tu: number[] = [];
  for (let k = 0; k < passes; k++) {
    tc.push(timePass(all, cached));
    tu.push(timePass(all, uncached));
  }
  const c = rates(all.length, tc);
  const u = rates(all.length, tu);
  return {
    throughput_lines_per_s: c.median,
    throughput_lines_per_s_uncached: u.median,
    throughput: {
      lines: all.length,
      passes,
      warmup_passes: WARMUP,
      cached_range: c.range,
      uncached_range: u.range,
    },
  };
}

export function runLogsBench(
  loghub: string,
  corrected: string | undefined,
  passes: number,
  err: (t: string) => void,
): LogsBenchResult {
  const sets = listDatasets(loghub).map((n) => readDataset(loghub, n, corrected, err));
  const rows = sets.map((d) => {
    const parsed = mine(d.messages);
    const original = logmine.score(d.original.group, d.original.template, parsed.group, parsed.template);
    const corr =
      d.corrected === undefined
        ? undefined
        : logmine.score(d.corrected.group, d.corrected.template, parsed.group, parsed.template);
    return corr === undefined ? { name: d.name, original } : { name: d.name, original, corrected: corr };
  });
  const withCorr = rows.flatMap((r) => (r.corrected === undefined ? [] : [r.corrected]));
  const average =
    withCorr.length === 0
      ? { original: logmine.meanAccuracy(rows.map((r) => r.original)) }
      : {
          original: logmine.meanAccuracy(rows.map((r) => r.original)),
          corrected: logmine.meanAccuracy(withCorr),
        };
  const all = sets.flatMap((d) => d.messages);
  return { datasets: rows, average, ...throughput(all, passes) };
}

const f3 = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(3));

function renderResult(r: LogsBenchResult): string {
  const line = (name: string, o: logmine.Accuracy, c: logmine.Accuracy | undefined) => [
    name,
    f3(o.ga),
    f3(o.fga),
    f3(o.pa),
    f3(o.fta),
    f3(c?.ga),
    f3(c?.fga),
    f3(c?.pa),
    f3(c?.fta),
  ];
  const table = renderTable(
    ["dataset", "ga", "fga", "pa", "fta", "ga(2.0)", "fga(2.0)", "pa(2.0)", "fta(2.0)"],
    [
      ...r.datasets.map((d) => line(d.name, d.original, d.corrected)),
      line("average", r.average.original, r.average.corrected),
    ],
  );
  const n = (x: number) => x.toLocaleString("en-US");
  const t = r.throughput;
  return (
    `${table}\nthroughput, one thread, median of ${t.passes} passes over ${n(t.lines)} lines (slowest-fastest):\n` +
    `  line cache on (default): ${n(r.throughput_lines_per_s)} lines/s (${n(t.cached_range[0])}-${n(t.cached_range[1])})\n` +
    `  line cache off:          ${n(r.throughput_lines_per_s_uncached)} lines/s (${n(t.uncached_range[0])}-${n(t.uncached_range[1])})\n`
  );
}

export const logsBench: BenchSpec = {
  name: "logs",
  register(bench: Command, ctx: CliContext) {
    bench
      .command("logs")
      .description(
        "template-mining accuracy (GA, FGA, PA, FTA) on Loghub 2k and throughput, one fixed config",
      )
      .requiredOption("--loghub <dir>", "Loghub folder: <S>/<S>_2k.log and <S>_2k.log_structured.csv")
      .option("--corrected <dir>", "Loghub-2.0 2k folder: <S>/<S>_2k.log_structured_corrected.csv")
      .option("-o, --output <format>", "table or json", "table")
      .option("--passes <n>", "timed passes for the throughput median", "15")
      .action((raw: unknown) => {
        const r = Flags.safeParse(raw);
        if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
        const f = r.data;
        const res = runLogsBench(f.loghub, f.corrected, f.passes, ctx.err);
        ctx.out(f.output === "json" ? renderData("json", res) : renderResult(res));
      });
  },
};
