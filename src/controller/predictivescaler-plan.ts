/**
 * @module
 * The PredictiveScaler's decisions, pure (no IO, no clock): the seasonal outlook from a workload's history
 * (run in a worker thread by the controller) and the plan for one reconcile: how many replicas, what to
 * change (an HPA's minReplicas, the scale subresource, or nothing in Preview) and why. The policy is the
 * one `vigil bench autoscale` replays (`autoscale.seasonalOutlook` + `autoscale.predictiveDecide`).
 */
import type * as api from "../api/index.js";
import * as autoscale from "../autoscale/index.js";
import * as fc from "../forecast/index.js";

/** History is resampled to this step before the outlook. */
export const FIT_STEP_SECONDS = 60;
/** Vigil decides as often as the HPA syncs (upstream default); the lead window covers one sync. */
export const SYNC_SECONDS = autoscale.HPA_DEFAULTS.syncPeriodSeconds;

export interface ForecastRequest {
  readonly samples: readonly fc.Sample[];
  /** Unix seconds: the forecast covers (now, now + horizonSeconds]. */
  readonly now: number;
  readonly horizonSeconds: number;
  /**
   * The cycle (DAY or WEEK, seconds) an earlier fit of this workload detected: kept when detection on this
   * history finds none (detection can flip on short or weekend-shifted history), as the bench does.
   */
  readonly knownPeriodSeconds?: number | undefined;
}

export interface UpperPoint {
  /** Start of the 1-min step (Unix seconds). */
  readonly t: number;
  /** The outlook: the current level times the ratio most past cycles agree on. */
  readonly mean: number;
  /** What the policy provisions for: `mean` where past cycles agree on a change, else 0 (reactive only). */
  readonly upper: number;
  /** The agreed ratio (1: no agreed change). */
  readonly ratio: number;
}

export type UpperForecast =
  | {
      readonly kind: "ok";
      /** For status, e.g. "seasonal outlook (2 past days)". */
      readonly model: string;
      /** "24h", "168h" or "none"; " (kept)" when an earlier fit's period was used. */
      readonly period: string;
      /** The cycle the outlook used, for the next request's `knownPeriodSeconds`. */
      readonly periodSeconds: number | undefined;
      /** Past cycles the outlook compared. */
      readonly cycles: number;
      /** The current level (mean of the last 5 steps). */
      readonly level: number;
      readonly historyPoints: number;
      readonly points: readonly UpperPoint[];
    }
  | { readonly kind: "insufficientData"; readonly message: string; readonly historyPoints: number };

/** Seconds after which load must already be provisioned: start-up, one sync and the policy's margin. */
export function leadSeconds(spec: Pick<api.PredictiveScalerSpec, "podStartupSeconds">): number {
  return spec.podStartupSeconds + SYNC_SECONDS + autoscale.DEFAULT_PREDICTIVE.marginSeconds;
}

/** The horizon to fit: the spec's (for status), at least the provisioning window plus one step. */
export function fitHorizonSeconds(
  spec: Pick<api.PredictiveScalerSpec, "podStartupSeconds" | "horizonSeconds">,
): number {
  return Math.max(spec.horizonSeconds, leadSeconds(spec) + FIT_STEP_SECONDS);
}

/** The coarsest bucket the recorder keeps (its 5-min tier); longer gaps are missing data. */
const COARSEST_BUCKET_SECONDS = 300;

/**
 * Samples as `step` bucket means. Timestamps are bucket starts (as the recorder's tiers give them, and a
 * Prometheus range query at this step); finer samples are averaged into their bucket, and a coarser bucket
 * (one followed by a gap of up to 5 min) holds its mean over every step it covers. Linear interpolation
 * between the starts of 5-min means would ramp a recurring step up to 5 min early and put the ramp into the
 * outlook's 5-step base, so past days older than the recorder's 1-min tier would understate the change.
 */
export function toSteps(samples: readonly fc.Sample[], step: number): fc.Sample[] {
  const out: fc.Sample[] = [];
  let i = 0;
  while (i < samples.length) {
    const b = Math.floor((samples[i]?.t ?? 0) / step) * step;
    let sum = 0;
    let count = 0;
    for (; i < samples.length; i++) {
      const s = samples[i];
      if (s === undefined || Math.floor(s.t / step) * step !== b) break;
      sum += s.v;
      count++;
    }
    const v = sum / count;
    out.push({ t: b, v });
    const next = samples[i];
    const gap = next === undefined ? 0 : Math.floor(next.t / step) * step - b;
    if (gap > step && gap <= COARSEST_BUCKET_SECONDS)
      for (let t = b + step; t < b + gap; t += step) out.push({ t, v });
  }
  return out;
}

function recentMean(values: readonly number[], n: number, steps: number): number {
  const from = Math.max(0, n - steps);
  let s = 0;
  for (let i = from; i < n; i++) s += values[i] ?? 0;
  return n > from ? s / (n - from) : 0;
}

/**
 * The seasonal outlook (as in the trace replay): for each of the last ≤ 7 cycles (a day, or a week when one
 * is detected), how the load at the same phase changed relative to the 5 minutes before; a change most
 * cycles agree on is applied to the current level. Only a series with a detected period gets one; where no
 * change is agreed (ratio 1) `upper` is 0, so the reactive path rules there.
 */
