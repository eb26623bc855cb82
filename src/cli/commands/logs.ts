/**
 * @module
 * `vigil logs analyze (--file F | -)`: mines a log stream into templates and prints their counts, the new
 * and surging ones, the error templates and the log signature. Sources are async iterables of lines, so
 * pod logs and Loki plug in next to the file and stdin sources here; every source is bounded in bytes.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { Command } from "commander";
import { z } from "zod";
import * as logmine from "../../logmine/index.js";
import { VigilError } from "../../model/index.js";
import type { CliContext, CommandSpec } from "../context.js";
import { renderTable } from "../output.js";

/** A place lines come from. `lines` stops at the byte budget and when `signal` aborts. */
export interface LogSource {
  /** Shown in the report and used as the workload key (e.g. `file:app.log`, `deployment/api`). */
  readonly name: string;
  lines(signal: AbortSignal): AsyncIterable<string>;
  /** True once `lines` stopped early because it reached the byte budget. */
  readonly truncated: boolean;
}

/** Lines of a readable stream, at most `maxBytes` bytes of it (counted as UTF-8 of the lines read). */
function streamSource(name: string, open: () => Readable, maxBytes: number): LogSource {
  let truncated = false;
  return {
    name,
    get truncated() {
      return truncated;
    },
    async *lines(signal: AbortSignal) {
      const input = open();
      const rl = createInterface({ input, crlfDelay: Infinity });
      let bytes = 0;
      try {
        for await (const line of rl) {
          if (signal.aborted) break;
          bytes += Buffer.byteLength(line, "utf8") + 1;
          if (bytes > maxBytes) {
            truncated = true;
            break;
          }
          yield line;
        }
      } finally {
        rl.close();
        input.destroy();
      }
    },
  };
}

export function fileSource(path: string, maxBytes: number): LogSource {
  // `end` bounds what is read from disk; the line loop bounds what is used.
  return streamSource(
    `file:${path}`,
    () => createReadStream(path, { end: Math.max(0, maxBytes - 1) }),
    maxBytes,
  );
}

export function stdinSource(maxBytes: number): LogSource {
  return streamSource("stdin", () => process.stdin, maxBytes);
}

const Flags = z.object({
  file: z.string().min(1).optional(),
  output: z.enum(["table", "json"]),
  baselineLines: z.coerce.number().int().min(0).max(1_000_000_000),
  top: z.coerce.number().int().min(1).max(10_000),
  maxBytes: z.coerce
    .number()
    .int()
    .min(1)
    .max(16 * 1024 ** 3),
  maxClusters: z.coerce.number().int().min(16).max(1_000_000),
});

/** Feeds a source through an analyzer; the first `baselineLines` lines are the baseline. */
export async function analyzeSource(
  src: LogSource,
  opts: { baselineLines: number; top: number; miner: logmine.MinerConfig },
  signal: AbortSignal,
): Promise<logmine.LogReport> {
  const an = logmine.createLogAnalyzer(opts.miner, logmine.defaultSignalConfig);
  let n = 0;
  for await (const line of src.lines(signal)) {
    if (opts.baselineLines > 0 && n === opts.baselineLines) an.markCurrent();
    an.push(line, src.name);
    n++;
  }
  if (signal.aborted) throw new VigilError("Interrupted", "interrupted");
  return an.report(opts.top);
}

const pct = (x: number) => `${(x * 100).toFixed(x >= 0.1 ? 0 : 1)}%`;
const short = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function renderReport(r: logmine.LogReport, src: LogSource): string {
  const out: string[] = [];
  out.push(
    `${src.name}: ${r.lines} lines, ${r.events} events, ${r.templates.length < r.clusters ? `top ${r.templates.length} of ` : ""}${r.clusters} templates` +
      (r.baselineEvents > 0 && r.currentEvents > 0
        ? ` (baseline ${r.baselineEvents}, current ${r.currentEvents} events)`
        : "") +
      (src.truncated ? " [truncated at --max-bytes]" : "") +
      "\n\n",
  );
  out.push(
    renderTable(
      ["count", "share", "severity", "flag", "template"],
      r.templates.map((t) => [
        String(t.count),
        pct(t.share),
        t.severity,
        t.isNew ? "new" : t.surge !== undefined ? `x${t.surge.toFixed(1)}` : "",
        short(t.typed),
      ]),
    ),
  );
  if (r.errors.length > 0) {
    out.push("\nERRORS\n");
    for (const e of r.errors.slice(0, 10)) {
      out.push(`  ${e.count}x  ${short(e.template)}\n`);
      const ex = e.examples[0];
      if (ex !== undefined)
        out.push(
          ex
            .split("\n")
            .slice(0, 6)
            .map((l) => `      ${short(l, 140)}\n`)
            .join(""),
        );
    }
  }
  out.push(`\nSIGNATURE: ${r.signature.summary === "" ? "no error templates" : r.signature.summary}\n`);
  return out.join("");
}

export const logsCommand: CommandSpec = {
  name: "logs",
  register(program: Command, ctx: CliContext) {
    const logs = program
      .command("logs")
      .description("log intelligence: templates, new and surging ones, errors");
    logs
      .command("analyze")
      .description(
        "mine a log file or stdin (-) into templates and print counts, new/surging templates and errors",
      )
      .argument("[source]", "`-` for stdin")
      .option("--file <path>", "read this file")
      .option("-o, --output <format>", "table or json", "table")
      .option(
        "--baseline-lines <n>",
        "the first n lines are the baseline for new/surging templates (0: none)",
        "0",
      )
      .option("--top <n>", "templates listed", "30")
      .option("--max-bytes <n>", "read at most this many bytes", String(256 * 1024 * 1024))
      .option("--max-clusters <n>", "templates kept in memory (least recently used evicted)", "20000")
      .action(async (source: string | undefined, raw: unknown) => {
        const r = Flags.safeParse(raw);
        if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
        const f = r.data;
        if ((source === "-") === (f.file !== undefined) || (source !== undefined && source !== "-")) {
          throw new VigilError("Usage", "give exactly one source: --file F or - (stdin)", {
            hint: "pod/NAME and deployment/NAME sources are not available yet",
          });
        }
        const src = f.file !== undefined ? fileSource(f.file, f.maxBytes) : stdinSource(f.maxBytes);
        let report: logmine.LogReport;
        try {
          report = await analyzeSource(
            src,
            {
              baselineLines: f.baselineLines,
              top: f.top,
              miner: logmine.MinerConfig.parse({ maxClusters: f.maxClusters }),
            },
            ctx.signal,
          );
        } catch (err) {
          if (err instanceof VigilError) throw err;
          throw new VigilError("LogSource", `cannot read ${src.name}`, { cause: err });
        }
        if (src.truncated) ctx.err(`logs: stopped at --max-bytes ${f.maxBytes}\n`);
        ctx.out(
          f.output === "json"
            ? JSON.stringify({ source: src.name, truncated: src.truncated, ...report }, undefined, 2) + "\n"
            : renderReport(report, src),
        );
      });
  },
};
