/**
 * A faithful model of the Kubernetes HPA (autoscaling/v2) for one Pods/AverageValue or Utilization
 * metric: pod grouping (ready, unready, missing), tolerance, missing/unready dampening, the
 * stabilization windows and the scale-up/down rate policies, with the upstream defaults.
 * Follows kubernetes/kubernetes pkg/controller/podautoscaler/{replica_calculator.go,horizontal.go}.
 */

export interface ScalingPolicy {
  readonly type: "Pods" | "Percent";
  readonly value: number;
  readonly periodSeconds: number;
}

export interface ScalingRules {
  readonly stabilizationWindowSeconds: number;
  readonly selectPolicy: "Max" | "Min" | "Disabled";
  readonly policies: readonly ScalingPolicy[];
}

export interface HpaSpec {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** AverageValue: per-pod target in metric units. Utilization: percent of the request. */
  readonly metric:
    | { readonly type: "AverageValue"; readonly target: number }
    | { readonly type: "Utilization"; readonly target: number };
  readonly tolerance: number;
  readonly scaleUp: ScalingRules;
  readonly scaleDown: ScalingRules;
}

/** autoscaling/v2 defaults (pkg/apis/autoscaling/v2/defaults.go) plus the KCM flag defaults. */
export const HPA_DEFAULTS = {
  syncPeriodSeconds: 15,
  tolerance: 0.1,
  scaleUp: {
    stabilizationWindowSeconds: 0,
    selectPolicy: "Max",
    policies: [
      { type: "Pods", value: 4, periodSeconds: 15 },
      { type: "Percent", value: 100, periodSeconds: 15 },
    ],
  },
  scaleDown: {
    stabilizationWindowSeconds: 300,
    selectPolicy: "Max",
    policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
  },
} as const satisfies {
  syncPeriodSeconds: number;
  tolerance: number;
  scaleUp: ScalingRules;
  scaleDown: ScalingRules;
};

export function hpaSpec(
  p: Pick<HpaSpec, "minReplicas" | "maxReplicas" | "metric"> &
    Partial<Omit<HpaSpec, "minReplicas" | "maxReplicas" | "metric">>,
): HpaSpec {
  return {
    tolerance: HPA_DEFAULTS.tolerance,
    scaleUp: HPA_DEFAULTS.scaleUp,
    scaleDown: HPA_DEFAULTS.scaleDown,
    ...p,
  };
}

/** One pod as the HPA sees it. `metric` is undefined when metrics-server/adapter has no sample yet. */
export interface PodView {
  readonly phase: "Pending" | "Running" | "Failed";
  readonly deleting: boolean;
  readonly metric: number | undefined;
}

interface Timestamped {
  readonly t: number;
  readonly value: number;
}

/** What the controller remembers per HPA between syncs. */
export interface HpaState {
  readonly recommendations: readonly Timestamped[];
  readonly scaleUpEvents: readonly Timestamped[];
  readonly scaleDownEvents: readonly Timestamped[];
}

export const EMPTY_HPA_STATE: HpaState = { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };

export type MetricReplicas =
  { readonly kind: "ok"; readonly replicas: number; readonly ratio: number } | { readonly kind: "noMetrics" };

/** GetMetricReplicas / GetResourceReplicas: the metric's desired replica count with dampening. */
export function replicasForMetric(current: number, pods: readonly PodView[], spec: HpaSpec): MetricReplicas {
  const target = spec.metric.target;
  const tol = spec.tolerance;
  const within = (r: number) => r >= 1 - tol && r <= 1 + tol;
  const ready: number[] = [];
  let unready = 0;
  let missing = 0;
  for (const p of pods) {
    if (p.deleting || p.phase === "Failed") continue; // ignored
    if (p.phase === "Pending") unready++;
    else if (p.metric === undefined) missing++;
    else ready.push(p.metric);
  }
  if (ready.length === 0) return { kind: "noMetrics" };
  const ratioOf = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length / target;
  const ratio = ratioOf(ready);
  const scaleUpWithUnready = unready > 0 && ratio > 1;
  if (!scaleUpWithUnready && missing === 0) {
    if (within(ratio)) return { kind: "ok", replicas: current, ratio };
    return { kind: "ok", replicas: Math.ceil(ratio * ready.length), ratio };
  }
  const all = [...ready];
  // Missing pods: the target (or 100% of request) when scaling down, 0 when scaling up.
  const missingFill = ratio < 1 ? (spec.metric.type === "Utilization" ? Math.max(100, target) : target) : 0;
  for (let i = 0; i < missing; i++) all.push(missingFill);
  if (scaleUpWithUnready) for (let i = 0; i < unready; i++) all.push(0);
  const newRatio = ratioOf(all);
  if (within(newRatio) || (ratio > 1 && newRatio < 1) || (ratio < 1 && newRatio > 1)) {
    return { kind: "ok", replicas: current, ratio };
  }
  const n = Math.ceil(newRatio * all.length);
  if ((newRatio < 1 && n > current) || (newRatio > 1 && n < current))
    return { kind: "ok", replicas: current, ratio };
  return { kind: "ok", replicas: n, ratio };
}

