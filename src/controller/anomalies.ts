/**
 * Live metric anomalies for `vigil run`, IO-free but stateful: groups pods to their workload (the controller
 * chain Pod → ReplicaSet → Deployment, Pod → Job → CronJob, Pod → StatefulSet/DaemonSet; a bare Pod is its own
 * workload) and to their node, and keeps per workload and per node three series: CPU (sum of the pods' usage,
 * cores), memory (sum of the pods' working set, bytes) and restart rate (container restarts per minute, from
 * `restartCount` deltas). Each series feeds one streaming combined detector from src/anomaly; a score at or
 * above the threshold that also moved the value materially from its baseline emits one {@link MetricAnomaly}.
 * The series then stays quiet until its score has stayed below the threshold, with the value no farther out,
 * for `rearmPoints` points, so a sustained shift or a ramp is one signal.
 *
 * Inputs are the WatchSet's callbacks: `object` (every informer change) and `metrics` (each metrics.k8s.io
 * poll, which is also the sampling tick). A poll whose newest sample is not newer than the last one is
 * skipped, so metrics-server's scrape resolution, not the poll interval, sets the point spacing. Memory is
 * bounded: at most `maxSeries` series (least recently fed evicted first), series of deleted workloads and nodes
 * are dropped, and a series not fed for `idleSeconds` is dropped.
 */
import type { Logger } from "pino";
import { Counter, Gauge, type Registry } from "prom-client";
import * as anomaly from "../anomaly/index.js";
import type * as incident from "../incident/index.js";
import { type ObjectRef, parseQuantity } from "../model/index.js";

export const ANOMALY_METRICS = ["cpu", "memory", "restarts"] as const;
export type AnomalyMetric = (typeof ANOMALY_METRICS)[number];

/** The combined detector's threshold optimised for NAB's standard profile (src/anomaly). */
export const NAB_STANDARD_THRESHOLD = anomaly.defaultAnomalyThreshold;

/** The smallest change from the baseline worth a signal, per metric, whatever the relative change. */
export const MIN_ABSOLUTE_CHANGE: Readonly<Record<AnomalyMetric, number>> = {
  cpu: 0.005, // 5m
  memory: 4 * 2 ** 20, // 4Mi
  restarts: 0.5, // per minute
};

/** One anomaly of one series: what `vigil run` prints, logs and hands to incident correlation. */
export interface MetricAnomaly {
  /** RFC 3339 time of the sample that crossed the threshold. */
  readonly at: string;
  /** The workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet or bare Pod) or the Node. */
  readonly object: ObjectRef;
  readonly metric: AnomalyMetric;
  /** cores (cpu), bytes (memory) or restarts per minute (restarts). */
  readonly value: number;
  /** The series' fast robust level before this sample, same unit. */
  readonly baseline: number;
  /** Combined anomaly score in [0,1). */
  readonly score: number;
  /** The node, for a node series. */
  readonly node?: string;
}

export interface AnomaliesOptions {
  readonly onAnomaly: (a: MetricAnomaly) => void;
  /** Detector configuration. Default `anomaly.defaultAnomalyConfig` (150 points of warm-up). */
  readonly config?: anomaly.AnomalyConfig;
  /** Overrides `config.combiner.warmup` (points before any score). For tests; keep the default in production. */
  readonly warmupPoints?: number;
  /** Score at which a series signals. Default {@link NAB_STANDARD_THRESHOLD}. */
  readonly threshold?: number;
  /**
   * Points below the threshold, with the value no farther from the baseline than it has been, before a series
   * that signalled may signal again. Default 20 (5 min at 15 s).
   */
  readonly rearmPoints?: number;
  /**
   * A crossing signals only when the value differs from the baseline by at least this share of the baseline
   * (and by {@link MIN_ABSOLUTE_CHANGE}). Default 0.2.
   */
  readonly minRelativeChange?: number;
  /** Bound on the series kept (3 per workload and per node). Default 6,000. */
  readonly maxSeries?: number;
  /** A series not fed for this long is dropped (its workload has no pods left, say). Default 3,600 s. */
  readonly idleSeconds?: number;
  /** Debug line per tick (series, points, time taken). */
  readonly log?: Logger | undefined;
  /** Registers `vigil_anomalies_total` and `vigil_anomaly_series` here. */
  readonly registry?: Registry | undefined;
}

