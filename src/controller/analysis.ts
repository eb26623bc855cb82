/**
 * @module
 * Main-thread side of the analysis worker: forwards every watched object's change and asks for analyses.
 * Only one analysis is in flight; its result comes back as a promise.
 */
import { Worker } from "node:worker_threads";
import type * as health from "../health/index.js";

export type AnalysisRequest =
  | { readonly type: "set"; readonly kind: health.KindKey; readonly id: string; readonly obj: unknown }
  | { readonly type: "delete"; readonly kind: health.KindKey; readonly id: string }
  | { readonly type: "metrics"; readonly items: readonly unknown[] }
  | {
      readonly type: "analyze";
      readonly seq: number;
      readonly now: string;
      readonly config: unknown;
      readonly namespaces: readonly string[] | undefined;
    };

export interface AnalysisResponse {
  readonly seq: number;
  readonly findings: readonly health.Finding[];
  readonly tookMs: number;
}

export class AnalysisWorker {
  readonly #worker: Worker;
  readonly #waiting = new Map<
    number,
    { resolve: (r: AnalysisResponse) => void; reject: (e: Error) => void }
  >();
  #seq = 0;
  #failed: Error | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on("message", (r: AnalysisResponse) => {
      const w = this.#waiting.get(r.seq);
      this.#waiting.delete(r.seq);
      w?.resolve(r);
    });
    worker.on("error", (e: unknown) => {
      const err = e instanceof Error ? e : new Error("analysis worker failed");
      this.#failed = err;
      for (const w of this.#waiting.values()) w.reject(err);
      this.#waiting.clear();
    });
    worker.unref();
  }

  /** Starts the worker from the built JavaScript; undefined when running from TypeScript sources (tests). */
  static start(): AnalysisWorker | undefined {
    const url = new URL("./analysis-worker.js", import.meta.url);
    if (import.meta.url.endsWith(".ts")) return undefined;
    return new AnalysisWorker(new Worker(url));
  }

  get failed(): boolean {
    return this.#failed !== undefined;
  }

  set(kind: health.KindKey, id: string, obj: unknown): void {
    this.#worker.postMessage({ type: "set", kind, id, obj } satisfies AnalysisRequest);
  }

  delete(kind: health.KindKey, id: string): void {
    this.#worker.postMessage({ type: "delete", kind, id } satisfies AnalysisRequest);
  }

  metrics(items: readonly unknown[]): void {
    this.#worker.postMessage({ type: "metrics", items } satisfies AnalysisRequest);
  }

  analyze(
    now: Date,
    config: health.HealthConfig,
    namespaces: readonly string[] | undefined,
  ): Promise<AnalysisResponse> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#waiting.set(seq, { resolve, reject });
      this.#worker.postMessage({
        type: "analyze",
        seq,
        now: now.toISOString(),
        config,
        namespaces,
      } satisfies AnalysisRequest);
    });
  }

  async stop(): Promise<void> {
    await this.#worker.terminate();
  }
}
