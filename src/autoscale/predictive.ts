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
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

export const DEFAULT_PREDICTIVE: Omit<PredictivePolicy, "startupSeconds" | "minReplicas" | "maxReplicas"> = {
  targetUtilization: 0.7,
  marginSeconds: 60,
  scaleDownWindowSeconds: 300,
  scaleDownMaxFraction: 1,
  tolerance: 0.1,
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
  const need = (x: number) => Math.ceil(x / unit - 1e-9);
  const peak = inp.upper.reduce((m, x) => Math.max(m, x), 0);
  const demand = inp.demand ?? 0;
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
  if (want < inp.current) {
    // Conservative scale-down: the highest recommendation in the window, then a bounded step.
    const held = recent.reduce((m, r) => Math.max(m, r.value), want);
    if (held > want) reason = "ScaleDownHeld";
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
