/**
 * @module
 * Resource-management analysis over plain data (no cluster client): QoS class now and under a
 * recommendation, ResourceQuota headroom and suggested quotas, node overcommitment, idle workloads and
 * probe advice. The edges build these inputs from the informer cache or a recorded snapshot.
 */
import type { Recommendation } from "./types.js";
import { DAY, MiB } from "./types.js";

export type QosClass = "Guaranteed" | "Burstable" | "BestEffort";

/** Requests and limits of one container; undefined = not set. */
export interface ContainerResources {
  readonly name: string;
  readonly requests: { readonly cpu?: number | undefined; readonly mem?: number | undefined };
  readonly limits: { readonly cpu?: number | undefined; readonly mem?: number | undefined };
}

/**
 * The pod's QoS class (kubernetes.io, "Pod Quality of Service Classes"): BestEffort when no container sets
 * any request or limit; Guaranteed when every container has CPU and memory limits and requests equal to
 * them (a missing request defaults to the limit); Burstable otherwise.
 */
export function qosClass(containers: readonly ContainerResources[]): QosClass {
  const any = containers.some(
    (c) =>
      c.requests.cpu !== undefined ||
      c.requests.mem !== undefined ||
      c.limits.cpu !== undefined ||
      c.limits.mem !== undefined,
  );
  if (!any) return "BestEffort";
  const guaranteed = containers.every((c) => {
    const lc = c.limits.cpu;
    const lm = c.limits.mem;
    if (lc === undefined || lm === undefined || lc === 0 || lm === 0) return false;
    return (c.requests.cpu ?? lc) === lc && (c.requests.mem ?? lm) === lm;
  });
  return guaranteed ? "Guaranteed" : "Burstable";
}

/** Applies recommendations by container name (requests = targets, limits as recommended or kept). */
export function applyRecommendation(
  containers: readonly ContainerResources[],
  recs: Readonly<Record<string, Recommendation>>,
  limitPolicy: "recommended" | "keepRatio" = "recommended",
): readonly ContainerResources[] {
  return containers.map((c) => {
    const r = recs[c.name];
    if (r === undefined) return c;
    const ratio = (lim: number | undefined, req: number | undefined, target: number) =>
      lim === undefined ? undefined : req === undefined || req === 0 ? lim : (target * lim) / req;
    const limits =
      limitPolicy === "recommended"
        ? { cpu: r.limits.cpu ?? c.limits.cpu, mem: r.limits.mem ?? c.limits.mem }
        : {
            cpu: ratio(c.limits.cpu, c.requests.cpu, r.cpu.target),
            mem: ratio(c.limits.mem, c.requests.mem, r.mem.target),
          };
    return { name: c.name, requests: { cpu: r.cpu.target, mem: r.mem.target }, limits };
  });
}

export interface QosChange {
  readonly now: QosClass;
  readonly recommended: QosClass;
  readonly changed: boolean;
  readonly note: string;
}

export function qosChange(
  before: readonly ContainerResources[],
  after: readonly ContainerResources[],
): QosChange {
  const now = qosClass(before);
  const recommended = qosClass(after);
  const note =
    now === recommended
      ? `stays ${now}`
      : recommended === "Guaranteed"
        ? `${now} → Guaranteed: last to be evicted under node pressure`
        : recommended === "BestEffort"
          ? `${now} → BestEffort: first to be evicted`
          : `${now} → Burstable: may be evicted before Guaranteed pods under node pressure`;
  return { now, recommended, changed: now !== recommended, note };
}

/** ResourceQuota `hard` and `used` for the four compute keys; undefined = not in the quota. */
export interface QuotaAmounts {
  readonly requestsCpu?: number | undefined;
  readonly requestsMemory?: number | undefined;
  readonly limitsCpu?: number | undefined;
  readonly limitsMemory?: number | undefined;
}

