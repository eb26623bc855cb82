/**
 * @module
 * Replays container usage traces through the VPA baseline and Vigil, in time order and without looking
 * ahead: at each loop tick the recommenders see only samples before the tick, an updater decides whether
 * to apply, and the following samples are scored against the requests and limits in force.
 *
 * Scoring (after a warm-up, per trace; durations are the time to the next sample, capped):
 * - slack = Σ (request − usage)·dt / Σ request·dt (signed: under-provisioning lowers it);
 * - OOM event: memory usage above the memory limit, at most one per `oomBackoffSeconds` (a killed
 *   container is in restart back-off; the trace keeps its usage);
 * - throttled seconds: time with CPU usage above the CPU limit;
 * - memory above request: time with memory usage above the memory request, and the time-weighted
 *   limit/request ratio (Vigil's in-place policy sets the memory limit above its request);
 * - cost: requests priced by `Pricing` over the scored time.
 * Limits: the traces carry requests only, so the baseline keeps VPA's behaviour of preserving the
 * limit/request ratio with ratio 1 (limit = request). Vigil recommends its own limits: the in-place `vigil`
 * sets the memory request at the near-term level and a protective memory limit above it (`memoryRequest:
 * "level"`), `vigil_static` memory limit = request; `throttled_s_at_request` reports what Vigil's
 * throttling would be with CPU limit = request, `mem_above_request_s` how long memory ran above its request.
 * Vigil's in-place updater moves each of the four values on its own (raise at once, lower by ≥ 10 %).
 */
import { costOf, DEFAULT_PRICING, type Pricing } from "./cost.js";
import { DAY, HOUR, type Recommendation, type UsageTrace } from "./types.js";
import {
  newVigilState,
  vigilObserve,
  vigilRecommend,
  vigilRecordOom,
  VIGIL_DEFAULTS,
  type VigilConfig,
} from "./vigil.js";
import {
  newVpaState,
  vpaAddCpu,
  vpaAddMemory,
  vpaRecommend,
  vpaRecordOom,
  VPA_DEFAULTS,
  type VpaConfig,
} from "./vpa.js";

export interface ReplayConfig {
  readonly warmupSeconds: number;
  /** Recommender and updater loop. */
  readonly intervalSeconds: number;
  readonly maxStepSeconds: number;
  readonly oomBackoffSeconds: number;
  readonly vpa: VpaConfig;
  readonly vigil: VigilConfig;
  /** Horizon of the "static" Vigil variant (a recommendation meant for a manifest). */
  readonly staticHorizonSeconds: number;
  readonly pricing: Pricing;
  /** VPA updater (algorithms.md §2): act on pods older than this whose request differs by at least minChange. */
  readonly vpaUpdater: {
    readonly podLifetimeSeconds: number;
    readonly minChange: number;
    readonly quickOomSeconds: number;
  };
  /** Vigil's in-place updater: raise at once, lower only by at least this fraction. */
  readonly inPlaceMinDecrease: number;
}

export const REPLAY_DEFAULTS: ReplayConfig = {
  warmupSeconds: DAY,
  intervalSeconds: 300,
  maxStepSeconds: HOUR,
  oomBackoffSeconds: 300,
  vpa: VPA_DEFAULTS,
  vigil: VIGIL_DEFAULTS,
  staticHorizonSeconds: DAY,
  pricing: DEFAULT_PRICING,
  vpaUpdater: { podLifetimeSeconds: 12 * HOUR, minChange: 0.1, quickOomSeconds: 600 },
  inPlaceMinDecrease: 0.1,
};

export interface PolicyScore {
  readonly cpu_slack: number;
  readonly memory_slack: number;
  readonly oom_events: number;
  readonly throttled_s: number;
  readonly cost: number;
  /** Times the updater changed a request. */
  readonly updates: number;
  /** Seconds with CPU usage above the CPU request. */
  readonly throttled_s_at_request: number;
  /** Seconds with memory usage above the memory request (first in line for eviction under node pressure). */
  readonly mem_above_request_s: number;
  /** Time-weighted memory limit / request (1: limit = request). */
  readonly memory_limit_ratio: number;
}

export interface OriginalScore {
  readonly cpu_slack: number;
  readonly memory_slack: number;
  readonly cost: number;
}

export const POLICIES = ["vpa", "vigil", "vigil_static"] as const;
export type PolicyName = (typeof POLICIES)[number];

