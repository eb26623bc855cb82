/**
 * Replays a request-rate trace through a scaling policy (the HPA baseline or Vigil's predictive
 * policy) with pod start-up delay, metric lag and the queueing model, and scores the outcome:
 * SLO-violation minutes, availability, replica-hours, scaling actions and the largest step.
 */
import {
  fitEnsemble,
  intervals,
  nonNegative,
  detectPeriod,
  quantileModel,
  DAY,
  WEEK,
  type EnsembleFitted,
  type Fitted,
} from "../forecast/index.js";
import {
  EMPTY_HPA_STATE,
  hpaSpec,
  hpaSync,
  replicasForMetric,
  HPA_DEFAULTS,
  type HpaSpec,
  type PodView,
} from "./hpa.js";
import {
  DEFAULT_PREDICTIVE,
  EMPTY_PREDICTIVE,
  predictiveDecide,
  type PredictivePolicy,
} from "./predictive.js";
import { EMPTY_QUEUE, queueStep, type ServiceModel } from "./queue.js";
import { DEFAULT_OUTLOOK, seasonalOutlook, type OutlookOptions } from "./seasonal.js";

export interface SimConfig {
  readonly capacityPerPod: number;
  readonly startupSeconds: number;
  readonly sloSeconds: number;
  readonly timeoutSeconds: number;
  /** The HPA's per-pod target as a share of capacity. */
  readonly hpaTargetUtilization: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Simulation tick. */
  readonly dtSeconds: number;
  /** The metric is the mean request rate over this window (a Prometheus rate()). */
  readonly metricWindowSeconds: number;
  /** A pod has no metric sample until it has been ready this long. */
  readonly metricDelaySeconds: number;
  /** Vigil refits its forecast (ensemble) or re-detects the period (seasonal) this often. */
  readonly refitSeconds: number;
  /**
   * Vigil's forecast: "seasonal" (per time-of-day change that most past days agree on, applied to the
   * current level), "ensemble" (the forecast ensemble's upper bound raised to the seasonal p90: the first
   * version) or "none" (demand and the reactive floor only: an ablation).
   */
  readonly forecaster: "seasonal" | "ensemble" | "none";
  readonly outlook: Omit<OutlookOptions, "period">;
  /**
   * Vigil's demand signal: the offered rate over this window (an irate over one 15 s scrape), against
   * the HPA's `metricWindowSeconds` mean. 0: Vigil uses only the HPA's signal.
   */
  readonly demandWindowSeconds: number;
  /** Scored from here on; the time before is history for both policies. */
  readonly warmupSeconds: number;
  /** Vigil's interval coverage for the upper bound. */
  readonly level: number;
  /** A minute misses the SLO when fewer than this share of its requests are served in time. */
  readonly minuteTarget: number;
  readonly predictive: Omit<PredictivePolicy, "startupSeconds" | "minReplicas" | "maxReplicas">;
}

export const DEFAULT_SIM: SimConfig = {
  capacityPerPod: 100,
  startupSeconds: 60,
  sloSeconds: 0.5,
  timeoutSeconds: 10,
  hpaTargetUtilization: 0.7,
  minReplicas: 1,
  maxReplicas: 1000,
  dtSeconds: 5,
  metricWindowSeconds: 60,
  metricDelaySeconds: 15,
  refitSeconds: 3600,
  forecaster: "seasonal",
  outlook: DEFAULT_OUTLOOK,
  demandWindowSeconds: 15,
  warmupSeconds: 2 * 86_400,
  level: 0.9,
  minuteTarget: 0.99,
  predictive: DEFAULT_PREDICTIVE,
};

export interface PolicyScore {
  readonly slo_violation_minutes: number;
  readonly availability: number;
  readonly replica_hours: number;
  readonly actions: number;
  readonly max_step: number;
}

export interface PolicyRun extends PolicyScore {
  /** Availability inside spike windows (and the 5 minutes after each). */
  readonly spike_availability: number;
  readonly spike_violation_minutes: number;
  /** Start (unix seconds) of every scored minute that missed the SLO. */
  readonly violated: readonly number[];
  /** Per labelled window kind (e.g. "daily", "random"), when the caller gave windows. */
  readonly by_window: Readonly<Record<string, WindowScore>>;
}

export interface WindowScore {
  readonly slo_violation_minutes: number;
  readonly availability: number;
  readonly replica_hours: number;
}