export interface QuotaLine {
  readonly resource: keyof QuotaAmounts;
  readonly hard: number | undefined;
  readonly used: number;
  /** hard − used; undefined without a hard value. */
  readonly headroom: number | undefined;
  /** used / hard. */
  readonly utilisation: number | undefined;
  /** What the namespace would use under the recommendations. */
  readonly recommendedUse: number;
  /** recommendedUse × (1 + buffer), rounded up (CPU to 100 m, memory to 256 MiB). */
  readonly suggestedHard: number;
}

const QUOTA_KEYS = ["requestsCpu", "requestsMemory", "limitsCpu", "limitsMemory"] as const;

export function quotaReport(
  hard: QuotaAmounts,
  used: QuotaAmounts,
  recommendedUse: QuotaAmounts,
  buffer = 0.2,
): readonly QuotaLine[] {
  return QUOTA_KEYS.map((k) => {
    const h = hard[k];
    const u = used[k] ?? 0;
    const r = recommendedUse[k] ?? u;
    const unit = k.endsWith("Cpu") ? 0.1 : 256 * MiB;
    const suggested = Math.ceil((r * (1 + buffer)) / unit - 1e-9) * unit;
    return {
      resource: k,
      hard: h,
      used: u,
      headroom: h === undefined ? undefined : h - u,
      utilisation: h === undefined || h === 0 ? undefined : u / h,
      recommendedUse: r,
      suggestedHard: suggested,
    };
  });
}

export type Risk = "none" | "low" | "medium" | "high";

export interface NodeInput {
  readonly name: string;
  readonly allocatable: { readonly cpu: number; readonly mem: number };
  /** Sums over the node's pods. */
  readonly limits: { readonly cpu: number; readonly mem: number };
  readonly requests: { readonly cpu: number; readonly mem: number };
  /** A high percentile (e.g. p95) of the node's memory working set, when known. */
  readonly memUsageP95?: number | undefined;
}

export interface Overcommit {
  readonly node: string;
  readonly cpuLimitRatio: number;
  readonly memLimitRatio: number;
  readonly risk: Risk;
  readonly reason: string;
}

/**
 * Overcommitment = sum of limits / allocatable. CPU overcommit only throttles; memory overcommit can end
 * in OOM kills and evictions, so the risk follows memory: high when limits exceed 150 % of allocatable and
 * usage is above 80 % (or unknown and limits exceed 200 %); medium above 120 %; low above 100 %.
 */
export function overcommit(n: NodeInput): Overcommit {
  const cpu = n.allocatable.cpu > 0 ? n.limits.cpu / n.allocatable.cpu : 0;
  const mem = n.allocatable.mem > 0 ? n.limits.mem / n.allocatable.mem : 0;
  const usage = n.memUsageP95 === undefined ? undefined : n.memUsageP95 / n.allocatable.mem;
  let risk: Risk = "none";
  if (mem > 1) risk = "low";
  if (mem > 1.2) risk = "medium";
  if ((mem > 1.5 && usage !== undefined && usage > 0.8) || (mem > 2 && usage === undefined)) risk = "high";
  if (risk === "none" && cpu > 1) risk = "low";
  const reason = `memory limits ${(100 * mem).toFixed(0)}% and CPU limits ${(100 * cpu).toFixed(0)}% of allocatable${usage === undefined ? "" : `, memory p95 ${(100 * usage).toFixed(0)}%`}`;
  return { node: n.name, cpuLimitRatio: cpu, memLimitRatio: mem, risk, reason };
}

export interface WorkloadUsage {
  readonly namespace: string;
  readonly name: string;
  /** Seconds of history the summary covers. */
  readonly observedSeconds: number;
  /** A high percentile of CPU (cores) and of network bytes/s over the history; network optional. */
  readonly cpuP95: number;
  readonly netBytesPerSecondP95?: number | undefined;
  readonly cpuRequest: number;
  readonly memRequest: number;
}

