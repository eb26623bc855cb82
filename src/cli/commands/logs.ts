/**
 * @module
 * `vigil logs analyze (pod/NAME | deployment/NAME | --file F | - | --loki URL --query Q)`: mines a log
 * stream into templates and prints their counts, the new and surging ones, the error templates and the log
 * signature. Sources are async iterables of labelled lines, every one bounded in bytes: files and stdin
 * here, pod logs from `kube/`, Loki from `loki/`. Large inputs are mined in a worker thread (`../mining.ts`).
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { Command } from "commander";
import { z } from "zod";
import * as kube from "../../kube/index.js";
import * as logmine from "../../logmine/index.js";
import * as loki from "../../loki/index.js";
import { VigilError } from "../../model/index.js";
import type { CliContext, CommandSpec } from "../context.js";
import { type Batch, type Mining, type MiningConfig, threadMining, workerMining } from "../mining.js";
import { renderTable } from "../output.js";

/** One line and the key of what produced it (the source's name, or `pod/NAME`, or Loki stream labels). */
export interface SourcedLine {
  readonly source: string;
  readonly text: string;
}

/** A place lines come from. `lines` stops at the byte budget and when `signal` aborts. */
export interface LogSource {
  /** Shown in the report and used as the workload key (e.g. `file:app.log`, `deployment/api`). */
  readonly name: string;
  lines(signal: AbortSignal): AsyncIterable<SourcedLine>;
  /** True once `lines` stopped early because it reached the byte budget. */
  readonly truncated: boolean;
  /** What the user should know once reading ended (pods skipped, Loki gaps); printed on stderr. */
  notes?(): readonly string[];
}

/**
 * Lines of a readable stream, at most `maxBytes` bytes of it (counted as UTF-8 of the lines read). When
 * `open` stops reading after `readLimit` bytes (a file read to a bound), a stream that reached it was cut:
 * the source says `truncated` and drops the cut last line.
 */
function streamSource(name: string, open: () => Readable, maxBytes: number, readLimit?: number): LogSource {
  let truncated = false;
  return {
    name,
    get truncated() {
      return truncated;
    },
    async *lines(signal: AbortSignal) {
      const input = open();
      let raw = 0;
      if (readLimit !== undefined)
        input.on("data", (c: Buffer) => {
          raw += c.length;
        });
      const rl = createInterface({ input, crlfDelay: Infinity });
      let bytes = 0;
      // The last line is held back until the next one (or the end) shows whether it was cut.
      let held: string | undefined;
      try {
        for await (const line of rl) {
          if (signal.aborted) break;
          bytes += Buffer.byteLength(line, "utf8") + 1;
          if (held !== undefined) yield { source: name, text: held };
          if (bytes > maxBytes) {
            truncated = true;
            return;
          }
          held = line;
        }
        if (readLimit !== undefined && raw >= readLimit) truncated = true;
        else if (held !== undefined) yield { source: name, text: held };
      } finally {
        rl.close();
        input.destroy();
      }
    },
  };
}

export function fileSource(path: string, maxBytes: number): LogSource {
  // `end` bounds what is read from disk: one byte past the budget, so that a larger file is seen to be
  // cut. The line loop bounds what is used.
  return streamSource(
    `file:${path}`,
    () => createReadStream(path, { end: maxBytes }),
    maxBytes,
    maxBytes + 1,
  );
}

export function stdinSource(maxBytes: number): LogSource {
  return streamSource("stdin", () => process.stdin, maxBytes);
}

/** Pod logs: lines are labelled `pod/NAME`, so templates list the pods they came from. */
export function podSource(name: string, r: kube.PodLogReader): LogSource {
  return {
    name,
    lines: (signal) => r.lines(signal),
    get truncated() {
      return r.truncated;
    },
    notes: () => r.skipped.map((x) => `logs: skipped pod ${x.pod}: ${x.reason}`),
  };
}

/** Loki: lines are labelled with their stream's labels. */
export function lokiSource(r: loki.LokiReader): LogSource {
  return {
    name: r.name,
    lines: (signal) => r.lines(signal),
    get truncated() {
      return r.truncated;
    },
    notes: () =>
      r.gaps > 0
        ? [`logs: ${r.gaps} nanosecond(s) held more than one page of entries; the rest of them were skipped`]
        : [],
  };
}

/** `30s`, `15m`, `1h30m`, `2d` → seconds. */
export function parseDuration(s: string): number | undefined {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(s);
  if (m === null || s === "") return undefined;
  const [d, h, min, sec] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0)) as [
    number,
    number,
    number,
    number,
  ];
  const total = ((d * 24 + h) * 60 + min) * 60 + sec;
  return total > 0 ? total : undefined;
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
  namespace: z.string().min(1).optional(),
  container: z.string().min(1).optional(),
  since: z.string().min(1).optional(),
  tail: z.coerce.number().int().min(0).max(100_000_000).optional(),
  previous: z.boolean().optional(),
  follow: z.boolean().optional(),
  context: z.string().min(1).optional(),
  kubeconfig: z.string().min(1).optional(),
  loki: z.url({ protocol: /^https?$/ }).optional(),
  query: z.string().min(1).optional(),
  lokiOrg: z.string().min(1).optional(),
  mining: z.enum(["auto", "thread", "worker"]),
});
type Flags = z.infer<typeof Flags>;

