/**
 * @module
 * Where a workload's history comes from, behind one port: the operator's in-memory recorder, the
 * checkpoint ConfigMap it writes (for the CLI), or Prometheus range queries (`--prometheus-url`).
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type * as fc from "../forecast/index.js";
import { expectOk, rawRequest } from "../kube/index.js";
import { VigilError } from "../model/index.js";
import { checkpointName, parseCheckpoint, type WorkloadRef } from "./checkpoint.js";
import { cpuQuery, queryRange } from "./prometheus.js";
import type { HistoryRecorder } from "./recorder.js";
import { TieredSeries } from "./ring.js";

export interface HistoryRange {
  /** Unix seconds. */
  readonly start: number;
  readonly end: number;
  readonly stepSeconds: number;
}

/** A workload's history as samples, oldest first. */
export interface HistorySource {
  readonly describe: string;
  load(w: WorkloadRef, range: HistoryRange, signal?: AbortSignal): Promise<fc.Sample[]>;
}

export function recorderSource(rec: HistoryRecorder): HistorySource {
  return {
    describe: "metrics.k8s.io history",
    load: (w, range) => Promise.resolve(rec.samples(w, range.start).filter((s) => s.t <= range.end)),
  };
}

/** Reads the checkpoint the operator keeps (what `vigil forecast deployment/NAME` uses without Prometheus). */
export function checkpointSource(kc: KubeConfig): HistorySource {
  return {
    describe: "checkpoint ConfigMap",
    async load(w, range, signal) {
      const name = checkpointName(w);
      const res = await rawRequest(
        kc,
        "GET",
        `/api/v1/namespaces/${encodeURIComponent(w.namespace)}/configmaps/${name}`,
        { timeoutMs: 10_000, ...(signal !== undefined ? { signal } : {}) },
      );
      if (res.status === 404) {
        throw new VigilError(
          "NoHistory",
          `no history for ${w.kind.toLowerCase()}/${w.name} in ${w.namespace}`,
          {
            hint: "Vigil records history for PredictiveScaler targets (vigil run --scalers); or pass --prometheus-url",
          },
        );
      }
      const p = parseCheckpoint(expectOk(res, "get", `ConfigMap ${w.namespace}/${name}`));
      if (p.kind !== "ok") throw new VigilError("BadInput", `ConfigMap ${w.namespace}/${name}: ${p.message}`);
      const s = new TieredSeries();
      s.restore(p.checkpoint);
      return s.samples(range.start).filter((x) => x.t <= range.end);
    },
  };
}

/** PromQL range queries; `query` (given the step) defaults to the workload's CPU in millicores. */
export function prometheusSource(
  baseUrl: string,
  query: (w: WorkloadRef, stepSeconds: number) => string = cpuQuery,
): HistorySource {
  return {
    describe: `Prometheus ${baseUrl}`,
    load: (w, range, signal) =>
      queryRange(
        baseUrl,
        {
          query: query(w, range.stepSeconds),
          start: range.start,
          end: range.end,
          stepSeconds: range.stepSeconds,
        },
        signal,
      ),
  };
}