/** A labelled stretch of the trace (a known spike), scored separately; `end` excludes the 5-min tail. */
export interface LabelledWindow {
  readonly start: number;
  readonly end: number;
  readonly label: string;
}

export interface SimResult {
  readonly hpa: PolicyRun;
  readonly vigil: PolicyRun;
  readonly scoredMinutes: number;
  readonly spikeMinutes: number;
}

export interface TraceInput {
  readonly start: number;
  readonly step: number;
  /** Requests per interval. */
  readonly values: readonly number[];
}

/**
 * Spike minutes, found from the trace alone: an interval whose rate is at least `factor` times the
 * median of the previous hour, plus the 5 minutes after it.
 */
export function spikeMask(values: readonly number[], step: number, factor = 1.5): boolean[] {
  const win = Math.max(3, Math.round(3600 / step));
  const tail = Math.max(1, Math.round(300 / step));
  const mask = new Array<boolean>(values.length).fill(false);
  for (let i = win; i < values.length; i++) {
    const prev = values.slice(i - win, i).sort((a, b) => a - b);
    const med = prev[Math.floor(prev.length / 2)] ?? 0;
    if (med > 0 && (values[i] ?? 0) >= factor * med)
      for (let j = i; j < Math.min(values.length, i + tail + 1); j++) mask[j] = true;
  }
  return mask;
}

type Policy = "hpa" | "vigil";