/** Lines per batch handed to the miner, and the bytes past which mining moves to a worker thread. */
const BATCH_LINES = 4096;
const BATCH_CHARS = 1024 * 1024;
const WORKER_MIN_BYTES = 8 * 1024 * 1024;

export interface AnalyzeOptions {
  readonly baselineLines: number;
  readonly top: number;
  readonly miner: logmine.MinerConfig;
  /** `auto`: this thread for small inputs, a worker once more than `workerMinBytes` were read. */
  readonly mining?: "auto" | "thread" | "worker" | undefined;
  readonly workerMinBytes?: number | undefined;
  /** Follow mode: an abort ends the input (and the report is made) instead of interrupting. */
  readonly endOnAbort?: boolean | undefined;
}

/**
 * Feeds a source through an analyzer; the first `baselineLines` lines are the baseline. Lines go in
 * batches; in `auto` mode they are held until either the input ends (mined here) or `workerMinBytes`
 * arrived (everything goes to a worker), so both paths see the same batches in the same order.
 */
export async function analyzeSource(
  src: LogSource,
  opts: AnalyzeOptions,
  signal: AbortSignal,
): Promise<{ readonly report: logmine.LogReport; readonly mining: Mining["where"] }> {
  const cfg: MiningConfig = {
    miner: opts.miner,
    signals: logmine.defaultSignalConfig,
    baselineLines: opts.baselineLines,
  };
  const mode = opts.mining ?? "auto";
  const threshold = opts.workerMinBytes ?? WORKER_MIN_BYTES;
  let mining: Mining | undefined =
    mode === "thread" ? threadMining(cfg) : mode === "worker" ? workerMining(cfg) : undefined;
  const held: Batch[] = [];
  let heldChars = 0;
  let texts: string[] = [];
  let sources: string[] = [];
  let chars = 0;
  const flush = async () => {
    if (texts.length === 0) return;
    const b: Batch = { texts, sources };
    texts = [];
    sources = [];
    heldChars += chars;
    chars = 0;
    if (mining !== undefined) return mining.push(b);
    held.push(b);
    if (heldChars >= threshold) {
      mining = workerMining(cfg);
      for (const h of held.splice(0)) await mining.push(h);
    }
  };
  try {
    for await (const l of src.lines(signal)) {
      texts.push(l.text);
      sources.push(l.source);
      chars += l.text.length + 1;
      if (texts.length >= BATCH_LINES || chars >= BATCH_CHARS) await flush();
    }
    if (signal.aborted && opts.endOnAbort !== true) throw new VigilError("Interrupted", "interrupted");
    await flush();
    mining ??= threadMining(cfg);
    for (const h of held.splice(0)) await mining.push(h);
    return { report: await mining.report(opts.top), mining: mining.where };
  } finally {
    await mining?.close();
  }
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
  // Lines labelled by pod or Loki stream: say which ones produced each template.
  const multi = new Set(r.templates.flatMap((t) => t.sources)).size > 1;
  out.push(
    renderTable(
      ["count", "share", "severity", "flag", ...(multi ? ["sources"] : []), "template"],
      r.templates.map((t) => [
        String(t.count),
        pct(t.share),
        t.severity,
        t.isNew ? "new" : t.surge !== undefined ? `x${t.surge.toFixed(1)}` : "",
        ...(multi ? [t.sources.length === 1 ? short(t.sources[0] ?? "", 40) : `${t.sources.length}`] : []),
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

const KUBE_ONLY = ["namespace", "container", "tail", "previous", "follow", "context", "kubeconfig"] as const;
const FLAG_NAMES: Readonly<Record<(typeof KUBE_ONLY)[number], string>> = {
  namespace: "-n",
  container: "-c",
  tail: "--tail",
  previous: "--previous",
  follow: "--follow",
  context: "--context",
  kubeconfig: "--kubeconfig",
};
const SOURCES_HINT =
  "sources: pod/NAME, deployment/NAME, --file F, - (stdin), --loki URL --query '{app=\"x\"}'";

/** Checks that exactly one source was given, with only the flags it takes, and opens it. */
export async function openSource(source: string | undefined, f: Flags, now: Date): Promise<LogSource> {
  const target = source !== undefined && source !== "-" ? kube.parseLogTarget(source) : undefined;
  if (source !== undefined && source !== "-" && target === undefined) {
    throw new VigilError("Usage", `unknown source "${source}"`, { hint: SOURCES_HINT });
  }
  const given = [source !== undefined, f.file !== undefined, f.loki !== undefined].filter(Boolean).length;
  if (given !== 1) {
    throw new VigilError("Usage", "give exactly one source", { hint: SOURCES_HINT });
  }
  if ((f.query !== undefined) !== (f.loki !== undefined)) {
    throw new VigilError("Usage", "--loki and --query go together");
  }
  if (f.lokiOrg !== undefined && f.loki === undefined)
    throw new VigilError("Usage", "--loki-org needs --loki");
  const since = f.since === undefined ? undefined : parseDuration(f.since);
  if (f.since !== undefined && since === undefined) {
    throw new VigilError("Usage", `--since ${f.since} is not a duration`, {
      hint: "e.g. 30s, 15m, 1h30m, 2d",
    });
  }
  if (target === undefined) {
    const wrong = KUBE_ONLY.find((k) => f[k] !== undefined && f[k] !== false);
    if (wrong !== undefined) {
      throw new VigilError("Usage", `${FLAG_NAMES[wrong]} applies only to pod/NAME and deployment/NAME`);
    }
  }
  if (f.loki !== undefined && f.query !== undefined) {
    return lokiSource(
      loki.lokiReader({
        url: f.loki,
        query: f.query,
        start: new Date(now.getTime() - (since ?? 3600) * 1000),
        end: now,
        maxBytes: f.maxBytes,
        orgId: f.lokiOrg,
      }),
    );
  }
  if (target !== undefined) {
    const kc = kube.loadKubeConfig({ kubeconfig: f.kubeconfig, context: f.context });
    const namespace = f.namespace ?? kube.contextNamespace(kc);
    const reader = await kube.podLogReader(
      kc,
      { kind: target.kind, namespace, name: target.name, container: f.container },
      {
        previous: f.previous === true,
        follow: f.follow === true,
        sinceSeconds: since,
        tailLines: f.tail,
        maxBytes: f.maxBytes,
      },
    );
    return podSource(`${namespace}/${target.kind}/${target.name}`, reader);
  }
  if (since !== undefined) throw new VigilError("Usage", "--since applies to pods, deployments and Loki");
  return f.file !== undefined ? fileSource(f.file, f.maxBytes) : stdinSource(f.maxBytes);
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
        "mine logs (a pod, a deployment's pods, a file, stdin or a Loki query) into templates and print counts, new/surging templates and errors",
      )
      .argument("[source]", "pod/NAME, deployment/NAME, or `-` for stdin")
      .option("--file <path>", "read this file")
      .option("--loki <url>", "read from Loki at this base URL (with --query)")
      .option("--query <logql>", "LogQL log query for --loki, e.g. '{app=\"api\"}'")
      .option("--loki-org <id>", "tenant for multi-tenant Loki (X-Scope-OrgID)")
      .option("-n, --namespace <ns>", "namespace of the pod or deployment (default: the context's)")
      .option("-c, --container <name>", "container (default: the pod's default container, else its first)")
      .option("--since <duration>", "only lines newer than this (30s, 15m, 1h); Loki default 1h")
      .option("--tail <n>", "only the last n lines of each pod")
      .option("--previous", "the previous (terminated) container instance")
      .option(
        "-f, --follow",
        "keep reading new lines; Ctrl-C (or --max-bytes) ends reading and prints the report",
      )
      .option("--context <name>", "kubeconfig context")
      .option("--kubeconfig <path>", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
      .option("-o, --output <format>", "table or json", "table")
      .option(
        "--baseline-lines <n>",
        "the first n lines are the baseline for new/surging templates (0: none)",
        "0",
      )
      .option("--top <n>", "templates listed", "30")
      .option("--max-bytes <n>", "read at most this many bytes", String(256 * 1024 * 1024))
      .option("--max-clusters <n>", "templates kept in memory (least recently used evicted)", "20000")
      .option("--mining <where>", "auto (a worker thread past 8 MiB), thread or worker", "auto")
      .action(async (source: string | undefined, raw: unknown) => {
        const r = Flags.safeParse(raw);
        if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
        const f = r.data;
        const src = await openSource(source, f, new Date());
        // Follow mode: Ctrl-C ends the input and the report is printed.
        const read = new AbortController();
        const onAbort = () => {
          read.abort();
        };
        ctx.signal.addEventListener("abort", onAbort, { once: true });
        let report: logmine.LogReport;
        try {
          ({ report } = await analyzeSource(
            src,
            {
              baselineLines: f.baselineLines,
              top: f.top,
              miner: logmine.MinerConfig.parse({ maxClusters: f.maxClusters }),
              mining: f.mining,
              endOnAbort: f.follow === true,
            },
            f.follow === true ? read.signal : ctx.signal,
          ));
        } catch (err) {
          if (err instanceof VigilError) throw err;
          throw new VigilError("LogSource", `cannot read ${src.name}`, { cause: err });
        } finally {
          ctx.signal.removeEventListener("abort", onAbort);
        }
        const notes = src.notes?.() ?? [];
        for (const n of notes) ctx.err(`${n}\n`);
        if (src.truncated) ctx.err(`logs: stopped at --max-bytes ${f.maxBytes}\n`);
        ctx.out(
          f.output === "json"
            ? JSON.stringify({ source: src.name, truncated: src.truncated, notes, ...report }, undefined, 2) +
                "\n"
            : renderReport(report, src),
        );
      });
  },
};
