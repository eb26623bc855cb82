/**
 * What a scenario run measured, computed from what the runner observed: availability samples (from the
 * objects as the API server returned them), the findings Vigil reported and the actions it journaled.
 * Pure: the runner polls, this decides "recovered", "detected", "harmful".
 */
import type { Scenario } from "./schema.js";

/** The few fields of API objects the assessment reads (raw API JSON fits this shape). */
export interface PodView {
  readonly metadata: {
    readonly name?: string;
    readonly deletionTimestamp?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly ownerReferences?: readonly { readonly kind: string; readonly name: string }[];
  };
  readonly spec?: { readonly nodeName?: string };
  readonly status?: {
    readonly phase?: string;
    readonly reason?: string;
    readonly conditions?: readonly { readonly type: string; readonly status: string }[];
  };
}
export interface DeploymentView {
  readonly metadata: { readonly name?: string; readonly generation?: number };
  readonly spec?: {
    readonly replicas?: number;
    readonly selector?: { readonly matchLabels?: Readonly<Record<string, string>> };
  };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly updatedReplicas?: number;
    readonly availableReplicas?: number;
    readonly replicas?: number;
  };
}
export interface NodeView {
  readonly metadata: { readonly name?: string };
  readonly spec?: { readonly unschedulable?: boolean };
  readonly status?: { readonly conditions?: readonly { readonly type: string; readonly status: string }[] };
}
export interface ClusterView {
  readonly pods: readonly PodView[];
  readonly deployments: readonly DeploymentView[];
  readonly nodes: readonly NodeView[];
}

export interface Assessment {
  readonly healthy: boolean;
  /** Share of the wanted replicas that are Ready on Ready nodes, 0..1 (availability). */
  readonly score: number;
  /** Why it is not healthy, one line. */
  readonly detail: string;
}

function condTrue(conds: readonly { type: string; status: string }[] | undefined, type: string): boolean {
  return (conds ?? []).some((c) => c.type === type && c.status === "True");
}

export function nodeReady(n: NodeView): boolean {
  return condTrue(n.status?.conditions, "Ready");
}

function matches(
  labels: Readonly<Record<string, string>> | undefined,
  sel: Readonly<Record<string, string>>,
) {
  return Object.entries(sel).every(([k, v]) => labels?.[k] === v);
}

/**
 * Healthy when every wanted Deployment has all its replicas updated and available, with exactly that many
 * pods Ready on Ready nodes, and the scenario's extra conditions hold (no Terminating or Failed pods,
 * touched nodes Ready and schedulable).
 */
