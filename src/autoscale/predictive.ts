/**
 * Vigil's predictive policy: provision for the larger of the forecast over [now, now + pod start-up +
 * sync + margin] and the current demand (a fast signal), never below what the reactive HPA would choose
 * right now, with the HPA's tolerance band so noise does not move replicas; scale down only when the
 * recommendation has stayed low for a whole window, in one step.
 */

export interface PredictivePolicy {
  /** Utilisation per pod that the forecast and the demand may reach (requests / capacity). */
  readonly targetUtilization: number;
  readonly startupSeconds: number;
  readonly marginSeconds: number;
  /** A lower replica count must be recommended for this long before Vigil scales down. */
  readonly scaleDownWindowSeconds: number;
  /** At most this share of replicas removed per decision (1: straight to the held recommendation). */
  readonly scaleDownMaxFraction: number;
  /**
   * Load within ±tolerance of the target on the current replicas keeps them (the HPA's 0.1), so noise in
   * the forecast or the demand does not cause scaling actions. 0 disables the band.
   */
  readonly tolerance: number;
  /**
   * The demand signal raises replicas only when it would put the current replicas above this utilisation
   * (set it below where latency breaks the SLO): a sudden jump is met at once, ordinary noise in the
   * short-window signal is left to the smoother reactive floor. 0: the demand always counts.
   */
  readonly burstUtilization: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

export const DEFAULT_PREDICTIVE: Omit<PredictivePolicy, "startupSeconds" | "minReplicas" | "maxReplicas"> = {
  targetUtilization: 0.7,
  marginSeconds: 60,
  // Shorter than the HPA's 300 s: the burst path re-adds capacity within one sync when load returns.
  scaleDownWindowSeconds: 240,
  scaleDownMaxFraction: 1,
  tolerance: 0.1,
  burstUtilization: 0.85,
};

export interface PredictiveInput {
  readonly now: number;
  readonly current: number;
  /** Forecast load (req/s), an upper bound or the expected value, at each instant up to the horizon. */
  readonly upper: readonly number[];
  readonly capacityPerPod: number;
  /** What the reactive HPA recommends at this instant (before its own stabilisation). */
  readonly reactive: number;
  /**
   * The current demand from a fast signal (the offered rate over the last scrape interval, or served plus
   * queued), in the same unit as `upper`. Optional: without it only the forecast and `reactive` count.
   */
  readonly demand?: number;
  /**
   * `upper[i]` for i below this index lies before a pod started now could be Ready: it keeps replicas
   * from going down but does not raise them (the demand signal covers it). Default 0.
   */
  readonly firstReadyIndex?: number;
  /**
   * History agrees that the load falls and stays below the current level over the whole window (the end
   * of a recurring peak): the scale-down hold is released, only the reactive floor and `upper` count.
   */
  readonly expectedDrop?: boolean;
}

export interface PredictiveState {
  readonly recent: readonly { readonly t: number; readonly value: number }[];
}

export const EMPTY_PREDICTIVE: PredictiveState = { recent: [] };

export interface PredictiveDecision {
  readonly desired: number;
  /** Replicas the forecast alone needs at the target. */
  readonly predicted: number;
  readonly reason:
    | "Forecast"
    | "ExpectedDrop"
    | "Demand"
    | "ReactiveFloor"
    | "WithinTolerance"
    | "ScaleDownHeld"
    | "ScaleDownLimited"
    | "Bounds";
  readonly state: PredictiveState;
}

export function predictiveDecide(
  inp: PredictiveInput,
  pol: PredictivePolicy,
  st: PredictiveState,
): PredictiveDecision {
  const unit = inp.capacityPerPod * pol.targetUtilization;
  const need = (x: number) => Math.max(0, Math.ceil(x / unit - 1e-9));
  const from = Math.min(inp.firstReadyIndex ?? 0, Math.max(0, inp.upper.length - 1));
  const peak = inp.upper.slice(from).reduce((m, x) => Math.max(m, x), 0);
  const hold = inp.upper.reduce((m, x) => Math.max(m, x), 0);
  const burst = (inp.demand ?? 0) > inp.current * inp.capacityPerPod * pol.burstUtilization;
  const demand = burst ? (inp.demand ?? 0) : 0;
  const predicted = need(peak);
  const load = Math.max(peak, demand);
  // The HPA's tolerance band around the target on the current replicas.
  const ratio = inp.current > 0 ? load / (inp.current * unit) : Number.POSITIVE_INFINITY;
  const within = ratio >= 1 - pol.tolerance && ratio <= 1 + pol.tolerance;
  const proposal = within ? inp.current : need(load);
  let want = Math.max(proposal, inp.reactive);
  let reason: PredictiveDecision["reason"] =
    proposal < inp.reactive
      ? "ReactiveFloor"
      : within
        ? "WithinTolerance"
        : peak >= demand
          ? "Forecast"
          : "Demand";
  const recent = [
    ...st.recent.filter((r) => r.t > inp.now - pol.scaleDownWindowSeconds),
    { t: inp.now, value: want },
  ];
  // Never below what the whole window needs: load due before new pods are Ready cannot be re-provisioned.
  if (want < inp.current) want = Math.min(inp.current, Math.max(want, need(hold)));
  if (want < inp.current) {
    // Conservative scale-down: the highest recommendation in the window, then a bounded step.
    const held = inp.expectedDrop === true ? want : recent.reduce((m, r) => Math.max(m, r.value), want);
    if (held > want) reason = "ScaleDownHeld";
    else if (inp.expectedDrop === true) reason = "ExpectedDrop";
    want = Math.min(inp.current, held);
    const floor = Math.floor(inp.current * (1 - pol.scaleDownMaxFraction));
    if (want < floor) {
      want = floor;
      reason = "ScaleDownLimited";
    }
  }
  const bounded = Math.min(pol.maxReplicas, Math.max(pol.minReplicas, want));
  if (bounded !== want) reason = "Bounds";
  return { desired: bounded, predicted, reason, state: { recent } };
}
