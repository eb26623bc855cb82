/**
 * @module
 * The PredictiveScaler controller (thin; decisions are in `predictivescaler-plan.ts`). Watch changes and a
 * periodic resync enqueue `namespace/name`; one reconcile runs at a time per key, with per-key backoff.
 * A reconcile reads the target's scale, its load and the HPA that targets it, loads the history, fits the
 * forecast in a worker thread, plans, acts (Auto) and writes status once, through the status subresource.
 */
import { Worker } from "node:worker_threads";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { z } from "zod";
import * as api from "../api/index.js";
import type * as autoscale from "../autoscale/index.js";
import { expectOk, FIELD_MANAGER, Informer, KubeError, rawRequest, type ObjectJson } from "../kube/index.js";
import {
  cpuQuery,
  prometheusSource,
  recorderSource,
  sampleWorkload,
  scalePath,
  type HistoryRecorder,
  type HistorySource,
  type WorkloadRef,
} from "../metrics/index.js";
import { VigilError, type Clock } from "../model/index.js";
import {
  fitHorizonSeconds,
  planScale,
  type ForecastRequest,
  type HpaView,
  type Plan,
  type UpperForecast,
} from "./predictivescaler-plan.js";
import type { FitMessage, FitReply } from "./predictivescaler-worker.js";

/** Fits forecasts in one worker thread, one request at a time (a small pool of one: fits are short). */
export class ForecastWorker {
  readonly #w: Worker;
  readonly #pending = new Map<number, { resolve: (r: UpperForecast) => void; reject: (e: Error) => void }>();
  #next = 0;
  #closed = false;

  constructor() {
    const fromSource = import.meta.url.endsWith(".ts");
    const url = new URL(`./predictivescaler-worker.${fromSource ? "ts" : "js"}`, import.meta.url);
    this.#w = new Worker(url, { execArgv: fromSource ? ["--import", "tsx"] : [] });
    this.#w.on("message", (m: FitReply) => {
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if ("result" in m) p?.resolve(m.result);
      else p?.reject(new VigilError("ForecastWorker", `forecast fit failed: ${m.error}`));
    });
    const failAll = (err: Error) => {
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    this.#w.on("error", (err) => {
      failAll(new VigilError("ForecastWorker", "forecast worker crashed", { cause: err }));
    });
    this.#w.on("exit", (code) => {
      if (!this.#closed)
        failAll(new VigilError("ForecastWorker", `forecast worker exited with code ${code}`));
    });
  }

  fit(request: ForecastRequest): Promise<UpperForecast> {
    if (this.#closed) return Promise.reject(new VigilError("ForecastWorker", "forecast worker is closed"));
    const id = this.#next++;
    return new Promise<UpperForecast>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#w.postMessage({ id, request } satisfies FitMessage);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#w.terminate();
  }
}

export type Outcome =
  | { kind: "ready"; reason: string; message: string }
  | { kind: "waiting"; reason: string; message: string }
  | { kind: "stalled"; reason: string; message: string };

interface Reconciled {
  readonly outcome: Outcome;
  readonly status: Partial<api.PredictiveScalerStatus>;
}

export interface PredictiveScalerOptions {
  readonly clock: Clock;
  readonly log: Logger;
  /** Watch one namespace (default: all). */
  readonly namespace?: string | undefined;
  /** metrics.k8s.io history, when Prometheus is not configured. */
  readonly recorder?: HistoryRecorder | undefined;
  readonly prometheusUrl?: string | undefined;
  readonly intervalMs?: number;
  /** False while another replica leads: nothing is reconciled (default: always active). */
  readonly active?: () => boolean;
  /** History loaded for a fit. */
  readonly historySeconds?: number;
}

const GVR = "/apis/vigil.dev/v1alpha1";
const SCALABLE = ["Deployment", "StatefulSet", "ReplicaSet"];
const MAX_KEYS = 10_000;