export interface AnomaliesStats {
  ticks: number;
  /** Polls skipped because metrics-server had no newer sample. */
  stale: number;
  points: number;
  signals: number;
  evicted: number;
  /** Wall time of the detectors in the last tick, ms. */
  lastTickMs: number;
}

interface Series {
  readonly ref: ObjectRef;
  readonly metric: AnomalyMetric;
  readonly node: string | undefined;
  readonly state: anomaly.CombinedState;
  lastT: number;
  /** Signalled, and not yet re-armed. */
  active: boolean;
  /** Points in a row below the threshold (and no farther out) while active. */
  quiet: number;
  /** Side of the baseline the active anomaly is on. */
  direction: 1 | -1;
  /** The value farthest from the baseline since the signal, on that side. */
  extreme: number;
}

interface PodInfo {
  readonly namespace: string;
  readonly name: string;
  readonly controller: ObjectRef | undefined;
  readonly node: string | undefined;
  readonly restarts: number;
}

interface Meta {
  readonly name?: string;
  readonly namespace?: string;
  readonly ownerReferences?: readonly {
    readonly apiVersion: string;
    readonly kind: string;
    readonly name: string;
    readonly controller?: boolean;
  }[];
}

interface PodJson {
  readonly metadata?: Meta;
  readonly spec?: { readonly nodeName?: string };
  readonly status?: {
    readonly containerStatuses?: readonly { readonly restartCount?: number }[];
    readonly initContainerStatuses?: readonly { readonly restartCount?: number }[];
  };
}

interface PodMetricsJson {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly timestamp?: string;
  readonly containers?: readonly { readonly usage?: { readonly cpu?: string; readonly memory?: string } }[];
}

/** Informer kinds whose deletion ends a workload's series (the kind key → the object kind). */
const WORKLOAD_KINDS: Readonly<Record<string, readonly [string, string]>> = {
  deployments: ["Deployment", "apps/v1"],
  statefulSets: ["StatefulSet", "apps/v1"],
  daemonSets: ["DaemonSet", "apps/v1"],
  replicaSets: ["ReplicaSet", "apps/v1"],
  jobs: ["Job", "batch/v1"],
  cronJobs: ["CronJob", "batch/v1"],
  nodes: ["Node", "v1"],
};

const refKey = (r: { kind: string; namespace: string; name: string }): string =>
  `${r.kind}/${r.namespace}/${r.name}`;
const seriesKey = (metric: AnomalyMetric, r: ObjectRef): string => `${metric}|${refKey(r)}`;
const nodeRef = (name: string): ObjectRef => ({ apiVersion: "v1", kind: "Node", namespace: "", name });

function restartsOf(p: PodJson): number {
  let n = 0;
  for (const c of p.status?.containerStatuses ?? []) n += c.restartCount ?? 0;
  for (const c of p.status?.initContainerStatuses ?? []) n += c.restartCount ?? 0;
  return n;
}

function controllerOf(m: Meta): ObjectRef | undefined {
  const o = m.ownerReferences?.find((x) => x.controller === true);
  return o === undefined
    ? undefined
    : { apiVersion: o.apiVersion, kind: o.kind, namespace: m.namespace ?? "", name: o.name };
}

/** Accumulator of one tick: a workload's or node's sums. */
interface Agg {
  readonly ref: ObjectRef;
  readonly node: string | undefined;
  cpu: number;
  memory: number;
  /** At least one pod of it had a metrics sample this tick. */
  sampled: boolean;
}

