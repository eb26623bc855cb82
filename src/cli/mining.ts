/**
 * @module
 * Runs the pure log analyzer on this thread or in a worker thread, with the same results: both sides feed
 * the same batches, in the same order, through the same `createFeeder`. Large inputs go to the worker so
 * that mining (about 1 µs a line) never holds the event loop that serves watches, leases and probes.
 */
import { Worker } from "node:worker_threads";
import * as logmine from "../logmine/index.js";
import { VigilError } from "../model/index.js";

export interface MiningConfig {
  readonly miner: logmine.MinerConfig;
  readonly signals: logmine.SignalConfig;
  /** The first `baselineLines` lines are the baseline (0: no baseline). */
  readonly baselineLines: number;
}

/** Lines in arrays side by side: `sources[i]` is the workload or pod key of `texts[i]`. */
export interface Batch {
  readonly texts: readonly string[];
  readonly sources: readonly string[];
}

/** The analyzer with the baseline split; what both the thread and the worker run. */
export interface Feeder {
  push(b: Batch): void;
  report(top: number): logmine.LogReport;
}

export function createFeeder(cfg: MiningConfig): Feeder {
  const an = logmine.createLogAnalyzer(cfg.miner, cfg.signals);
  let n = 0;
  return {
    push(b: Batch) {
      for (let i = 0; i < b.texts.length; i++) {
        if (cfg.baselineLines > 0 && n === cfg.baselineLines) an.markCurrent();
        an.push(b.texts[i] ?? "", b.sources[i] ?? "");
        n++;
      }
    },
    report: (top) => an.report(top),
  };
}

export interface Mining {
  readonly where: "thread" | "worker";
  /** Resolves once the batch is accepted; a worker holds at most two batches at a time. */
  push(b: Batch): Promise<void>;
  report(top: number): Promise<logmine.LogReport>;
  /** Releases the worker; safe to call twice. */
  close(): Promise<void>;
}

export function threadMining(cfg: MiningConfig): Mining {
  const f = createFeeder(cfg);
  return {
    where: "thread",
    push: (b) => {
      f.push(b);
      return Promise.resolve();
    },
    report: (top) => Promise.resolve(f.report(top)),
    close: () => Promise.resolve(),
  };
}

/** Messages between this thread and `workers/mine.ts`. */
export type ToWorker =
  { readonly kind: "batch"; readonly batch: Batch } | { readonly kind: "report"; readonly top: number };
export type FromWorker =
  | { readonly kind: "ack" }
  | { readonly kind: "report"; readonly report: logmine.LogReport }
  | { readonly kind: "error"; readonly message: string };

function workerEntry(): { url: URL; execArgv: string[] } {
  // From source (tests, tsx) the worker is TypeScript and needs tsx's loader; from dist it is plain JS.
  const fromSource = import.meta.url.endsWith(".ts");
  return {
    url: new URL(`./workers/mine.${fromSource ? "ts" : "js"}`, import.meta.url),
    execArgv: fromSource ? ["--import", "tsx"] : [],
  };
}

const MAX_IN_FLIGHT = 2;

export function workerMining(cfg: MiningConfig): Mining {
  const entry = workerEntry();
  const w = new Worker(entry.url, { workerData: cfg, execArgv: entry.execArgv });
  let failure: Error | undefined;
  let inFlight = 0;
  const waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let onReport: { resolve: (r: logmine.LogReport) => void; reject: (e: Error) => void } | undefined;
  let closed = false;

  const fail = (err: Error) => {
    failure ??= err;
    for (const x of waiting.splice(0)) x.reject(failure);
    onReport?.reject(failure);
    onReport = undefined;
  };
  w.on("message", (m: FromWorker) => {
    if (m.kind === "ack") {
      inFlight--;
      waiting.shift()?.resolve();
    } else if (m.kind === "report") {
      onReport?.resolve(m.report);
      onReport = undefined;
    } else {
      fail(new VigilError("MiningWorker", `log mining worker failed: ${m.message}`));
    }
  });
  w.on("error", (err) => {
    fail(new VigilError("MiningWorker", "log mining worker crashed", { cause: err }));
  });
  w.on("exit", (code) => {
    if (!closed) fail(new VigilError("MiningWorker", `log mining worker exited with code ${code}`));
  });
  const post = (m: ToWorker) => {
    w.postMessage(m);
  };

  return {
    where: "worker",
    async push(b: Batch) {
      if (failure !== undefined) throw failure;
      if (inFlight >= MAX_IN_FLIGHT) {
        await new Promise<void>((resolve, reject) => {
          waiting.push({ resolve, reject });
        });
      }
      inFlight++;
      post({ kind: "batch", batch: b });
    },
    report(top: number) {
      if (failure !== undefined) return Promise.reject(failure);
      return new Promise<logmine.LogReport>((resolve, reject) => {
        onReport = { resolve, reject };
        post({ kind: "report", top });
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await w.terminate();
    },
  };
}