const HpaList = z.object({
  items: z.array(
    z.object({
      metadata: z.object({ name: z.string() }),
      spec: z.object({
        scaleTargetRef: z.object({ kind: z.string(), name: z.string() }),
        minReplicas: z.number().optional(),
        maxReplicas: z.number(),
      }),
    }),
  ),
});

function condition(
  type: string,
  status: "True" | "False" | "Unknown",
  reason: string,
  message: string,
  now: string,
  gen: number | undefined,
  prev: readonly api.Condition[] | undefined,
): api.Condition {
  const old = prev?.find((c) => c.type === type);
  return {
    type,
    status,
    reason,
    message: message.slice(0, 32_000),
    lastTransitionTime: old?.status === status ? old.lastTransitionTime : now,
    ...(gen !== undefined ? { observedGeneration: gen } : {}),
  };
}

export class PredictiveScalerController {
  readonly #kc: KubeConfig;
  readonly #opts: PredictiveScalerOptions;
  readonly #informer: Informer;
  readonly #worker = new ForecastWorker();
  readonly #dirty = new Set<string>();
  readonly #backoff = new Map<string, { failures: number; notBefore: number }>();
  readonly #state = new Map<string, autoscale.PredictiveState>();
  /** The cycle (seconds) each key's outlook last used: kept when a later detection finds none. */
  readonly #periods = new Map<string, number>();
  readonly #targets = new Map<string, WorkloadRef>();
  readonly #generations = new Map<string, number>();
  #wake: (() => void) | undefined;

  constructor(kc: KubeConfig, opts: PredictiveScalerOptions) {
    this.#kc = kc;
    this.#opts = opts;
    const ns = opts.namespace;
    this.#informer = new Informer(kc, {
      path: ns !== undefined ? `${GVR}/namespaces/${ns}/predictivescalers` : `${GVR}/predictivescalers`,
      onChange: (key, obj) => {
        // Status writes come back as watch events: only a spec change (generation) or a deletion is news.
        const gen = (obj?.metadata as { generation?: number } | undefined)?.generation;
        if (obj !== undefined && gen !== undefined && this.#generations.get(key) === gen) return;
        if (gen === undefined) this.#generations.delete(key);
        else if (this.#generations.size < MAX_KEYS) this.#generations.set(key, gen);
        this.enqueue(key);
      },
      onRestart: (fields) => {
        opts.log.warn(fields, "predictivescaler watch restarted");
      },
    });
  }

  get synced(): boolean {
    return this.#informer.synced;
  }

  /** Marks a key for reconcile (collapses duplicates). Never throws. */
  enqueue(key: string): void {
    if (this.#dirty.size < MAX_KEYS) this.#dirty.add(key);
    this.#wake?.();
  }

  #history(spec: api.PredictiveScalerSpec, target: WorkloadRef): HistorySource | Outcome {
    const url = this.#opts.prometheusUrl;
    if (spec.metric.kind === "promql") {
      if (url === undefined)
        return {
          kind: "stalled",
          reason: "NoPrometheus",
          message: "metric kind promql needs vigil run --prometheus-url",
        };
      const q = spec.metric.query;
      if (q === undefined || q.trim() === "")
        return { kind: "stalled", reason: "InvalidSpec", message: "metric kind promql needs metric.query" };
      return prometheusSource(url, () => q);
    }
    if (url !== undefined) return prometheusSource(url, cpuQuery);
    const rec = this.#opts.recorder;
    if (rec === undefined)
      return { kind: "stalled", reason: "NoHistory", message: "no history source configured" };
    rec.track(target);
    return recorderSource(rec);
  }

