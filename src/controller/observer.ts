/**
 * @module
 * Event-driven health analysis: every watch change marks the snapshot dirty; a short debounce later the
 * analyzers run on the informer caches and the difference to the previous findings is emitted
 * (detected, changed, resolved). A periodic resync re-runs analysis for time-based findings.
 */
import * as health from "../health/index.js";
import type { Clock } from "../model/index.js";
import type { AnalysisWorker } from "./analysis.js";
import type { WatchSet } from "./watchset.js";

export type FindingEvent =
  | {
      readonly type: "detected" | "changed";
      readonly finding: health.Finding;
      readonly latencyMs: number | undefined;
    }
  | { readonly type: "resolved"; readonly finding: health.Finding; readonly latencyMs: number | undefined };

export interface ObserverOptions {
  readonly clock: Clock;
  readonly config: health.HealthConfig;
  readonly debounceMs?: number;
  readonly resyncMs?: number;
  readonly namespaces?: readonly string[] | undefined;
  readonly onEvent: (e: FindingEvent) => void;
  /** Run the analyzers in this worker (fed by the WatchSet's onObject): the event loop never waits for them. */
  readonly worker?: AnalysisWorker | undefined;
  /** After each analysis: all current findings and how long the analysis took. */
  readonly onAnalysis?: (findings: readonly health.Finding[], tookMs: number) => void;
}

function fingerprint(f: health.Finding): string {
  return `${f.severity}|${f.code}|${f.reason}|${String(f.evidence.length + f.evidenceOmitted)}`;
}

export class Observer {
  readonly #watch: WatchSet;
  readonly #opts: ObserverOptions;
  #current = new Map<string, health.Finding>();
  #dirtySince: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #first = true;
  #snapshot: health.Snapshot | undefined;
  #inFlight = false;
  #rerun = false;

  constructor(watch: WatchSet, opts: ObserverOptions) {
    this.#watch = watch;
    this.#opts = opts;
  }

  get findings(): readonly health.Finding[] {
    return [...this.#current.values()];
  }

  /** The snapshot of the last analysis (with a worker: built on demand from the main thread's caches). */
  get snapshot(): health.Snapshot | undefined {
    if (this.#snapshot === undefined && this.#opts.worker !== undefined && this.#watch.synced)
      this.#snapshot = this.#watch.snapshot(this.#opts.namespaces);
    return this.#snapshot;
  }

  /** Call on every watch change (cheap; never throws). */
  changed(): void {
    this.#dirtySince ??= performance.now();
    if (this.#timer === undefined && this.#watch.synced) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#trigger();
      }, this.#opts.debounceMs ?? 20);
    }
  }

  /** Analyses now, on this thread (start-up, tests). */
  analyzeNow(): void {
    if (!this.#watch.synced) return;
    const since = this.#dirtySince;
    this.#dirtySince = undefined;
    const t0 = performance.now();
    const snapshot = this.#watch.snapshot(this.#opts.namespaces);
    const findings = health.analyze(this.#opts.clock.now(), snapshot, this.#opts.config);
    this.#snapshot = snapshot;
    this.#apply(findings, performance.now() - t0, since);
  }

  #trigger(): void {
    const w = this.#opts.worker;
    if (w === undefined || w.failed) {
      this.analyzeNow();
      return;
    }
    if (this.#inFlight) {
      this.#rerun = true;
      return;
    }
    if (!this.#watch.synced) return;
    this.#inFlight = true;
    const since = this.#dirtySince;
    this.#dirtySince = undefined;
    w.analyze(this.#opts.clock.now(), this.#opts.config, this.#opts.namespaces)
      .then((r) => {
        this.#snapshot = undefined;
        this.#apply(r.findings, r.tookMs, since);
      })
      .catch(() => {
        this.analyzeNow(); // the worker died: fall back to this thread
      })
      .finally(() => {
        this.#inFlight = false;
        if (this.#rerun) {
          this.#rerun = false;
          this.#trigger();
        }
      });
  }

  #apply(findings: readonly health.Finding[], tookMs: number, since: number | undefined): void {
    const latency = since === undefined || this.#first ? undefined : performance.now() - since;
    const next = new Map(findings.map((f) => [f.id, f]));
    for (const [id, f] of next) {
      const old = this.#current.get(id);
      if (old === undefined) this.#opts.onEvent({ type: "detected", finding: f, latencyMs: latency });
      else if (fingerprint(old) !== fingerprint(f))
        this.#opts.onEvent({ type: "changed", finding: f, latencyMs: latency });
    }
    for (const [id, f] of this.#current) {
      if (!next.has(id)) this.#opts.onEvent({ type: "resolved", finding: f, latencyMs: latency });
    }
    this.#current = next;
    this.#first = false;
    this.#opts.onAnalysis?.(findings, tookMs);
  }

  /** Resyncs until `signal` aborts. Analysis itself is driven by `changed()`. */
  async run(signal: AbortSignal): Promise<void> {
    const resync = this.#opts.resyncMs ?? 30_000;
    while (!signal.aborted) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, resync);
        signal.addEventListener(
          "abort",
          () => {
            clearTimeout(t);
            resolve();
          },
          { once: true },
        );
      });
      if (!isAborted(signal)) this.#trigger();
    }
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}

/** Read through a call so the type checker does not narrow an AbortSignal's state across awaits. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