export function assess(
  view: ClusterView,
  rec: Scenario["spec"]["recovery"],
  touchedNodes: readonly string[],
): Assessment {
  const readyNodes = new Set(view.nodes.filter(nodeReady).map((n) => n.metadata.name ?? ""));
  const wanted =
    rec.deployments === undefined
      ? view.deployments
      : rec.deployments.map(
          (name): DeploymentView =>
            view.deployments.find((d) => d.metadata.name === name) ?? {
              metadata: { name },
              spec: { replicas: 1 },
            },
        );
  const problems: string[] = [];
  let want = 0;
  let have = 0;
  for (const d of wanted) {
    const replicas = d.spec?.replicas ?? 1;
    const sel = d.spec?.selector?.matchLabels ?? {};
    const pods = view.pods.filter(
      (p) =>
        p.metadata.deletionTimestamp === undefined &&
        Object.keys(sel).length > 0 &&
        matches(p.metadata.labels, sel),
    );
    const good = pods.filter(
      (p) =>
        p.status?.phase === "Running" &&
        condTrue(p.status.conditions, "Ready") &&
        readyNodes.has(p.spec?.nodeName ?? ""),
    ).length;
    want += replicas;
    have += Math.min(good, replicas);
    const st = d.status ?? {};
    const settled =
      (st.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
      (st.updatedReplicas ?? 0) === replicas &&
      (st.availableReplicas ?? 0) >= replicas;
    if (good < replicas || !settled)
      problems.push(
        `${d.metadata.name ?? "?"}: ${good}/${replicas} ready on ready nodes, ${st.updatedReplicas ?? 0} updated, ${st.availableReplicas ?? 0} available`,
      );
  }
  if (rec.noTerminatingPods) {
    const n = view.pods.filter((p) => p.metadata.deletionTimestamp !== undefined).length;
    if (n > 0) problems.push(`${n} pods terminating`);
  }
  if (rec.noFailedPods) {
    const n = view.pods.filter((p) => p.status?.phase === "Failed").length;
    if (n > 0) problems.push(`${n} failed pods`);
  }
  if (rec.nodesReady) {
    for (const name of touchedNodes) {
      const n = view.nodes.find((x) => x.metadata.name === name);
      if (n === undefined || !nodeReady(n) || n.spec?.unschedulable === true)
        problems.push(`node ${name} not ready or cordoned`);
    }
  }
  return { healthy: problems.length === 0, score: want === 0 ? 1 : have / want, detail: problems.join("; ") };
}

/** One availability observation, `at` in milliseconds since the epoch. */
export interface Sample {
  readonly at: number;
  readonly healthy: boolean;
  readonly score: number;
}

/** A finding Vigil reported (from `vigil run -o json`). */
export interface SeenFinding {
  readonly at: number;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly code: string;
}

/** An action Vigil journaled in an Incident. */
export interface SeenAction {
  readonly at: number;
  readonly id: string;
  readonly kind: string;
  readonly targetKind: string;
  readonly targetName: string;
  readonly outcome: string;
}

export interface RunObservations {
  readonly faultAt: number;
  readonly namespace: string;
  readonly touchedNodes: readonly string[];
  readonly samples: readonly Sample[];
  readonly findings: readonly SeenFinding[];
  readonly actions: readonly SeenAction[];
  readonly escalations: number;
  /** How long availability must hold before a run counts as recovered. */
  readonly stableSeconds: number;
  /** Seconds after an action at which availability is compared with the moment it was taken. */
  readonly harmWindowSeconds: number;
}

/** The per-run numbers `vigil bench heal` prints (snake_case: it is the JSON contract). */
export interface RunResult {
  readonly recovered: boolean;
  readonly detect_s: number | null;
  readonly mttr_s: number | null;
  readonly actions: number;
  readonly harmful_actions: number;
  readonly action_kinds: readonly string[];
  readonly escalations: number;
  /** Lowest availability seen after the fault, 0..1. */
  readonly min_availability: number;
  /** The scenario's own expectation held (recovered or escalated as expected, caps, untouched workloads). */
  readonly expectation_met: boolean;
  readonly notes: readonly string[];
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * When the workload recovered for good: the first sample after the last unhealthy one, provided
 * availability then held for `stableSeconds` until the last sample. A fault that never made the workload
 * unhealthy counts as recovered at the fault (once it has held that long). Flapping recoveries do not count.
 */
export function recoveryTime(
  samples: readonly Sample[],
  faultAt: number,
  stableSeconds: number,
): number | undefined {
  const after = samples.filter((s) => s.at >= faultAt);
  const last = after.at(-1);
  if (last === undefined || !last.healthy) return undefined;
  let lastBad = -1;
  for (let i = after.length - 1; i >= 0; i--) {
    if (!(after[i]?.healthy ?? true)) {
      lastBad = i;
      break;
    }
  }
  const start = after[lastBad + 1];
  if (start === undefined || last.at - start.at < stableSeconds * 1000) return undefined;
  return lastBad < 0 ? faultAt : start.at;
}

/** The availability in force at `t` (the last sample at or before it). */
function scoreAt(samples: readonly Sample[], t: number): number | undefined {
  let v: number | undefined;
  for (const s of samples) {
    if (s.at > t) break;
    v = s.score;
  }
  return v;
}

export function measure(obs: RunObservations, sc: Scenario, baseline: boolean): RunResult {
  const notes: string[] = [];
  const recAt = recoveryTime(obs.samples, obs.faultAt, obs.stableSeconds);
  const after = obs.samples.filter((s) => s.at >= obs.faultAt);
  const firstBad = after.find((s) => !s.healthy);
  const minAvail = after.reduce((m, s) => Math.min(m, s.score), 1);
  let detectAt: number | undefined;
  if (baseline) {
    // Kubernetes has no detector: its own status showing the fault (the first unhealthy sample) stands in.
    detectAt = firstBad?.at;
  } else {
    const nodes = new Set(obs.touchedNodes);
    detectAt = obs.findings
      .filter(
        (f) =>
          f.at >= obs.faultAt && (f.namespace === obs.namespace || (f.kind === "Node" && nodes.has(f.name))),
      )
      .reduce<number | undefined>((m, f) => (m === undefined || f.at < m ? f.at : m), undefined);
  }
  const acted = obs.actions.filter((a) => a.at >= obs.faultAt);
  const harmful = new Set<string>();
  for (const a of acted) {
    if (a.outcome === "worse" || a.outcome === "undone") {
      harmful.add(a.id);
      notes.push(`${a.kind} ${a.targetName}: ${a.outcome}`);
      continue;
    }
    const before = scoreAt(obs.samples, a.at);
    const later = scoreAt(obs.samples, a.at + obs.harmWindowSeconds * 1000);
    if (before !== undefined && later !== undefined && later < before - 1e-9) {
      harmful.add(a.id);
      notes.push(`${a.kind} ${a.targetName}: availability ${before.toFixed(2)} -> ${later.toFixed(2)}`);
    }
    if (sc.spec.expect.untouched.includes(a.targetName)) {
      harmful.add(a.id);
      notes.push(`${a.kind} on ${a.targetName}, which should be left alone`);
    }
  }
  const cap = sc.spec.expect.maxActions;
  if (cap !== undefined && acted.length > cap) {
    for (const a of acted.slice(cap)) harmful.add(a.id);
    notes.push(`${acted.length} actions where at most ${cap} are expected`);
  }
  const kinds = [...new Set(acted.map((a) => a.kind))].sort();
  const recovered = recAt !== undefined;
  const expectationMet = baseline
    ? recovered
    : harmful.size === 0 && (sc.spec.expect.escalate ? obs.escalations > 0 || recovered : recovered);
  if (firstBad === undefined) notes.push("the fault never made the workload unavailable");
  return {
    recovered,
    detect_s: detectAt === undefined ? null : round1(Math.max(0, detectAt - obs.faultAt) / 1000),
    mttr_s: recAt === undefined ? null : round1((recAt - obs.faultAt) / 1000),
    actions: acted.length,
    harmful_actions: harmful.size,
    action_kinds: kinds,
    escalations: obs.escalations,
    min_availability: Math.round(minAvail * 1000) / 1000,
    expectation_met: expectationMet,
    notes,
  };
}

export interface BenchRow {
  readonly name: string;
  readonly vigil: RunResult | null;
  readonly baseline: RunResult | null;
}

export interface BenchSummary {
  readonly scenarios: number;
  readonly vigil_recovered: number;
  readonly baseline_recovered: number;
  /** Scenarios where Vigil did what the scenario expects (recovered, or escalated where it should). */
  readonly vigil_expectation_met: number;
  readonly vigil_harmful_actions: number;
  readonly vigil_actions: number;
  /** Median of Vigil's MTTR / baseline MTTR − 1 over the scenarios both recovered, e.g. −0.9 = 90 % lower. */
  readonly mttr_change_median: number | null;
  readonly vigil_mttr_median_s: number | null;
  readonly baseline_mttr_median_s: number | null;
  readonly vigil_detect_median_s: number | null;
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? null) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

export function summarize(rows: readonly BenchRow[]): BenchSummary {
  const v = rows.flatMap((r) => (r.vigil !== null ? [r.vigil] : []));
  const b = rows.flatMap((r) => (r.baseline !== null ? [r.baseline] : []));
  const both = rows.flatMap((r) =>
    r.vigil?.mttr_s != null && r.baseline?.mttr_s != null && r.baseline.mttr_s > 0
      ? [r.vigil.mttr_s / r.baseline.mttr_s - 1]
      : [],
  );
  const mttrs = (xs: readonly RunResult[]) => xs.flatMap((x) => (x.mttr_s !== null ? [x.mttr_s] : []));
  const m = median(both);
  return {
    scenarios: rows.length,
    vigil_recovered: v.filter((x) => x.recovered).length,
    baseline_recovered: b.filter((x) => x.recovered).length,
    vigil_expectation_met: v.filter((x) => x.expectation_met).length,
    vigil_harmful_actions: v.reduce((n, x) => n + x.harmful_actions, 0),
    vigil_actions: v.reduce((n, x) => n + x.actions, 0),
    mttr_change_median: m === null ? null : Math.round(m * 1000) / 1000,
    vigil_mttr_median_s: median(mttrs(v)),
    baseline_mttr_median_s: median(mttrs(b)),
    vigil_detect_median_s: median(v.flatMap((x) => (x.detect_s !== null ? [x.detect_s] : []))),
  };
}
