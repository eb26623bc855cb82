/**
 * @module
 * Live right-sizing plan (pure: plain data in, plan out; no IO, no clock). The collector
 * (`collect.ts`) turns the cluster into `LiveInput`; this turns it into one plan per workload: both
 * recommenders per container, the safe resources Vigil would set, the exact strategic-merge patch of the
 * workload's template, the QoS change, probe advice and cost; and, per namespace, cost, quota headroom;
 * per node, overcommitment. Safety rules live here, so `vigil recommend --dry-run` and `--apply` print
 * and send the same bytes.
 */
import * as rs from "../../rightsize/index.js";
import { selectorMatches, type LabelSelectorLike } from "../../model/index.js";

export const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet"] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** Requests and limits; undefined = not set. CPU in cores, memory in bytes. */
export interface Amounts {
  readonly cpu?: number | undefined;
  readonly mem?: number | undefined;
}

export interface ContainerView {
  readonly name: string;
  readonly requests: Amounts;
  readonly limits: Amounts;
  readonly readiness?: rs.ProbeSpec | undefined;
  readonly liveness?: rs.ProbeSpec | undefined;
  readonly startup?: rs.ProbeSpec | undefined;
}

export interface WorkloadView {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Desired pods (a DaemonSet: its desired number scheduled). */
  readonly replicas: number;
  readonly containers: readonly ContainerView[];
}

export interface PodContainerStatus {
  readonly name: string;
  /** Unix seconds of OOM kills seen in the container's last state. */
  readonly oomKills: readonly number[];
  /** Seconds from the container's start to the pod being Ready, when both are known. */
  readonly startSeconds?: number | undefined;
}

export interface PodView {
  readonly namespace: string;
  readonly name: string;
  readonly node: string | undefined;
  /** The owning workload, resolved through ReplicaSets; undefined for a bare pod. */
  readonly owner: { readonly kind: string; readonly name: string } | undefined;
  readonly containers: readonly (Omit<ContainerView, "readiness" | "liveness" | "startup"> &
    PodContainerStatus)[];
  readonly terminal: boolean;
}

/** One usage observation of one container of one pod. */
export interface ContainerSample {
  readonly t: number;
  readonly pod: string;
  readonly namespace: string;
  readonly container: string;
  readonly cpu: number;
  readonly mem: number;
}

export interface QuotaView {
  readonly namespace: string;
  readonly name: string;
  readonly hard: rs.QuotaAmounts;
  readonly used: rs.QuotaAmounts;
}

export interface NodeView {
  readonly name: string;
  readonly allocatable: { readonly cpu: number; readonly mem: number };
}

export interface PolicyView {
  readonly namespace: string;
  readonly name: string;
  readonly mode: "Off" | "DryRun" | "Recommend" | "Auto";
  /** Mode override for raiseMemory (used when the plan only raises memory after OOM kills). */
  readonly raiseMemoryMode?: "Off" | "DryRun" | "Recommend" | "Auto" | undefined;
  readonly suspend: boolean;
  readonly selector?: LabelSelectorLike | undefined;
}

/** Where per-container usage histories come from: fills `samples` for the window, or, from Prometheus, a long history. */
export interface LiveInput {
  readonly now: number;
  /** How the usage was obtained, for the reasons ("60s of metrics.k8s.io samples", "7d of Prometheus"). */
  readonly source: string;
  readonly workloads: readonly WorkloadView[];
  readonly pods: readonly PodView[];
  readonly samples: readonly ContainerSample[];
  /**
   * Long histories (Prometheus): per workload key and container, samples already merged across pods.
   * When present for a container, it is used instead of `samples`.
   */
  readonly histories?: Readonly<Record<string, readonly rs.UsageSample[]>> | undefined;
  readonly quotas: readonly QuotaView[];
  /** Undefined when nodes could not be read (RBAC). */
  readonly nodes: readonly NodeView[] | undefined;
  /** Pods of the whole cluster for node overcommitment; undefined when not readable. */
  readonly clusterPods: readonly PodView[] | undefined;
  readonly policies: readonly PolicyView[];
}

export interface PlanOptions {
  readonly recommend: rs.RecommendOptions;
  /** A container is resized only when a value moves by more than this fraction (or a raise after OOM). */
  readonly minChange: number;
  /** `--apply` given. */
  readonly explicitApply: boolean;
}