  async #hpaFor(target: WorkloadRef, signal: AbortSignal): Promise<HpaView | undefined> {
    const path = `/apis/autoscaling/v2/namespaces/${encodeURIComponent(target.namespace)}/horizontalpodautoscalers`;
    const list = HpaList.safeParse(
      expectOk(await rawRequest(this.#kc, "GET", path, { signal }), "list", path),
    );
    if (!list.success) return undefined;
    const h = list.data.items.find(
      (x) => x.spec.scaleTargetRef.kind === target.kind && x.spec.scaleTargetRef.name === target.name,
    );
    return h === undefined
      ? undefined
      : { name: h.metadata.name, minReplicas: h.spec.minReplicas ?? 1, maxReplicas: h.spec.maxReplicas };
  }

  async #apply(
    path: string,
    body: unknown,
    force: boolean,
    what: string,
    signal: AbortSignal,
  ): Promise<void> {
    const q = new URLSearchParams({ fieldManager: FIELD_MANAGER, force: String(force) });
    expectOk(
      await rawRequest(this.#kc, "PATCH", `${path}?${q.toString()}`, {
        body: JSON.stringify(body),
        contentType: "application/apply-patch+yaml",
        signal,
      }),
      "apply",
      what,
    );
  }

  /** Acts on the plan. Auto mode is the owner's consent for the one field Vigil moves, so it forces. */
  async #actuate(plan: Plan, target: WorkloadRef, signal: AbortSignal): Promise<void> {
    const a = plan.actuation;
    if (a.kind === "hpaMinReplicas") {
      const path = `/apis/autoscaling/v2/namespaces/${encodeURIComponent(target.namespace)}/horizontalpodautoscalers/${encodeURIComponent(a.hpa)}`;
      const body = {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: a.hpa, namespace: target.namespace },
        spec: { minReplicas: a.minReplicas },
      };
      await this.#apply(path, body, true, `HorizontalPodAutoscaler ${target.namespace}/${a.hpa}`, signal);
    } else if (a.kind === "scale") {
      const body = {
        apiVersion: "autoscaling/v1",
        kind: "Scale",
        metadata: { name: target.name, namespace: target.namespace },
        spec: { replicas: a.replicas },
      };
      await this.#apply(
        scalePath(target),
        body,
        true,
        `${target.kind} ${target.namespace}/${target.name} scale`,
        signal,
      );
    }
  }

  async #reconcile(obj: ObjectJson, key: string, signal: AbortSignal): Promise<Reconciled> {
    const parsed = api.PredictiveScalerSpec.safeParse(obj["spec"]);
    if (!parsed.success)
      return {
        outcome: { kind: "stalled", reason: "InvalidSpec", message: z.prettifyError(parsed.error) },
        status: {},
      };
    const spec = parsed.data;
    const ns = obj.metadata?.namespace ?? "default";
    if (!SCALABLE.includes(spec.target.kind) || spec.target.apiVersion !== "apps/v1")
      return {
        outcome: {
          kind: "stalled",
          reason: "UnsupportedTarget",
          message: `target must be an apps/v1 ${SCALABLE.join(", ")}; got ${spec.target.apiVersion} ${spec.target.kind}`,
        },
        status: {},
      };
    const target: WorkloadRef = {
      namespace: spec.target.namespace ?? ns,
      kind: spec.target.kind,
      name: spec.target.name,
    };
    this.#targets.set(key, target);
    const source = this.#history(spec, target);
    if ("kind" in source) return { outcome: source, status: {} };
    const nowDate = this.#opts.clock.now();
    const now = nowDate.getTime() / 1000;
    let sample;
    try {
      sample = await sampleWorkload(this.#kc, target, now, signal);
    } catch (err) {
      if (err instanceof KubeError && err.reason === "NotFound")
        return {
          outcome: {
            kind: "waiting",
            reason: "TargetNotFound",
            message: `${target.kind} ${target.namespace}/${target.name} not found`,
          },
          status: {},
        };
      throw err;
    }
    const hpa = await this.#hpaFor(target, signal);
    const samples = await source.load(
      target,
      { start: now - (this.#opts.historySeconds ?? 8 * 86_400), end: now, stepSeconds: 60 },
      signal,
    );
    const forecast = await this.#worker.fit({
      samples,
      now,
      horizonSeconds: fitHorizonSeconds(spec),
      knownPeriodSeconds: this.#periods.get(key),
    });
    if (forecast.kind === "ok" && forecast.periodSeconds !== undefined)
      this.#periods.set(key, forecast.periodSeconds);
    const prevStatus = api.PredictiveScalerStatus.safeParse(obj["status"] ?? {});
    const useLoad = spec.metric.kind === "cpu" && this.#opts.prometheusUrl === undefined;
    const lastProm = samples[samples.length - 1];
    const load = useLoad
      ? sample.pods > 0
        ? { value: sample.millicores, pods: sample.pods }
        : undefined
      : lastProm !== undefined && now - lastProm.t < 180
        ? { value: lastProm.v, pods: Math.max(1, sample.statusReplicas) }
        : undefined;
    const plan = planScale({
      now,
      spec,
      current: sample.specReplicas,
      load,
      hpa,
      status: prevStatus.success ? prevStatus.data : undefined,
      forecast,
      state: this.#state.get(key) ?? { recent: [] },
    });
    this.#state.set(key, plan.state);
    this.#opts.log.debug(
      {
        policy: key,
        desired: plan.desired,
        reason: plan.reason,
        history: samples.length,
        forecast: forecast.kind,
        peakUpper: plan.peakUpper,
      },
      "predictivescaler planned",
    );
    const iso = nowDate.toISOString();
    const peak =
      forecast.kind === "ok"
        ? forecast.points.reduce((m, p) => (p.upper > m.upper ? p : m), {
            t: now,
            mean: 0,
            upper: 0,
            ratio: 1,
          })
        : undefined;
    const status: Partial<api.PredictiveScalerStatus> = {
      desiredReplicas: plan.desired,
      currentReplicas: sample.specReplicas,
      ...(plan.predicted !== undefined ? { predictedReplicas: plan.predicted } : {}),
      reason: plan.message.slice(0, 4000),
      ...(forecast.kind === "ok" && peak !== undefined
        ? {
            forecast: {
              model: forecast.model,
              period: forecast.period,
              historyPoints: forecast.historyPoints,
              ...(load !== undefined ? { currentLoad: Math.max(0, load.value) } : {}),
              peakUpper: Math.max(0, plan.peakUpper ?? 0),
              peakUpperHorizon: Math.max(0, peak.upper),
              peakAt: new Date(peak.t * 1000).toISOString(),
              fittedAt: iso,
            },
          }
        : {}),
    };
    let hpaStatus = plan.hpaStatus;
    try {
      await this.#actuate(plan, target, signal);
      if (plan.actuation.kind !== "none") {
        status.lastScaleTime = iso;
        this.#opts.log.info(
          {
            policy: key,
            target: `${target.kind}/${target.name}`,
            action: plan.actuation.kind,
            desired: plan.desired,
            reason: plan.reason,
          },
          "predictive scaling applied",
        );
      }
    } catch (err) {
      if (hpa !== undefined && hpaStatus !== undefined)
        hpaStatus = { ...hpaStatus, appliedMinReplicas: hpa.minReplicas };
      if (hpaStatus !== undefined) status.hpa = hpaStatus;
      if (err instanceof KubeError)
        return { outcome: { kind: "waiting", reason: `Apply${err.reason}`, message: err.message }, status };
      throw err;
    }
    if (hpaStatus !== undefined) status.hpa = hpaStatus;
    if (forecast.kind !== "ok")
      return { outcome: { kind: "waiting", reason: plan.reason, message: plan.message }, status };
    return { outcome: { kind: "ready", reason: plan.reason, message: plan.message }, status };
  }

  async #writeStatus(obj: ObjectJson, r: Reconciled, signal: AbortSignal): Promise<void> {
    const meta = obj.metadata as (ObjectJson["metadata"] & { generation?: number }) | undefined;
    const name = meta?.name ?? "";
    const ns = meta?.namespace ?? "default";
    const gen = meta?.generation;
    const prev = (obj["status"] as { conditions?: api.Condition[] } | undefined)?.conditions;
    const iso = this.#opts.clock.now().toISOString();
    const o = r.outcome;
    const conditions = [
      condition("Ready", o.kind === "ready" ? "True" : "False", o.reason, o.message, iso, gen, prev),
      condition(
        "Reconciling",
        o.kind === "waiting" ? "True" : "False",
        o.kind === "waiting" ? o.reason : "Done",
        o.kind === "waiting" ? o.message : "",
        iso,
        gen,
        prev,
      ),
      condition(
        "Stalled",
        o.kind === "stalled" ? "True" : "False",
        o.kind === "stalled" ? o.reason : "Done",
        o.kind === "stalled" ? o.message : "",
        iso,
        gen,
        prev,
      ),
    ];
    const body = {
      apiVersion: "vigil.dev/v1alpha1",
      kind: "PredictiveScaler",
      metadata: { name, namespace: ns },
      status: { ...r.status, ...(gen !== undefined ? { observedGeneration: gen } : {}), conditions },
    };
    const path = `${GVR}/namespaces/${encodeURIComponent(ns)}/predictivescalers/${encodeURIComponent(name)}/status`;
    // Status is Vigil's own: nobody else writes it.
    await this.#apply(path, body, true, `PredictiveScaler ${ns}/${name} status`, signal);
  }

  async #process(key: string, signal: AbortSignal): Promise<void> {
    if (this.#opts.active?.() === false) return; // not leading: the next resync retries
    const obj = this.#informer.get(key);
    if (obj === undefined) {
      // Gone: forget per-key state; stop recording the target unless another scaler uses it.
      const t = this.#targets.get(key);
      this.#targets.delete(key);
      this.#state.delete(key);
      this.#periods.delete(key);
      this.#backoff.delete(key);
      if (
        t !== undefined &&
        ![...this.#targets.values()].some(
          (x) => x.namespace === t.namespace && x.kind === t.kind && x.name === t.name,
        )
      )
        this.#opts.recorder?.untrack(t);
      return;
    }
    let r: Reconciled;
    try {
      r = await this.#reconcile(obj, key, signal);
    } catch (err) {
      const reason =
        err instanceof KubeError ? `Kube${err.reason}` : err instanceof VigilError ? err.code : "Error";
      r = {
        outcome: {
          kind: "waiting",
          reason,
          message: err instanceof VigilError ? err.message : "reconcile failed",
        },
        status: {},
      };
      this.#opts.log.warn({ policy: key, reason }, "predictivescaler reconcile failed");
    }
    if (r.outcome.kind === "waiting" && r.outcome.reason !== "InsufficientHistory") {
      const b = this.#backoff.get(key) ?? { failures: 0, notBefore: 0 };
      b.failures++;
      b.notBefore = performance.now() + Math.min(60_000, 1000 * 2 ** Math.min(b.failures, 6));
      this.#backoff.set(key, b);
    } else this.#backoff.delete(key);
    try {
      await this.#writeStatus(obj, r, signal);
    } catch (err) {
      this.#opts.log.warn(
        { policy: key, reason: err instanceof KubeError ? err.reason : "Unknown" },
        "predictivescaler status write failed",
      );
    }
  }

  /** Runs the watch, the resync and the queue until `signal` aborts; then stops the worker. */
  async run(signal: AbortSignal): Promise<void> {
    const interval = this.#opts.intervalMs ?? 15_000;
    const watching = this.#informer.run(signal);
    const resync = setInterval(() => {
      for (const o of this.#informer.list())
        this.enqueue(`${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`);
    }, interval);
    const onAbort = () => this.#wake?.();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      while (!signal.aborted) {
        const due = [...this.#dirty].filter(
          (k) => (this.#backoff.get(k)?.notBefore ?? 0) <= performance.now(),
        );
        for (const key of due) {
          if (isAborted(signal)) break;
          this.#dirty.delete(key);
          await this.#process(key, signal);
        }
        if (isAborted(signal)) break;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, due.length === 0 && this.#dirty.size > 0 ? 1000 : interval);
          this.#wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.#wake = undefined;
      }
    } finally {
      clearInterval(resync);
      signal.removeEventListener("abort", onAbort);
      await watching.catch(() => undefined);
      await this.#worker.close();
    }
  }
}

/** Read through a call so the type checker does not narrow an AbortSignal's state across awaits. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