function changeInPeriod(events: readonly Timestamped[], now: number, periodSeconds: number): number {
  let s = 0;
  for (const e of events) if (e.t > now - periodSeconds) s += e.value;
  return s;
}

function scaleUpLimit(current: number, st: HpaState, now: number, rules: ScalingRules): number {
  if (rules.selectPolicy === "Disabled") return current;
  const pick = rules.selectPolicy === "Min" ? Math.min : Math.max;
  let result = rules.selectPolicy === "Min" ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of rules.policies) {
    const start =
      current -
      changeInPeriod(st.scaleUpEvents, now, p.periodSeconds) +
      changeInPeriod(st.scaleDownEvents, now, p.periodSeconds);
    const proposed = p.type === "Pods" ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

function scaleDownLimit(current: number, st: HpaState, now: number, rules: ScalingRules): number {
  if (rules.selectPolicy === "Disabled") return current;
  const pick = rules.selectPolicy === "Min" ? Math.max : Math.min;
  let result = rules.selectPolicy === "Min" ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies) {
    const start =
      current -
      changeInPeriod(st.scaleUpEvents, now, p.periodSeconds) +
      changeInPeriod(st.scaleDownEvents, now, p.periodSeconds);
    const proposed = p.type === "Pods" ? start - p.value : Math.floor(start * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

export interface HpaDecision {
  readonly desired: number;
  /** The metric's unstabilised recommendation (undefined without metrics). */
  readonly recommendation: number | undefined;
  readonly ratio: number | undefined;
  readonly reason: string;
  readonly state: HpaState;
}

/** One HPA sync at time `now` (seconds) for a target whose spec.replicas is `current`. */
export function hpaSync(
  now: number,
  current: number,
  pods: readonly PodView[],
  spec: HpaSpec,
  st: HpaState,
): HpaDecision {
  let desired: number;
  let recommendation: number | undefined;
  let ratio: number | undefined;
  let reason: string;
  let recs = st.recommendations;
  if (current === 0 && spec.minReplicas !== 0) {
    return { desired: 0, recommendation: undefined, ratio: undefined, reason: "ScalingDisabled", state: st };
  } else if (current > spec.maxReplicas) {
    desired = spec.maxReplicas;
    reason = "AboveMax";
  } else if (current < spec.minReplicas) {
    desired = spec.minReplicas;
    reason = "BelowMin";
  } else {
    const m = replicasForMetric(current, pods, spec);
    if (m.kind === "noMetrics") {
      return {
        desired: current,
        recommendation: undefined,
        ratio: undefined,
        reason: "FailedGetMetrics",
        state: st,
      };
    }
    recommendation = m.replicas;
    ratio = m.ratio;
    // stabilizeRecommendationWithBehaviors
    const upCut = now - spec.scaleUp.stabilizationWindowSeconds;
    const downCut = now - spec.scaleDown.stabilizationWindowSeconds;
    let up = m.replicas;
    let down = m.replicas;
    for (const r of recs) {
      if (r.t > upCut) up = Math.min(up, r.value);
      if (r.t > downCut) down = Math.max(down, r.value);
    }
    let stabilized = Math.min(Math.max(current, up), down);
    recs = [...recs.filter((r) => r.t >= Math.min(upCut, downCut)), { t: now, value: m.replicas }];
    reason = stabilized === m.replicas ? "DesiredWithinRange" : "ScaleDownStabilized";
    // convertDesiredReplicasWithBehaviorRate
    if (stabilized > current) {
      const limit = Math.max(scaleUpLimit(current, st, now, spec.scaleUp), current);
      const maxAllowed = Math.min(spec.maxReplicas, limit);
      if (stabilized > maxAllowed) {
        stabilized = maxAllowed;
        reason = maxAllowed === spec.maxReplicas ? "TooManyReplicas" : "ScaleUpLimit";
      }
    } else if (stabilized < current) {
      const limit = Math.min(scaleDownLimit(current, st, now, spec.scaleDown), current);
      const minAllowed = Math.max(spec.minReplicas, limit);
      if (stabilized < minAllowed) {
        stabilized = minAllowed;
        reason = minAllowed === spec.minReplicas ? "TooFewReplicas" : "ScaleDownLimit";
      }
    }
    desired = stabilized;
  }
  const longestUp = Math.max(0, ...spec.scaleUp.policies.map((p) => p.periodSeconds));
  const longestDown = Math.max(0, ...spec.scaleDown.policies.map((p) => p.periodSeconds));
  let up = st.scaleUpEvents.filter((e) => e.t > now - longestUp);
  let down = st.scaleDownEvents.filter((e) => e.t > now - longestDown);
  if (desired > current) up = [...up, { t: now, value: desired - current }];
  if (desired < current) down = [...down, { t: now, value: current - desired }];
  return {
    desired,
    recommendation,
    ratio,
    reason,
    state: { recommendations: recs, scaleUpEvents: up, scaleDownEvents: down },
  };
}