function run(
  trace: TraceInput,
  cfg: SimConfig,
  policy: Policy,
  spikes: readonly boolean[],
  labels: readonly (string | undefined)[],
): PolicyRun {
  const { start, step, values } = trace;
  const end = start + values.length * step;
  const dt = cfg.dtSeconds;
  const spec: HpaSpec = hpaSpec({
    minReplicas: cfg.minReplicas,
    maxReplicas: cfg.maxReplicas,
    metric: { type: "AverageValue", target: cfg.hpaTargetUtilization * cfg.capacityPerPod },
  });
  const vigilSpec: HpaSpec = {
    ...spec,
    metric: { type: "AverageValue", target: cfg.predictive.targetUtilization * cfg.capacityPerPod },
  };
  const pol: PredictivePolicy = {
    ...cfg.predictive,
    startupSeconds: cfg.startupSeconds,
    minReplicas: cfg.minReplicas,
    maxReplicas: cfg.maxReplicas,
  };
  const rateAt = (t: number) => (values[Math.floor((t - start) / step)] ?? 0) / step;
  // Start with enough pods for the first interval at the HPA target.
  const initial = Math.max(
    cfg.minReplicas,
    Math.ceil(rateAt(start) / (cfg.hpaTargetUtilization * cfg.capacityPerPod)),
  );
  let pods: { readyAt: number }[] = Array.from({ length: initial }, () => ({ readyAt: start - 3600 }));
  let hst = EMPTY_HPA_STATE;
  let pst = EMPTY_PREDICTIVE;
  let q = EMPTY_QUEUE;
  const winTicks = Math.max(1, Math.round(cfg.metricWindowSeconds / dt));
  const rates: number[] = [];
  let fit: EnsembleFitted | undefined;
  let qfit: Fitted | undefined;
  let fitAt = Number.NEGATIVE_INFINITY;
  let fitValues: number[] = [];
  let upper: readonly number[] = [];
  let knownSteps = -1;
  let period = 0;
  let expectedDrop = false;
  // Requests per second per trace step (what a scraped rate history holds).
  const rates1 = values.map((v) => v / step);
  const demandTicks = Math.round(cfg.demandWindowSeconds / dt);
  const h = Math.max(
    1,
    Math.ceil((cfg.startupSeconds + pol.marginSeconds + HPA_DEFAULTS.syncPeriodSeconds) / step),
  );
  let arrived = 0;
  let onTime = 0;
  let sArrived = 0;
  let sOnTime = 0;
  let violations = 0;
  let spikeViolations = 0;
  let replicaSeconds = 0;
  let actions = 0;
  let maxStep = 0;
  let minArr = 0;
  let minOk = 0;
  let minute = -1;
  const violated: number[] = [];
  const win = new Map<string, { v: number; arrived: number; onTime: number; rs: number }>();
  const slot = (i: number) => {
    const l = labels[i];
    if (l === undefined) return undefined;
    let w = win.get(l);
    if (w === undefined) win.set(l, (w = { v: 0, arrived: 0, onTime: 0, rs: 0 }));
    return w;
  };
  const flushMinute = () => {
    if (minute >= 0 && minArr > 0 && minOk / minArr < cfg.minuteTarget) {
      violations++;
      violated.push(start + minute * 60);
      const w = slot(Math.floor((minute * 60) / step));
      if (w !== undefined) w.v++;
      if (spikes[Math.floor((minute * 60) / step)] === true) spikeViolations++;
    }
    minArr = 0;
    minOk = 0;
  };
  for (let t = start; t < end; t += dt) {
    const rate = rateAt(t);
    rates.push(rate);
    if (rates.length > Math.max(winTicks, demandTicks)) rates.shift();
    const ready = pods.filter((p) => p.readyAt <= t).length;
    const r = queueStep(
      t,
      dt,
      rate,
      ready,
      {
        capacityPerPod: cfg.capacityPerPod,
        sloSeconds: cfg.sloSeconds,
        timeoutSeconds: cfg.timeoutSeconds,
      } satisfies ServiceModel,
      q,
    );
    q = r.state;
    const scored = t >= start + cfg.warmupSeconds;
    if (scored) {
      const m = Math.floor((t - start) / 60);
      if (m !== minute) {
        flushMinute();
        minute = m;
      }
      minArr += r.arrived;
      minOk += r.onTime;
      arrived += r.arrived;
      onTime += r.onTime;
      const w = slot(Math.floor((t - start) / step));
      if (w !== undefined) {
        w.arrived += r.arrived;
        w.onTime += r.onTime;
        w.rs += pods.length * dt;
      }
      if (spikes[Math.floor((t - start) / step)] === true) {
        sArrived += r.arrived;
        sOnTime += r.onTime;
      }
      replicaSeconds += pods.length * dt;
    }
    if ((t - start) % HPA_DEFAULTS.syncPeriodSeconds !== 0) continue;
    // The HPA's view: pending pods, pods without a sample yet, ready pods with the offered rate per pod.
    const lagged = rates.slice(-winTicks);
    const metric = lagged.reduce((s, x) => s + x, 0) / lagged.length / Math.max(1, ready);
    const views: PodView[] = pods.map((p) => ({
      phase: p.readyAt > t ? "Pending" : "Running",
      deleting: false,
      metric: p.readyAt + cfg.metricDelaySeconds > t ? undefined : metric,
    }));
    const current = pods.length;
    let desired: number;
    if (policy === "hpa") {
      const d = hpaSync(t, current, views, spec, hst);
      hst = d.state;
      desired = d.desired;
    } else {
      // The reactive floor: what an HPA targeting Vigil's utilisation would choose right now.
      const m = replicasForMetric(current, views, vigilSpec);
      const reactive =
        m.kind === "ok" ? Math.min(cfg.maxReplicas, Math.max(cfg.minReplicas, m.replicas)) : current;
      const known = Math.floor((t - start) / step);
      // Pods started now are ready at t + start-up; the next decision comes one sync later.
      const lead = cfg.startupSeconds + HPA_DEFAULTS.syncPeriodSeconds + pol.marginSeconds;
      const hNow = Math.max(1, Math.floor((t + lead - start) / step) - known + 1);
      if (cfg.forecaster === "seasonal" && known >= 1) {
        if (t - fitAt >= cfg.refitSeconds) {
          const from = Math.max(0, known - Math.round((15 * 86_400) / step));
          // Only a series with a detected daily or weekly period gets an outlook. Detection can flip to
          // "none" on short or weekend-shifted history, so a period once found is kept until another is.
          const p = detectPeriod(values.slice(from, known), step);
          if (p.kind === "period") period = Math.round((p.seconds === WEEK ? WEEK : DAY) / step);
          fitAt = t;
        }
        // Only agreed changes count: where the outlook is persistence (ratio 1) the reactive path rules.
        const o = period > 0 ? seasonalOutlook(rates1, known, hNow, { ...cfg.outlook, period }) : undefined;
        upper = o === undefined ? [] : o.expected.map((x, j) => (o.ratio[j] === 1 ? 0 : x));
        expectedDrop = o !== undefined && o.ratio.every((r) => r < 1);
      } else if (cfg.forecaster === "ensemble" && known !== knownSteps && known >= 10) {
        knownSteps = known;
        const from = Math.max(0, known - Math.round((15 * 86_400) / step));
        if (t - fitAt >= cfg.refitSeconds || fit === undefined) {
          fitValues = values.slice(from, known).map((v) => v / step);
          const p = detectPeriod(fitValues, step);
          const ctx = {
            step,
            period: p.kind === "period" ? Math.round(p.seconds / step) : undefined,
            nonNegative: nonNegative(fitValues),
          };
          fit = fitEnsemble(fitValues, fitValues.length, ctx, h);
          qfit = quantileModel(cfg.level)(fitValues, fitValues.length, ctx);
          fitAt = t;
        } else {
          for (let i = from + fitValues.length; i < known; i++) fitValues.push((values[i] ?? 0) / step);
        }
        const mean = fit.forecastAt(fitValues, fitValues.length, h);
        const ens = intervals(mean, fit.residuals, cfg.level, true).upper;
        // The robust seasonal quantile sees recurring peaks the short-lead ensemble smooths over.
        const qu = qfit?.forecastAt(fitValues, fitValues.length, h) ?? new Float64Array(h);
        upper = Array.from(ens, (x, i) => Math.max(x, qu[i] ?? 0));
      }
      const demand =
        demandTicks > 0
          ? rates.slice(-demandTicks).reduce((s, x) => s + x, 0) / Math.min(demandTicks, rates.length)
          : undefined;
      const d = predictiveDecide(
        {
          now: t,
          current,
          upper,
          capacityPerPod: cfg.capacityPerPod,
          reactive,
          expectedDrop,
          firstReadyIndex: Math.max(0, Math.floor((t + cfg.startupSeconds - start) / step) - known),
          ...(demand === undefined ? {} : { demand }),
        },
        pol,
        pst,
      );
      pst = d.state;
      desired = d.desired;
    }
    if (desired !== current) {
      if (scored) {
        actions++;
        maxStep = Math.max(maxStep, Math.abs(desired - current));
      }
      if (desired > current) {
        for (let i = current; i < desired; i++) pods.push({ readyAt: t + cfg.startupSeconds });
      } else {
        // The ReplicaSet removes not-ready pods first, then the newest.
        pods = [...pods].sort((a, b) => a.readyAt - b.readyAt).slice(0, desired);
      }
    }
  }
  flushMinute();
  return {
    slo_violation_minutes: violations,
    availability: arrived === 0 ? 1 : onTime / arrived,
    replica_hours: replicaSeconds / 3600,
    actions,
    max_step: maxStep,
    spike_availability: sArrived === 0 ? 1 : sOnTime / sArrived,
    spike_violation_minutes: spikeViolations,
    violated,
    by_window: Object.fromEntries(
      [...win].map(([l, w]) => [
        l,
        {
          slo_violation_minutes: w.v,
          availability: w.arrived === 0 ? 1 : w.onTime / w.arrived,
          replica_hours: w.rs / 3600,
        },
      ]),
    ),
  };
}