export const PLAN_DEFAULTS: PlanOptions = {
  recommend: rs.RECOMMEND_DEFAULTS,
  minChange: 0.1,
  explicitApply: false,
};

export const ANNOTATION = "vigil.dev/rightsized";

export interface ContainerPlan {
  readonly name: string;
  readonly current: { readonly requests: Amounts; readonly limits: Amounts };
  readonly proposed: { readonly requests: Amounts; readonly limits: Amounts };
  readonly samples: number;
  readonly peak: { readonly cpu: number; readonly mem: number };
  readonly oomKills: number;
  readonly vpa: rs.Recommendation | undefined;
  readonly vigil: rs.Recommendation | undefined;
  readonly changed: boolean;
  readonly reasons: readonly string[];
  readonly probes: readonly rs.ProbeAdvice[];
}

export type WorkloadStatus = "resize" | "raiseMemory" | "ok" | "noData";

export interface WorkloadPlan {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
  readonly replicas: number;
  readonly pods: number;
  readonly status: WorkloadStatus;
  readonly containers: readonly ContainerPlan[];
  readonly qos: rs.QosChange;
  readonly monthly: { readonly current: number; readonly proposed: number; readonly savings: number };
  /** The annotation's value: why, in one line. */
  readonly reason: string;
  /** Strategic merge patch of the workload (undefined when nothing changes), and its exact bytes. */
  readonly patch: unknown;
  readonly patchBytes: string | undefined;
  /** Whether Vigil may send the patch and why. */
  readonly apply: { readonly allowed: boolean; readonly why: string };
}

export interface NamespacePlan {
  readonly namespace: string;
  readonly monthly: { readonly current: number; readonly proposed: number; readonly savings: number };
  readonly quotas: readonly { readonly name: string; readonly lines: readonly rs.QuotaLine[] }[];
}

export interface Skipped {
  readonly namespace: string;
  readonly name: string;
  readonly kind: string;
  readonly reason: string;
}

export interface LivePlan {
  readonly source: string;
  readonly currency: string;
  readonly workloads: readonly WorkloadPlan[];
  readonly namespaces: readonly NamespacePlan[];
  readonly nodes: readonly rs.Overcommit[] | undefined;
  readonly idle: readonly rs.IdleFinding[];
  readonly skipped: readonly Skipped[];
}

const MI = rs.MiB;
/** CPU up to 5 m steps, memory up to whole MiB: values a person would write, never below the target. */
export const roundCpu = (cores: number): number => Math.max(1, Math.ceil(cores * 200 - 1e-9)) / 200;
export const roundMem = (bytes: number): number => Math.ceil(bytes / MI - 1e-9) * MI;
export const cpuQuantity = (cores: number): string => `${Math.round(cores * 1000)}m`;
export const memQuantity = (bytes: number): string => `${Math.round(bytes / MI)}Mi`;

export function showCpu(x: number | undefined): string {
  if (x === undefined) return "-";
  const m = Math.round(x * 1000);
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}
export function showMem(x: number | undefined): string {
  if (x === undefined) return "-";
  if (x >= rs.GiB && x % rs.GiB === 0) return `${x / rs.GiB}Gi`;
  return `${Math.ceil(x / MI - 1e-9)}Mi`;
}

export const workloadKey = (w: { kind: string; namespace: string; name: string }): string =>
  `${w.kind}/${w.namespace}/${w.name}`;

/** Per-container trace over the workload's pods: one sample per timestamp, the busiest pod's (what a per-pod request must cover). */
export function mergeSamples(samples: readonly ContainerSample[]): readonly rs.UsageSample[] {
  const byT = new Map<number, { cpu: number; mem: number }>();
  for (const s of samples) {
    const cur = byT.get(s.t);
    byT.set(s.t, { cpu: Math.max(cur?.cpu ?? 0, s.cpu), mem: Math.max(cur?.mem ?? 0, s.mem) });
  }
  return [...byT.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, cpu: v.cpu, mem: v.mem }));
}

interface ContainerRec {
  readonly vpa: rs.Recommendation;
  readonly vigil: rs.Recommendation;
}