export function forecastUpper(req: ForecastRequest): UpperForecast {
  if (req.samples.length === 0)
    return { kind: "insufficientData", message: "no history yet", historyPoints: 0 };
  const p = fc.prepareSeries(toSteps(req.samples, FIT_STEP_SECONDS), { stepSeconds: FIT_STEP_SECONDS });
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
  const detected = fc.detectPeriod(values, step);
  const known = req.knownPeriodSeconds;
  const periodSeconds =
    detected.kind === "period"
      ? detected.seconds === fc.WEEK
        ? fc.WEEK
        : fc.DAY
      : known === fc.DAY || known === fc.WEEK
        ? known
        : undefined;
  const kept = detected.kind !== "period" && periodSeconds !== undefined;
  const periodSteps = periodSeconds === undefined ? 0 : Math.round(periodSeconds / step);
  // The outlook compares one cycle back: it covers at most a cycle (status shows no further).
  const want = Math.max(1, Math.ceil((req.now + req.horizonSeconds - end) / step));
  const h = periodSteps > 0 ? Math.min(want, periodSteps - 1) : want;
  const o =
    periodSteps > 0
      ? autoscale.seasonalOutlook(values, n, h, { ...autoscale.DEFAULT_OUTLOOK, period: periodSteps })
      : undefined;
  const level = o?.level ?? recentMean(values, n, autoscale.DEFAULT_OUTLOOK.baseSteps);
  const points: UpperPoint[] = [];
  for (let k = 0; k < h; k++) {
    const t = end + (k + 1) * step;
    if (t <= req.now - step) continue; // the history ends in the past: skip what is already behind us
    const ratio = o?.ratio[k] ?? 1;
    const mean = o?.expected[k] ?? level;
    points.push({ t, mean, upper: ratio === 1 ? 0 : mean, ratio });
  }
  const unit = periodSeconds === fc.WEEK ? "weeks" : "days";
  return {
    kind: "ok",
    model:
      o === undefined
        ? "none (no daily or weekly period detected: reactive only)"
        : `seasonal outlook (${o.cycles} past ${o.cycles === 1 ? unit.slice(0, -1) : unit})`,
    period: periodSeconds === undefined ? "none" : `${periodSeconds / 3600}h${kept ? " (kept)" : ""}`,
    periodSeconds,
    cycles: o?.cycles ?? 0,
    level,
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
  /** Largest agreed-change load within the provisioning window (now + lead); 0 when none is agreed. */
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
  const lead = leadSeconds(spec);
  const windowEnd = inp.now + lead;
  // The steps from the one in progress to the one holding now + lead (as the replay's lead window).
  const inWindow = forecast.points.filter((p, i) => i === 0 || p.t <= windowEnd);
  const upper = inWindow.map((p) => p.upper);
  // The first step a pod started now is Ready in: load before it only keeps replicas from going down.
  const ready = inWindow.findIndex((p) => p.t + FIT_STEP_SECONDS > inp.now + spec.podStartupSeconds);
  const firstReadyIndex = ready < 0 ? Math.max(0, inWindow.length - 1) : ready;
  const expectedDrop = inWindow.length > 0 && inWindow.every((p) => p.ratio < 1);
  const peakUpper = upper.reduce((m, x) => Math.max(m, x), 0);
  const hpa = inp.hpa;
  const base = hpaStatus?.baseMinReplicas ?? spec.minReplicas;
  const pol: autoscale.PredictivePolicy = {
    ...autoscale.DEFAULT_PREDICTIVE,
    targetUtilization: spec.targetUtilization,
    startupSeconds: spec.podStartupSeconds,
    minReplicas: hpa === undefined ? spec.minReplicas : Math.max(base, spec.minReplicas),
    maxReplicas: hpa === undefined ? spec.maxReplicas : Math.min(spec.maxReplicas, hpa.maxReplicas),
  };
  // With an HPA, Vigil moves only the floor: the HPA stays the reactive part (it takes the max), so the
  // floor's reactive value is the owner's baseline and there is no demand signal. Without one, Vigil is
  // the reactive part too: the HPA's computation for the current load, and that load as the burst demand.
  const d = autoscale.predictiveDecide(
    {
      now: inp.now,
      current: hpa === undefined ? inp.current : hpa.minReplicas,
      upper,
      capacityPerPod: spec.capacityPerReplica,
      reactive: hpa === undefined ? (reactive ?? inp.current) : base,
      firstReadyIndex,
      expectedDrop,
      ...(hpa === undefined && inp.load !== undefined ? { demand: inp.load.value } : {}),
    },
    pol,
    inp.state,
  );
  const unit = spec.metric.kind === "cpu" ? "m CPU" : "";
  const peak = inWindow.reduce<UpperPoint | undefined>(
    (m, p) => (p.upper > 0 && (m === undefined || p.upper > m.upper) ? p : m),
    undefined,
  );
  const cycles = forecast.periodSeconds === fc.WEEK ? "weeks" : "days";
  const outlook =
    forecast.periodSeconds === undefined
      ? "no daily or weekly period in the history, so no forecast"
      : peak === undefined
        ? `past ${cycles} agree on no change within ${lead}s`
        : expectedDrop
          ? `past ${cycles} agree the load falls within ${lead}s (to at most ${fmtLoad(peak.upper)}${unit})`
          : `past ${cycles} agree on ${fmtLoad(peak.upper)}${unit} within ${lead}s ` +
            `(x${peak.ratio.toFixed(2)} the current ${fmtLoad(forecast.level)}${unit})`;
  const why =
    `${outlook}; that needs ${d.predicted} ` +
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
