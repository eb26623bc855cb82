/**
 * @module
 * The PredictiveScaler's decisions, pure (no IO, no clock): the forecast's upper bound from a workload's
 * history (run in a worker thread by the controller), and the plan for one reconcile: how many replicas,
 * what to change (an HPA's minReplicas, the scale subresource, or nothing in Preview) and why.
 */
import type * as api from "../api/index.js";
import * as autoscale from "../autoscale/index.js";
import * as fc from "../forecast/index.js";

/** Vigil's interval coverage for the upper bound (as in `vigil bench autoscale`). */
export const UPPER_LEVEL = 0.9;
/** History is resampled to this step before fitting. */
export const FIT_STEP_SECONDS = 60;

export interface ForecastRequest {
  readonly samples: readonly fc.Sample[];
  /** Unix seconds: the forecast covers (now, now + horizonSeconds]. */
  readonly now: number;
  readonly horizonSeconds: number;
}

export interface UpperPoint {
  readonly t: number;
  readonly mean: number;
  readonly upper: number;
}

export type UpperForecast =
  | {
      readonly kind: "ok";
      readonly label: string;
      readonly chosen: string;
      readonly period: string;
      readonly historyPoints: number;
      readonly points: readonly UpperPoint[];
    }
  | { readonly kind: "insufficientData"; readonly message: string; readonly historyPoints: number };

/**
 * The ensemble's upper bound, raised to the seasonal p90 where that is higher: the robust quantile sees
 * recurring peaks that the ensemble smooths over. Same construction as the trace replay.
 */
export function forecastUpper(req: ForecastRequest): UpperForecast {
  if (req.samples.length === 0)
    return { kind: "insufficientData", message: "no history yet", historyPoints: 0 };
  const p = fc.prepareSeries(req.samples, { stepSeconds: FIT_STEP_SECONDS });
  if (p.kind !== "ok") return { kind: "insufficientData", message: p.message, historyPoints: 0 };
  const { values, start, step } = p.series;
  const n = values.length;
  if (n < fc.MIN_POINTS)
    return {
      kind: "insufficientData",
      message: `need ${fc.MIN_POINTS} minutes of history, have ${n}`,
      historyPoints: n,
    };
  const end = start + (n - 1) * step;
  const h = Math.max(1, Math.ceil((req.now + req.horizonSeconds - end) / step));
  const period = fc.detectPeriod(values, step);
  const ctx = {
    step,
    period: period.kind === "period" ? Math.round(period.seconds / step) : undefined,
    nonNegative: fc.nonNegative(values),
  };
  const ens = fc.fitEnsemble(values, n, ctx, h);
  const mean = ens.forecastAt(values, n, h);
  const band = fc.intervals(mean, ens.residuals, UPPER_LEVEL, true).upper;
  const q = fc.quantileModel(UPPER_LEVEL)(values, n, ctx).forecastAt(values, n, h);
  const points: UpperPoint[] = [];
  for (let k = 0; k < h; k++) {
    const t = end + (k + 1) * step;
    if (t <= req.now - step) continue; // the history ends in the past: skip what is already behind us
    points.push({ t, mean: mean[k] ?? 0, upper: Math.max(band[k] ?? 0, q[k] ?? 0) });
  }
  return {
    kind: "ok",
    label: ens.label,
    chosen: ens.chosen,
    period: period.kind === "period" ? `${period.seconds / 3600}h` : "none",
    historyPoints: n,
    points,
  };
}

/** The HPA that targets the workload, as the plan needs it. */
export interface HpaView {
  readonly name: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

export interface PlanInput {
  /** Unix seconds. */
  readonly now: number;
  readonly spec: api.PredictiveScalerSpec;
  /** The workload's spec.replicas (scale subresource). */
  readonly current: number;
  /** Current total load (sum over pods) and how many pods reported it. */
  readonly load: { readonly value: number; readonly pods: number } | undefined;
  readonly hpa: HpaView | undefined;
  /** The previous status (for the HPA's baseline). */
  readonly status: api.PredictiveScalerStatus | undefined;
  readonly forecast: UpperForecast;
  readonly state: autoscale.PredictiveState;
}

export type Actuation =
  | { readonly kind: "none" }
  | { readonly kind: "hpaMinReplicas"; readonly hpa: string; readonly minReplicas: number }
  | { readonly kind: "scale"; readonly replicas: number };

export interface Plan {
  readonly desired: number;
  readonly predicted: number | undefined;
  readonly reactive: number | undefined;
  readonly actuation: Actuation;
  /** Condition reason (CamelCase) and a sentence for people. */
  readonly reason: string;
  readonly message: string;
  readonly hpaStatus: api.PredictiveScalerStatus["hpa"];
  readonly state: autoscale.PredictiveState;
  /** Largest upper bound within the provisioning window (now + start-up + margin). */
  readonly peakUpper: number | undefined;
}

/** The HPA's computation for this load at Vigil's target (tolerance included): the reactive floor. */
export function reactiveReplicas(inp: Pick<PlanInput, "spec" | "current" | "load">): number | undefined {
  const { spec, load, current } = inp;
  if (load === undefined || load.pods === 0 || spec.capacityPerReplica <= 0) return undefined;
  const per = load.value / load.pods;
  const pods: autoscale.PodView[] = Array.from({ length: load.pods }, () => ({
    phase: "Running",
    deleting: false,
    metric: per,
  }));
  const m = autoscale.replicasForMetric(
    Math.max(1, current),
    pods,
    autoscale.hpaSpec({
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      metric: { type: "AverageValue", target: spec.capacityPerReplica * spec.targetUtilization },
    }),
  );
  return m.kind === "ok" ? m.replicas : undefined;
}

function hpaBaseline(hpa: HpaView, status: api.PredictiveScalerStatus | undefined): number {
  const s = status?.hpa;
  // Vigil's own value still in place: the baseline it recorded. Anything else is the owner's new baseline.
  if (s?.name === hpa.name && s.appliedMinReplicas === hpa.minReplicas) return s.baseMinReplicas;
  return hpa.minReplicas;
}

const fmtLoad = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));