/** Both recommenders over one container's trace, with its OOM kills (the bump both apply to the limit in force). */
export function recommendContainer(
  samples: readonly rs.UsageSample[],
  ooms: readonly number[],
  current: { readonly requests: Amounts; readonly limits: Amounts },
  o: rs.RecommendOptions,
): ContainerRec {
  const vpa = rs.newVpaState(o.vpa);
  const vigil = rs.newVigilState();
  let peakMem = 0;
  for (const s of samples) {
    rs.vpaAddCpu(vpa, s.t, s.cpu, o.vpa);
    rs.vpaAddMemory(vpa, s.t, s.mem, false, o.vpa);
    rs.vigilObserve(vigil, s.t, s.cpu, s.mem, o.vigil);
    peakMem = Math.max(peakMem, s.mem);
  }
  const limitMem = current.limits.mem ?? current.requests.mem ?? 0;
  for (const t of ooms) {
    rs.vpaRecordOom(vpa, t, current.requests.mem ?? limitMem, o.vpa);
    rs.vigilRecordOom(vigil, t, limitMem, peakMem, o.vigil);
  }
  const now = samples[samples.length - 1]?.t ?? 0;
  return { vpa: rs.vpaRecommend(vpa, o.vpa), vigil: rs.vigilRecommend(vigil, now, o.vigil) };
}

/** max(used + 100 MiB, used × 1.2): what an OOM kill at `used` bytes says the container needs (VPA's bump). */
export function oomNeed(used: number, cfg: rs.VigilConfig["oom"]): number {
  return Math.max(used + cfg.minBumpBytes, used * cfg.bumpRatio);
}

const moved = (a: number | undefined, b: number | undefined, frac: number): boolean =>
  a === undefined || b === undefined ? a !== b : Math.abs(b - a) > frac * Math.max(a, 1e-9);

/**
 * The resources Vigil would set on one container. Safety rules:
 * - requests follow Vigil's targets; memory is never below the observed peak, nor below what an OOM kill
 *   showed was needed;
 * - after an OOM kill memory (request and limit) is only raised, never lowered;
 * - limits are set only where the container already has one (Vigil never adds a limit), and stay ≥ the
 *   request; a limit equal to its request stays equal (Guaranteed pods stay Guaranteed);
 * - without samples, only an OOM kill moves anything (memory, raised).
 */
export function proposeContainer(
  c: ContainerView,
  samples: readonly rs.UsageSample[],
  ooms: readonly number[],
  o: PlanOptions,
): Omit<ContainerPlan, "probes"> {
  const current = { requests: c.requests, limits: c.limits };
  const peak = {
    cpu: samples.reduce((m, s) => Math.max(m, s.cpu), 0),
    mem: samples.reduce((m, s) => Math.max(m, s.mem), 0),
  };
  const base = { name: c.name, current, samples: samples.length, peak, oomKills: ooms.length };
  const limitMem = c.limits.mem ?? c.requests.mem;
  const need = ooms.length > 0 && limitMem !== undefined ? oomNeed(limitMem, o.recommend.vigil.oom) : 0;
  if (samples.length === 0) {
    if (need === 0)
      return {
        ...base,
        proposed: current,
        vpa: undefined,
        vigil: undefined,
        changed: false,
        reasons: ["no usage samples (no running pod reported metrics)"],
      };
    const mem = roundMem(need * (1 + o.recommend.vigil.memory.margin + o.recommend.vigil.oom.marginPerOom));
    const proposed = {
      requests: { ...c.requests, mem: Math.max(mem, c.requests.mem ?? 0) },
      limits: { ...c.limits, mem: c.limits.mem === undefined ? undefined : Math.max(mem, c.limits.mem) },
    };
    return {
      ...base,
      proposed,
      vpa: undefined,
      vigil: undefined,
      changed: true,
      reasons: [
        `OOMKilled ${ooms.length}× at a ${showMem(limitMem)} limit and no usage sampled: memory raised to ${showMem(mem)} (bump and margin)`,
      ],
    };
  }
  const rec = recommendContainer(samples, ooms, current, o.recommend);
  const v = rec.vigil;
  const reasons = [...v.reasons];
  const floor = Math.max(peak.mem, need);
  let mem = roundMem(Math.max(v.mem.target, floor));
  if (ooms.length > 0) {
    mem = Math.max(mem, c.requests.mem ?? 0, c.limits.mem ?? 0);
    reasons.push(`memory: OOMKilled ${ooms.length}× at ${showMem(limitMem)}: raised, never lowered`);
  }
  const cpu = roundCpu(v.cpu.target);
  const guaranteedCpu = c.limits.cpu !== undefined && c.requests.cpu === c.limits.cpu;
  const guaranteedMem = c.limits.mem !== undefined && c.requests.mem === c.limits.mem;
  const cpuLimit =
    c.limits.cpu === undefined
      ? undefined
      : guaranteedCpu
        ? cpu
        : Math.max(cpu, roundCpu(v.limits.cpu ?? cpu));
  const memLimit =
    c.limits.mem === undefined
      ? undefined
      : guaranteedMem
        ? mem
        : Math.max(mem, roundMem(v.limits.mem ?? mem));
  const proposed = { requests: { cpu, mem }, limits: { cpu: cpuLimit, mem: memLimit } };
  const changed =
    (ooms.length > 0 && mem > (c.limits.mem ?? c.requests.mem ?? 0)) ||
    moved(c.requests.cpu, cpu, o.minChange) ||
    moved(c.requests.mem, mem, o.minChange) ||
    moved(c.limits.cpu, cpuLimit, o.minChange) ||
    moved(c.limits.mem, memLimit, o.minChange);
  return { ...base, proposed, vpa: rec.vpa, vigil: v, changed, reasons };
}