export class Anomalies {
  readonly #o: AnomaliesOptions;
  readonly #cfg: anomaly.AnomalyConfig;
  readonly #threshold: number;
  readonly #rearm: number;
  readonly #minRelative: number;
  readonly #maxSeries: number;
  readonly #idle: number;
  /** Insertion order = least recently fed first (a fed series is moved to the end). */
  readonly #series = new Map<string, Series>();
  /** Pod `ns/name` → what grouping and restart counting need. */
  readonly #pods = new Map<string, PodInfo>();
  /** Pod informer id → `ns/name`. */
  readonly #podKeys = new Map<string, string>();
  /** ReplicaSet/Job `Kind/ns/name` → its controller (Deployment, CronJob). */
  readonly #owners = new Map<string, ObjectRef>();
  /** Informer id → the ref a deletion names (deleted objects arrive without a body). */
  readonly #ids = new Map<string, ObjectRef>();
  /** Restarts counted since the last tick, per workload/node ref key. */
  readonly #restarts = new Map<string, number>();
  #lastT: number | undefined;
  readonly stats: AnomaliesStats = { ticks: 0, stale: 0, points: 0, signals: 0, evicted: 0, lastTickMs: 0 };
  readonly #counter: Counter | undefined;
  readonly #gauge: Gauge | undefined;