export interface IdleFinding {
  readonly namespace: string;
  readonly name: string;
  readonly days: number;
  readonly reason: string;
}

/** Near-zero use for days: p95 CPU under `maxCpu` cores (and network under `maxNet` B/s when known) for at least `minDays`. */
export function idleWorkloads(
  ws: readonly WorkloadUsage[],
  opts: { readonly maxCpu: number; readonly maxNet: number; readonly minDays: number } = {
    maxCpu: 0.005,
    maxNet: 100,
    minDays: 3,
  },
): readonly IdleFinding[] {
  return ws
    .filter(
      (w) =>
        w.observedSeconds >= opts.minDays * DAY &&
        w.cpuP95 < opts.maxCpu &&
        (w.netBytesPerSecondP95 === undefined || w.netBytesPerSecondP95 < opts.maxNet),
    )
    .map((w) => ({
      namespace: w.namespace,
      name: w.name,
      days: w.observedSeconds / DAY,
      reason: `p95 CPU ${(w.cpuP95 * 1000).toFixed(1)}m over ${(w.observedSeconds / DAY).toFixed(1)} days${w.netBytesPerSecondP95 === undefined ? "" : `, network ${w.netBytesPerSecondP95.toFixed(0)} B/s`}; requests ${(w.cpuRequest * 1000).toFixed(0)}m / ${(w.memRequest / MiB).toFixed(0)} MiB`,
    }));
}

export interface ProbeSpec {
  readonly initialDelaySeconds?: number | undefined;
  readonly periodSeconds?: number | undefined;
  readonly failureThreshold?: number | undefined;
}

export interface ProbeInput {
  readonly container: string;
  readonly readiness?: ProbeSpec | undefined;
  readonly liveness?: ProbeSpec | undefined;
  readonly startup?: ProbeSpec | undefined;
  /** Longest observed time from container start to Ready, seconds. */
  readonly observedStartSeconds?: number | undefined;
}

export interface ProbeAdvice {
  readonly container: string;
  readonly severity: "info" | "warning";
  readonly advice: string;
}

/** Defaults from the Kubernetes API: periodSeconds 10, failureThreshold 3, initialDelaySeconds 0. */
function budget(p: ProbeSpec): number {
  return (p.initialDelaySeconds ?? 0) + (p.periodSeconds ?? 10) * (p.failureThreshold ?? 3);
}

/**
 * Missing probes, and a liveness probe that can kill a container before it has started: without a
 * startup probe, liveness fires after initialDelay + period × failureThreshold seconds.
 */
export function probeAdvice(p: ProbeInput): readonly ProbeAdvice[] {
  const out: ProbeAdvice[] = [];
  if (p.readiness === undefined)
    out.push({
      container: p.container,
      severity: "warning",
      advice: "no readiness probe: traffic reaches the pod before it can serve",
    });
  if (p.liveness === undefined)
    out.push({
      container: p.container,
      severity: "info",
      advice: "no liveness probe: a hung process is never restarted",
    });
  const start = p.observedStartSeconds;
  if (p.liveness !== undefined && start !== undefined) {
    const guard = p.startup === undefined ? budget(p.liveness) : budget(p.startup);
    if (guard < start) {
      const need = Math.ceil((start * 1.5) / (p.startup?.periodSeconds ?? 10));
      out.push({
        container: p.container,
        severity: "warning",
        advice:
          p.startup === undefined
            ? `liveness can fail after ${guard} s but start-up took ${start} s: add a startupProbe (periodSeconds 10, failureThreshold ${need})`
            : `startupProbe allows ${guard} s but start-up took ${start} s: raise failureThreshold to ${need}`,
      });
    }
  }
  if (p.startup === undefined && start !== undefined && start > 30 && p.liveness !== undefined)
    out.push({
      container: p.container,
      severity: "info",
      advice: `slow start (${start} s): a startupProbe lets liveness stay strict after start-up`,
    });
  return out;
}