function selects(sel: PolicyView["selector"], labels: Readonly<Record<string, string>>): boolean {
  return sel === undefined || selectorMatches(sel, labels);
}

/** `--apply` allows; otherwise a HealingPolicy in the workload's namespace that selects it, not suspended, in Auto mode. */
export function applyDecision(
  w: WorkloadView,
  raiseOnly: boolean,
  policies: readonly PolicyView[],
  explicit: boolean,
): { allowed: boolean; why: string } {
  if (explicit) return { allowed: true, why: "--apply" };
  const mine = policies.filter((p) => p.namespace === w.namespace && selects(p.selector, w.labels));
  if (mine.length === 0)
    return { allowed: false, why: "no HealingPolicy selects it and --apply is not given" };
  for (const p of mine) {
    const mode = raiseOnly && p.raiseMemoryMode !== undefined ? p.raiseMemoryMode : p.mode;
    if (!p.suspend && mode === "Auto")
      return { allowed: true, why: `HealingPolicy ${p.name} is in Auto mode` };
  }
  const p = mine[0];
  return {
    allowed: false,
    why: `HealingPolicy ${p?.name ?? "?"} is ${p?.suspend === true ? "suspended" : `in ${p?.mode ?? "?"} mode`}`,
  };
}

function resourcesPatch(
  p: { requests: Amounts; limits: Amounts },
  cur: { requests: Amounts; limits: Amounts },
) {
  const side = (a: Amounts, was: Amounts) => {
    const out: Record<string, string> = {};
    if (a.cpu !== undefined && a.cpu !== was.cpu) out["cpu"] = cpuQuantity(a.cpu);
    if (a.mem !== undefined && a.mem !== was.mem) out["memory"] = memQuantity(a.mem);
    return out;
  };
  const requests = side(p.requests, cur.requests);
  const limits = side(p.limits, cur.limits);
  return {
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
  };
}

function why(
  w: WorkloadView,
  cs: readonly Omit<ContainerPlan, "probes">[],
  source: string,
  pods: number,
): string {
  const parts = cs
    .filter((c) => c.changed)
    .map((c) => {
      const ch: string[] = [];
      const d = (
        what: string,
        a: number | undefined,
        b: number | undefined,
        f: (x: number | undefined) => string,
      ) => {
        if (a !== b) ch.push(`${what} ${f(a)}→${f(b)}`);
      };
      d("cpu request", c.current.requests.cpu, c.proposed.requests.cpu, showCpu);
      d("memory request", c.current.requests.mem, c.proposed.requests.mem, showMem);
      d("cpu limit", c.current.limits.cpu, c.proposed.limits.cpu, showCpu);
      d("memory limit", c.current.limits.mem, c.proposed.limits.mem, showMem);
      const extra = c.oomKills > 0 ? `, OOMKilled ${c.oomKills}×` : "";
      return `${c.name}: ${ch.join(", ")} (memory peak ${showMem(c.peak.mem)}${extra})`;
    });
  return `${parts.join("; ")}; from ${source} over ${pods} pod${pods === 1 ? "" : "s"} of ${w.kind.toLowerCase()}/${w.name}; memory never below the observed peak`;
}