export interface TraceScore {
  readonly name: string;
  readonly scoredSeconds: number;
  readonly original: OriginalScore | undefined;
  readonly policies: Readonly<Record<PolicyName, PolicyScore>>;
}

interface Applied {
  cpuReq: number;
  memReq: number;
  cpuLim: number;
  memLim: number;
  lastApply: number;
  lastOom: number | undefined;
}

interface Acc {
  cpuReq: number;
  cpuUse: number;
  memReq: number;
  memUse: number;
  memLim: number;
  memAboveReq: number;
  cost: number;
  ooms: number;
  throttled: number;
  throttledAtRequest: number;
  updates: number;
}

const newAcc = (): Acc => ({
  cpuReq: 0,
  cpuUse: 0,
  memReq: 0,
  memUse: 0,
  memLim: 0,
  memAboveReq: 0,
  cost: 0,
  ooms: 0,
  throttled: 0,
  throttledAtRequest: 0,
  updates: 0,
});

const slack = (req: number, use: number) => (req <= 0 ? 0 : (req - use) / req);

interface Policy {
  readonly name: PolicyName;
  /** Seconds between recommendations (an OOM triggers one at the next sample). */
  readonly interval: number;
  observe(t: number, cpu: number, mem: number): void;
  oom(t: number, cur: Applied, usage: number): void;
  recommend(now: number): Recommendation;
  /** The new requests and limits, or undefined to leave them. */
  decide(now: number, rec: Recommendation, cur: Applied | undefined): Omit<Applied, "lastOom"> | undefined;
}

function vpaDecide(cfg: ReplayConfig) {
  return (now: number, rec: Recommendation, cur: Applied | undefined) => {
    const next = {
      cpuReq: rec.cpu.target,
      memReq: rec.mem.target,
      cpuLim: rec.cpu.target,
      memLim: rec.mem.target,
      lastApply: now,
    };
    if (cur === undefined) return next;
    const outside =
      cur.cpuReq < rec.cpu.lower ||
      cur.cpuReq > rec.cpu.upper ||
      cur.memReq < rec.mem.lower ||
      cur.memReq > rec.mem.upper;
    const quickOom =
      cur.lastOom !== undefined &&
      cur.lastOom >= cur.lastApply &&
      cur.lastOom - cur.lastApply <= cfg.vpaUpdater.quickOomSeconds;
    const diff = Math.max(
      Math.abs(rec.cpu.target - cur.cpuReq) / cur.cpuReq,
      Math.abs(rec.mem.target - cur.memReq) / cur.memReq,
    );
    const old = now - cur.lastApply >= cfg.vpaUpdater.podLifetimeSeconds && diff >= cfg.vpaUpdater.minChange;
    return outside || quickOom || old ? next : undefined;
  };
}