  constructor(opts: AnomaliesOptions) {
    this.#o = opts;
    const base = opts.config ?? anomaly.defaultAnomalyConfig;
    this.#cfg =
      opts.warmupPoints === undefined
        ? base
        : { ...base, combiner: { ...base.combiner, warmup: opts.warmupPoints } };
    this.#threshold = opts.threshold ?? NAB_STANDARD_THRESHOLD;
    this.#rearm = opts.rearmPoints ?? 20;
    this.#minRelative = opts.minRelativeChange ?? 0.2;
    this.#maxSeries = opts.maxSeries ?? 6_000;
    this.#idle = opts.idleSeconds ?? 3_600;
    if (opts.registry !== undefined) {
      this.#counter = new Counter({
        name: "vigil_anomalies_total",
        help: "Metric anomalies signalled, by metric and object kind.",
        labelNames: ["metric", "kind"],
        registers: [opts.registry],
      });
      this.#gauge = new Gauge({
        name: "vigil_anomaly_series",
        help: "Metric series fed to an anomaly detector.",
        registers: [opts.registry],
      });
    }
  }

  /** Series currently kept. */
  get size(): number {
    return this.#series.size;
  }

  /** The refs with a series of `metric` (for tests and debugging). */
  refs(metric: AnomalyMetric): ObjectRef[] {
    return [...this.#series.values()].filter((s) => s.metric === metric).map((s) => s.ref);
  }

  /** Points fed to one series so far (undefined: no such series). */
  points(metric: AnomalyMetric, ref: { kind: string; namespace: string; name: string }): number | undefined {
    return this.#series.get(`${metric}|${refKey(ref)}`)?.state.n;
  }

  /** Every informer change (the WatchSet's `onObject`); `obj` undefined: deleted. */
  object(kind: string, id: string, obj: unknown): void {
    if (kind === "pods") {
      this.#pod(id, obj as PodJson | undefined);
      return;
    }
    const wk = WORKLOAD_KINDS[kind];
    if (wk === undefined) return;
    if (obj === undefined) {
      const ref = this.#ids.get(id);
      this.#ids.delete(id);
      if (ref === undefined) return;
      this.#owners.delete(refKey(ref));
      this.#drop(ref);
      return;
    }
    const m = (obj as { metadata?: Meta }).metadata;
    if (m?.name === undefined) return;
    const ref: ObjectRef = { apiVersion: wk[1], kind: wk[0], namespace: m.namespace ?? "", name: m.name };
    this.#ids.set(id, ref);
    if (kind === "replicaSets" || kind === "jobs") {
      const c = controllerOf(m);
      if (c !== undefined) this.#owners.set(refKey(ref), c);
      else this.#owners.delete(refKey(ref));
    }
  }

  #pod(id: string, p: PodJson | undefined): void {
    if (p === undefined) {
      const key = this.#podKeys.get(id);
      this.#podKeys.delete(id);
      const old = key === undefined ? undefined : this.#pods.get(key);
      if (key === undefined || old === undefined) return;
      this.#pods.delete(key);
      if (old.controller === undefined)
        this.#drop({ apiVersion: "v1", kind: "Pod", namespace: old.namespace, name: old.name });
      return;
    }
    const m = p.metadata;
    if (m?.name === undefined) return;
    const node = p.spec?.nodeName;
    const info: PodInfo = {
      namespace: m.namespace ?? "",
      name: m.name,
      controller: controllerOf(m),
      node: node === undefined || node === "" ? undefined : node,
      restarts: restartsOf(p),
    };
    const key = `${info.namespace}/${info.name}`;
    this.#podKeys.set(id, key);
    const old = this.#pods.get(key);
    this.#pods.set(key, info);
    const delta = old === undefined ? 0 : info.restarts - old.restarts;
    if (delta > 0) {
      const w = refKey(this.#workload(info));
      this.#restarts.set(w, (this.#restarts.get(w) ?? 0) + delta);
      if (info.node !== undefined) {
        const n = refKey(nodeRef(info.node));
        this.#restarts.set(n, (this.#restarts.get(n) ?? 0) + delta);
      }
    }
  }

  /** The workload a pod belongs to: the top of its controller chain (two levels at most). */
  #workload(p: PodInfo): ObjectRef {
    const c = p.controller;
    if (c === undefined) return { apiVersion: "v1", kind: "Pod", namespace: p.namespace, name: p.name };
    return this.#owners.get(refKey(c)) ?? c;
  }

  #drop(ref: ObjectRef): void {
    for (const metric of ANOMALY_METRICS) this.#series.delete(seriesKey(metric, ref));
    this.#restarts.delete(refKey(ref));
  }

  /**
   * One metrics.k8s.io poll (the WatchSet's `onMetrics`): the sampling tick. Sums usage per workload and per
   * node, turns the restarts counted since the last tick into a rate, and feeds every series one point.
   */
  metrics(items: readonly unknown[]): void {
    const started = performance.now();
    this.stats.ticks++;
    // The sample time is metrics-server's: a poll that brings nothing newer than the last one is no new point.
    let t = Number.NEGATIVE_INFINITY;
    for (const it of items) {
      const ts = Date.parse((it as PodMetricsJson).timestamp ?? "");
      if (ts > t) t = ts;
    }
    t = t / 1000;
    if (!Number.isFinite(t) || (this.#lastT !== undefined && t <= this.#lastT)) {
      this.stats.stale++;
      return;
    }
    const aggs = new Map<string, Agg>();
    const agg = (ref: ObjectRef, node: string | undefined): Agg => {
      const k = refKey(ref);
      let a = aggs.get(k);
      if (a === undefined) {
        a = { ref, node, cpu: 0, memory: 0, sampled: false };
        aggs.set(k, a);
      }
      return a;
    };
    // Every workload and node with a pod gets a restart-rate point, sampled or not.
    for (const p of this.#pods.values()) {
      agg(this.#workload(p), undefined);
      if (p.node !== undefined) agg(nodeRef(p.node), p.node);
    }
    for (const it of items) {
      const m = it as PodMetricsJson;
      const ns = m.metadata?.namespace ?? "";
      const p = this.#pods.get(`${ns}/${m.metadata?.name ?? ""}`);
      if (p === undefined) continue; // not (yet) seen by the pod informer
      let cpu = 0;
      let memory = 0;
      for (const c of m.containers ?? []) {
        cpu += parseQuantity(c.usage?.cpu) ?? 0;
        memory += parseQuantity(c.usage?.memory) ?? 0;
      }
      for (const a of [
        agg(this.#workload(p), undefined),
        p.node !== undefined ? agg(nodeRef(p.node), p.node) : undefined,
      ]) {
        if (a === undefined) continue;
        a.cpu += cpu;
        a.memory += memory;
        a.sampled = true;
      }
    }
    const minutes = this.#lastT === undefined ? undefined : (t - this.#lastT) / 60;
    this.#lastT = t;
    const at = new Date(t * 1000).toISOString();
    for (const [k, a] of aggs) {
      if (a.sampled) {
        this.#feed("cpu", a, t, at, a.cpu);
        this.#feed("memory", a, t, at, a.memory);
      }
      if (minutes !== undefined && minutes > 0)
        this.#feed("restarts", a, t, at, (this.#restarts.get(k) ?? 0) / minutes);
    }
    this.#restarts.clear();
    // Least recently fed first: drop what has not been fed for `idleSeconds`.
    for (const [k, s] of this.#series) {
      if (s.lastT >= t - this.#idle) break;
      this.#series.delete(k);
      this.stats.evicted++;
    }
    this.#gauge?.set(this.#series.size);
    this.stats.lastTickMs = performance.now() - started;
    this.#o.log?.debug(
      { series: this.#series.size, workloads: aggs.size, tookMs: Number(this.stats.lastTickMs.toFixed(2)) },
      "anomaly tick",
    );
  }

  #feed(metric: AnomalyMetric, a: Agg, t: number, at: string, v: number): void {
    const key = seriesKey(metric, a.ref);
    let s = this.#series.get(key);
    if (s === undefined) {
      if (this.#series.size >= this.#maxSeries) {
        const first = this.#series.keys().next();
        if (first.done !== true) {
          this.#series.delete(first.value);
          this.stats.evicted++;
        }
      }
      s = {
        ref: a.ref,
        metric,
        node: a.node,
        state: anomaly.combinedInit(this.#cfg),
        lastT: t,
        active: false,
        quiet: 0,
        direction: 1,
        extreme: 0,
      };
    } else this.#series.delete(key); // re-inserted below: most recently fed last
    this.#series.set(key, s);
    s.lastT = t;
    const baseline = s.state.seasonal.local.med;
    const r = anomaly.combinedStep(s.state, this.#cfg, { t, v });
    this.stats.points++;
    if (s.active) {
      // Re-armed only once the score has stayed low for `rearmPoints` points with the value no farther from
      // the pre-anomaly baseline than it has been since the signal: a ramp keeps one signal going.
      const farther = s.direction * (v - s.extreme) > 0;
      if (farther) s.extreme = v;
      if (r.score >= this.#threshold || farther) s.quiet = 0;
      else if (++s.quiet >= this.#rearm) s.active = false;
      return;
    }
    if (r.score < this.#threshold) return;
    // A detector crossing that is small in the metric's own terms (noise touching a new record) is not signalled.
    const change = Math.abs(v - baseline);
    if (change < Math.max(this.#minRelative * Math.abs(baseline), MIN_ABSOLUTE_CHANGE[metric])) return;
    s.active = true;
    s.quiet = 0;
    s.direction = v >= baseline ? 1 : -1;
    s.extreme = v;
    this.stats.signals++;
    this.#counter?.inc({ metric, kind: a.ref.kind });
    this.#o.onAnomaly({
      at,
      object: a.ref,
      metric,
      value: v,
      baseline,
      score: r.score,
      ...(s.node !== undefined ? { node: s.node } : {}),
    });
  }
}

/** The anomaly as the incident correlation's signal (`baseline` has no field there yet). */
export function anomalySignal(a: MetricAnomaly): incident.AnomalySignal {
  return {
    kind: "anomaly",
    at: a.at,
    object: a.object,
    metric: a.metric,
    score: Math.min(1, Math.max(0, a.score)),
    value: a.value,
    ...(a.node !== undefined ? { node: a.node } : {}),
  };
}

/** A value in its unit: `250m` cores, `96Mi`, `1.5/min`. */
export function formatMetric(metric: AnomalyMetric, v: number): string {
  switch (metric) {
    case "cpu":
      return `${(v * 1000).toFixed(0)}m`;
    case "memory":
      return `${(v / 2 ** 20).toFixed(1)}Mi`;
    case "restarts":
      return `${v.toFixed(2)}/min`;
  }
}

/** The stdout line of `vigil run`, shaped like its DETECTED lines. */
export function anomalyLine(a: MetricAnomaly): string {
  const ns = a.object.namespace === "" ? "" : `${a.object.namespace}/`;
  return `${a.at} ANOMALY  score ${a.score.toFixed(2)} ${a.object.kind} ${ns}${a.object.name} ${a.metric}: ${formatMetric(a.metric, a.value)} (baseline ${formatMetric(a.metric, a.baseline)})\n`;
}