/** Replays the trace through the HPA and through Vigil's policy with the same service and start-up. */
export function simulate(
  trace: TraceInput,
  cfg: SimConfig = DEFAULT_SIM,
  windows: readonly LabelledWindow[] = [],
): SimResult {
  const spikes = spikeMask(trace.values, trace.step);
  // Each trace step inside a labelled window (plus the 5 minutes after it) carries the label; the
  // first window wins where two overlap.
  const labels: (string | undefined)[] = new Array<string | undefined>(trace.values.length).fill(undefined);
  for (const w of windows) {
    const a = Math.max(0, Math.ceil((w.start - trace.start) / trace.step));
    const b = Math.min(trace.values.length, Math.ceil((w.end + 300 - trace.start) / trace.step));
    for (let i = a; i < b; i++) labels[i] ??= w.label;
  }
  const warmSteps = Math.floor(cfg.warmupSeconds / trace.step);
  const scoredMinutes = Math.max(0, ((trace.values.length - warmSteps) * trace.step) / 60);
  const spikeMinutes = (spikes.slice(warmSteps).filter(Boolean).length * trace.step) / 60;
  return {
    hpa: run(trace, cfg, "hpa", spikes, labels),
    vigil: run(trace, cfg, "vigil", spikes, labels),
    scoredMinutes,
    spikeMinutes,
  };
}