function makePolicies(cfg: ReplayConfig): Policy[] {
  const vpa = newVpaState(cfg.vpa);
  const vpaPolicy: Policy = {
    name: "vpa",
    interval: cfg.intervalSeconds,
    observe(t, cpu, mem) {
      vpaAddCpu(vpa, t, cpu, cfg.vpa);
      vpaAddMemory(vpa, t, mem, false, cfg.vpa);
    },
    oom(t, cur) {
      vpaRecordOom(vpa, t, cur.memReq, cfg.vpa);
    },
    recommend: () => vpaRecommend(vpa, cfg.vpa),
    decide: vpaDecide(cfg),
  };
  const vigil = (name: PolicyName, vc: VigilConfig, inPlace: boolean): Policy => {
    const st = newVigilState();
    return {
      name,
      // A manifest-style recommendation is refreshed hourly; the in-place one every loop.
      interval: inPlace ? cfg.intervalSeconds : Math.max(cfg.intervalSeconds, HOUR),
      observe(t, cpu, mem) {
        vigilObserve(st, t, cpu, mem, vc);
      },
      oom(t, cur, usage) {
        vigilRecordOom(st, t, cur.memLim, usage, vc);
      },
      recommend: (now) => vigilRecommend(st, now, vc),
      decide(now, rec, cur) {
        const lim = { cpu: rec.limits.cpu ?? rec.cpu.target, mem: rec.limits.mem ?? rec.mem.target };
        if (!inPlace) {
          const d = vpaDecide(cfg)(now, rec, cur);
          return d === undefined ? undefined : { ...d, cpuLim: lim.cpu, memLim: lim.mem };
        }
        const full = {
          cpuReq: rec.cpu.target,
          memReq: rec.mem.target,
          cpuLim: lim.cpu,
          memLim: lim.mem,
          lastApply: now,
        };
        if (cur === undefined) return full;
        // Each value on its own: raised at once, lowered by at least inPlaceMinDecrease.
        const move = (c: number, t: number) => t > c || t < c * (1 - cfg.inPlaceMinDecrease);
        const next = {
          cpuReq: move(cur.cpuReq, rec.cpu.target) ? rec.cpu.target : cur.cpuReq,
          cpuLim: move(cur.cpuLim, lim.cpu) ? lim.cpu : cur.cpuLim,
          memReq: move(cur.memReq, rec.mem.target) ? rec.mem.target : cur.memReq,
          memLim: move(cur.memLim, lim.mem) ? lim.mem : cur.memLim,
          lastApply: cur.lastApply,
        };
        const same =
          next.cpuReq === cur.cpuReq &&
          next.cpuLim === cur.cpuLim &&
          next.memReq === cur.memReq &&
          next.memLim === cur.memLim;
        // A limit never below its request.
        return same
          ? undefined
          : {
              ...next,
              cpuLim: Math.max(next.cpuLim, next.cpuReq),
              memLim: Math.max(next.memLim, next.memReq),
            };
      },
    };
  };
  return [
    vpaPolicy,
    vigil("vigil", { ...cfg.vigil, memoryFloor: "seasonal", memoryRequest: "level" }, true),
    vigil("vigil_static", { ...cfg.vigil, horizonSeconds: cfg.staticHorizonSeconds }, false),
  ];
}

function medianStep(trace: UsageTrace): number {
  const gaps: number[] = [];
  const s = trace.samples;
  for (let i = 1; i < s.length && i < 2000; i++) gaps.push((s[i]?.t ?? 0) - (s[i - 1]?.t ?? 0));
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] ?? 60;
}

/** Replays one trace. */
export function replayTrace(trace: UsageTrace, cfg: ReplayConfig = REPLAY_DEFAULTS): TraceScore {
  const s = trace.samples;
  const policies = makePolicies(cfg);
  const applied = new Map<PolicyName, Applied>();
  const acc = new Map<PolicyName, Acc>(policies.map((p) => [p.name, newAcc()]));
  const orig = newAcc();
  let origSeen = false;
  const t0 = s[0]?.t ?? 0;
  const scoreFrom = t0 + cfg.warmupSeconds;
  const step = medianStep(trace);
  const nextTick = new Map<PolicyName, number>(policies.map((p) => [p.name, scoreFrom]));
  let scored = 0;
  for (let i = 0; i < s.length; i++) {
    const x = s[i];
    if (x === undefined) continue;
    const dt = Math.min(cfg.maxStepSeconds, i + 1 < s.length ? (s[i + 1]?.t ?? x.t) - x.t : step);
    for (const p of policies) {
      if (x.t >= (nextTick.get(p.name) ?? 0)) {
        const cur = applied.get(p.name);
        const next = p.decide(x.t, p.recommend(x.t), cur);
        if (next !== undefined) {
          applied.set(p.name, { ...next, lastOom: cur?.lastOom });
          const a = acc.get(p.name);
          if (a !== undefined && cur !== undefined) a.updates++;
        }
        nextTick.set(p.name, x.t + p.interval - ((x.t - scoreFrom) % p.interval));
      }
    }
    if (x.t >= scoreFrom) {
      scored += dt;
      for (const p of policies) {
        const cur = applied.get(p.name);
        const a = acc.get(p.name);
        if (cur === undefined || a === undefined) continue;
        a.cpuReq += cur.cpuReq * dt;
        a.cpuUse += x.cpu * dt;
        a.memReq += cur.memReq * dt;
        a.memUse += x.mem * dt;
        a.memLim += cur.memLim * dt;
        if (x.mem > cur.memReq) a.memAboveReq += dt;
        a.cost += costOf(cur.cpuReq, cur.memReq, dt, cfg.pricing);
        if (x.cpu > cur.cpuLim) a.throttled += dt;
        if (x.cpu > cur.cpuReq) a.throttledAtRequest += dt;
        if (x.mem > cur.memLim && (cur.lastOom === undefined || x.t - cur.lastOom >= cfg.oomBackoffSeconds)) {
          a.ooms++;
          p.oom(x.t, cur, x.mem);
          cur.lastOom = x.t;
          nextTick.set(p.name, Math.min(nextTick.get(p.name) ?? 0, x.t + 1)); // react at the next sample, as a controller watching OOM events would
        }
      }
      if (x.cpuRequest !== undefined && x.memRequest !== undefined) {
        origSeen = true;
        orig.cpuReq += x.cpuRequest * dt;
        orig.cpuUse += x.cpu * dt;
        orig.memReq += x.memRequest * dt;
        orig.memUse += x.mem * dt;
        orig.cost += costOf(x.cpuRequest, x.memRequest, dt, cfg.pricing);
      }
    }
    for (const p of policies) p.observe(x.t, x.cpu, x.mem);
  }
  const score = (a: Acc): PolicyScore => ({
    cpu_slack: slack(a.cpuReq, a.cpuUse),
    memory_slack: slack(a.memReq, a.memUse),
    oom_events: a.ooms,
    throttled_s: a.throttled,
    cost: a.cost,
    updates: a.updates,
    throttled_s_at_request: a.throttledAtRequest,
    mem_above_request_s: a.memAboveReq,
    memory_limit_ratio: a.memReq <= 0 ? 1 : a.memLim / a.memReq,
  });
  const get = (n: PolicyName) => score(acc.get(n) ?? newAcc());
  return {
    name: trace.name,
    scoredSeconds: scored,
    original: origSeen
      ? {
          cpu_slack: slack(orig.cpuReq, orig.cpuUse),
          memory_slack: slack(orig.memReq, orig.memUse),
          cost: orig.cost,
        }
      : undefined,
    policies: { vpa: get("vpa"), vigil: get("vigil"), vigil_static: get("vigil_static") },
  };
}