/** The whole plan: one entry per workload, per namespace and per node. */
export function planLive(input: LiveInput, o: PlanOptions = PLAN_DEFAULTS): LivePlan {
  const pricing = o.recommend.pricing;
  const skipped: Skipped[] = [];
  for (const p of input.pods)
    if (p.owner === undefined && !p.terminal)
      skipped.push({
        namespace: p.namespace,
        name: p.name,
        kind: "Pod",
        reason: "a bare pod (no owning Deployment, StatefulSet or DaemonSet): Vigil never patches pods",
      });
  const samplesBy = new Map<string, ContainerSample[]>();
  for (const s of input.samples) {
    const k = `${s.namespace}/${s.pod}/${s.container}`;
    let arr = samplesBy.get(k);
    if (arr === undefined) samplesBy.set(k, (arr = []));
    arr.push(s);
  }
  const workloads: WorkloadPlan[] = [];
  const idleIn: rs.WorkloadUsage[] = [];
  for (const w of input.workloads) {
    const pods = input.pods.filter(
      (p) => p.namespace === w.namespace && p.owner?.kind === w.kind && p.owner.name === w.name,
    );
    const cps: Omit<ContainerPlan, "probes">[] = [];
    const probes: rs.ProbeAdvice[][] = [];
    let firstT = input.now;
    for (const c of w.containers) {
      const long = input.histories?.[`${workloadKey(w)}/${c.name}`];
      const samples =
        long ?? mergeSamples(pods.flatMap((p) => samplesBy.get(`${p.namespace}/${p.name}/${c.name}`) ?? []));
      firstT = Math.min(firstT, samples[0]?.t ?? input.now);
      const ooms = pods.flatMap((p) => p.containers.find((x) => x.name === c.name)?.oomKills ?? []);
      cps.push(proposeContainer(c, samples, ooms, o));
      const starts = pods.flatMap((p) => {
        const s = p.containers.find((x) => x.name === c.name)?.startSeconds;
        return s === undefined ? [] : [s];
      });
      probes.push([
        ...rs.probeAdvice({
          container: c.name,
          readiness: c.readiness,
          liveness: c.liveness,
          startup: c.startup,
          observedStartSeconds: starts.length === 0 ? undefined : Math.max(...starts),
        }),
      ]);
    }
    const containers: ContainerPlan[] = cps.map((c, i) => ({ ...c, probes: probes[i] ?? [] }));
    const before = containers.map((c) => ({ name: c.name, ...c.current }));
    const after = containers.map((c) => ({ name: c.name, ...(c.changed ? c.proposed : c.current) }));
    const cost = (xs: readonly { requests: Amounts }[]) =>
      w.replicas *
      xs.reduce((s, c) => s + rs.monthlyCost(c.requests.cpu ?? 0, c.requests.mem ?? 0, pricing), 0);
    const current = cost(before);
    const proposed = cost(after);
    const anyChange = containers.some((c) => c.changed);
    const noData = containers.every((c) => c.samples === 0 && c.oomKills === 0);
    const raiseOnly =
      anyChange &&
      containers.every(
        (c) =>
          !c.changed ||
          (c.oomKills > 0 &&
            c.proposed.requests.cpu === c.current.requests.cpu &&
            c.proposed.limits.cpu === c.current.limits.cpu),
      );
    const status: WorkloadStatus = noData
      ? "noData"
      : !anyChange
        ? "ok"
        : raiseOnly
          ? "raiseMemory"
          : "resize";
    const reason = anyChange ? why(w, containers, input.source, pods.length) : "";
    const patch = anyChange
      ? {
          metadata: { annotations: { [ANNOTATION]: reason } },
          spec: {
            template: {
              spec: {
                containers: containers
                  .filter((c) => c.changed)
                  .map((c) => ({ name: c.name, resources: resourcesPatch(c.proposed, c.current) })),
              },
            },
          },
        }
      : undefined;
    workloads.push({
      kind: w.kind,
      namespace: w.namespace,
      name: w.name,
      replicas: w.replicas,
      pods: pods.length,
      status,
      containers,
      qos: rs.qosChange(before, after),
      monthly: { current, proposed, savings: current - proposed },
      reason,
      patch,
      patchBytes: patch === undefined ? undefined : JSON.stringify(patch),
      apply: anyChange
        ? applyDecision(w, raiseOnly, input.policies, o.explicitApply)
        : { allowed: false, why: "nothing to change" },
    });
    const used = containers.filter((c) => c.samples > 0);
    if (used.length > 0)
      idleIn.push({
        namespace: w.namespace,
        name: `${w.kind.toLowerCase()}/${w.name}`,
        observedSeconds: Math.max(0, input.now - firstT),
        // The peak, not a p95: a workload is idle only if even its busiest moment is.
        cpuP95: used.reduce((s, c) => s + c.peak.cpu, 0),
        cpuRequest: before.reduce((s, c) => s + (c.requests.cpu ?? 0), 0),
        memRequest: before.reduce((s, c) => s + (c.requests.mem ?? 0), 0),
      });
  }
  const nsNames = [...new Set(workloads.map((w) => w.namespace))].sort();
  const namespaces: NamespacePlan[] = nsNames.map((ns) => {
    const ws = workloads.filter((w) => w.namespace === ns);
    const sum = (f: (w: WorkloadPlan) => number) => ws.reduce((s, w) => s + f(w), 0);
    const delta = (
      f: (c: ContainerPlan) => number | undefined,
      g: (c: ContainerPlan) => number | undefined,
    ) =>
      sum((w) =>
        w.containers.reduce((s, c) => s + (c.changed ? ((f(c) ?? 0) - (g(c) ?? 0)) * w.replicas : 0), 0),
      );
    const quotas = input.quotas
      .filter((q) => q.namespace === ns)
      .map((q) => {
        const after = (u: number | undefined, d: number) =>
          u === undefined ? undefined : Math.max(0, u + d);
        const rec: rs.QuotaAmounts = {
          requestsCpu: after(
            q.used.requestsCpu,
            delta(
              (c) => c.proposed.requests.cpu,
              (c) => c.current.requests.cpu,
            ),
          ),
          requestsMemory: after(
            q.used.requestsMemory,
            delta(
              (c) => c.proposed.requests.mem,
              (c) => c.current.requests.mem,
            ),
          ),
          limitsCpu: after(
            q.used.limitsCpu,
            delta(
              (c) => c.proposed.limits.cpu,
              (c) => c.current.limits.cpu,
            ),
          ),
          limitsMemory: after(
            q.used.limitsMemory,
            delta(
              (c) => c.proposed.limits.mem,
              (c) => c.current.limits.mem,
            ),
          ),
        };
        return { name: q.name, lines: rs.quotaReport(q.hard, q.used, rec) };
      });
    const current = sum((w) => w.monthly.current);
    const proposed = sum((w) => w.monthly.proposed);
    return { namespace: ns, monthly: { current, proposed, savings: current - proposed }, quotas };
  });
  const nodes =
    input.nodes === undefined || input.clusterPods === undefined
      ? undefined
      : input.nodes.map((n) => {
          const on = (input.clusterPods ?? []).filter((p) => p.node === n.name && !p.terminal);
          const tot = (f: (c: PodView["containers"][number]) => number | undefined) =>
            on.reduce((s, p) => s + p.containers.reduce((a, c) => a + (f(c) ?? 0), 0), 0);
          return rs.overcommit({
            name: n.name,
            allocatable: n.allocatable,
            limits: { cpu: tot((c) => c.limits.cpu), mem: tot((c) => c.limits.mem) },
            requests: { cpu: tot((c) => c.requests.cpu), mem: tot((c) => c.requests.mem) },
          });
        });
  return {
    source: input.source,
    currency: pricing.currency,
    workloads,
    namespaces,
    nodes,
    idle: rs.idleWorkloads(idleIn),
    skipped,
  };
}