export function planScale(inp: PlanInput): Plan {
  const { spec, forecast } = inp;
  const reactive = reactiveReplicas(inp);
  const hpaStatus =
    inp.hpa === undefined
      ? undefined
      : {
          name: inp.hpa.name,
          baseMinReplicas: hpaBaseline(inp.hpa, inp.status),
          appliedMinReplicas: inp.hpa.minReplicas,
        };
  if (forecast.kind !== "ok") {
    return {
      desired: inp.hpa?.minReplicas ?? inp.current,
      predicted: undefined,
      reactive,
      actuation: { kind: "none" },
      reason: "InsufficientHistory",
      message: `no forecast yet (${forecast.message}); replicas left as they are`,
      hpaStatus,
      state: inp.state,
      peakUpper: undefined,
    };
  }
  const margin = autoscale.DEFAULT_PREDICTIVE.marginSeconds;
  const windowEnd = inp.now + spec.podStartupSeconds + margin;
  const inWindow = forecast.points.filter((p, i) => i === 0 || p.t <= windowEnd).map((p) => p.upper);
  const peakUpper = inWindow.reduce((m, x) => Math.max(m, x), 0);
  const hpa = inp.hpa;
  const base = hpaStatus?.baseMinReplicas ?? spec.minReplicas;
  const pol: autoscale.PredictivePolicy = {
    ...autoscale.DEFAULT_PREDICTIVE,
    targetUtilization: spec.targetUtilization,
    startupSeconds: spec.podStartupSeconds,
    minReplicas: hpa === undefined ? spec.minReplicas : Math.max(base, spec.minReplicas),
    maxReplicas: hpa === undefined ? spec.maxReplicas : Math.min(spec.maxReplicas, hpa.maxReplicas),
  };
  // With an HPA, Vigil moves only the floor: the HPA stays the reactive part (it takes the max).
  const d = autoscale.predictiveDecide(
    {
      now: inp.now,
      current: hpa === undefined ? inp.current : hpa.minReplicas,
      upper: inWindow,
      capacityPerPod: spec.capacityPerReplica,
      reactive: hpa === undefined ? (reactive ?? inp.current) : base,
    },
    pol,
    inp.state,
  );
  const unit = spec.metric.kind === "cpu" ? "m CPU" : "";
  const why =
    `upper bound ${fmtLoad(peakUpper)}${unit} within ${spec.podStartupSeconds + margin}s needs ${d.predicted} ` +
    `at ${Math.round(spec.targetUtilization * 100)}% of ${fmtLoad(spec.capacityPerReplica)}${unit} per replica` +
    (reactive !== undefined ? `; current load needs ${reactive}` : "");
  let actuation: Actuation = { kind: "none" };
  let what: string;
  if (hpa !== undefined) {
    if (d.desired !== hpa.minReplicas) {
      actuation = { kind: "hpaMinReplicas", hpa: hpa.name, minReplicas: d.desired };
      what = `HPA ${hpa.name} minReplicas ${hpa.minReplicas} -> ${d.desired} (baseline ${base})`;
    } else what = `HPA ${hpa.name} minReplicas stays ${hpa.minReplicas} (baseline ${base})`;
  } else if (d.desired !== inp.current) {
    actuation = { kind: "scale", replicas: d.desired };
    what = `replicas ${inp.current} -> ${d.desired}`;
  } else what = `replicas stay ${inp.current}`;
  const preview = spec.mode === "Preview";
  return {
    desired: d.desired,
    predicted: d.predicted,
    reactive,
    actuation: preview ? { kind: "none" } : actuation,
    reason: d.reason,
    message: `${preview ? "Preview: would set " : ""}${what}: ${why}`,
    hpaStatus:
      hpaStatus === undefined
        ? undefined
        : { ...hpaStatus, appliedMinReplicas: preview ? hpa?.minReplicas : d.desired },
    state: d.state,
    peakUpper,
  };
}