type BenchPolicy = Omit<
  PolicyScore,
  "updates" | "throttled_s_at_request" | "mem_above_request_s" | "memory_limit_ratio"
>;

/** The bench's summary: mean slack over traces (each container counts once), summed events, time and cost. */
export interface BenchSummary {
  readonly original: OriginalScore | null;
  readonly vpa: BenchPolicy;
  readonly vigil: BenchPolicy;
}

export function summarise(scores: readonly TraceScore[], policy: PolicyName): PolicyScore {
  const n = Math.max(1, scores.length);
  const sum = (f: (p: PolicyScore) => number) => scores.reduce((a, s) => a + f(s.policies[policy]), 0);
  return {
    cpu_slack: sum((p) => p.cpu_slack) / n,
    memory_slack: sum((p) => p.memory_slack) / n,
    oom_events: sum((p) => p.oom_events),
    throttled_s: sum((p) => p.throttled_s),
    cost: sum((p) => p.cost),
    updates: sum((p) => p.updates),
    throttled_s_at_request: sum((p) => p.throttled_s_at_request),
    mem_above_request_s: sum((p) => p.mem_above_request_s),
    memory_limit_ratio: sum((p) => p.memory_limit_ratio) / n,
  };
}

/** Original requests over the traces that have them (undefined when none do). */
export function summariseOriginal(scores: readonly TraceScore[]): OriginalScore | undefined {
  const o = scores.flatMap((s) => (s.original === undefined ? [] : [s.original]));
  if (o.length === 0) return undefined;
  return {
    cpu_slack: o.reduce((a, x) => a + x.cpu_slack, 0) / o.length,
    memory_slack: o.reduce((a, x) => a + x.memory_slack, 0) / o.length,
    cost: o.reduce((a, x) => a + x.cost, 0),
  };
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** The JSON shape of issue 6: original, vpa and vigil, rounded for reading. */
export function benchSummary(scores: readonly TraceScore[]): BenchSummary {
  const pick = (p: PolicyScore) => ({
    cpu_slack: round(p.cpu_slack, 4),
    memory_slack: round(p.memory_slack, 4),
    oom_events: p.oom_events,
    throttled_s: Math.round(p.throttled_s),
    cost: round(p.cost, 2),
  });
  const o = summariseOriginal(scores);
  return {
    original:
      o === undefined
        ? null
        : {
            cpu_slack: round(o.cpu_slack, 4),
            memory_slack: round(o.memory_slack, 4),
            cost: round(o.cost, 2),
          },
    vpa: pick(summarise(scores, "vpa")),
    vigil: pick(summarise(scores, "vigil")),
  };
}
