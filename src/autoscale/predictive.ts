/**
 * Vigil's predictive policy: provision for the forecast's upper bound over [now, now + pod start-up +
 * margin], never below what the reactive HPA would choose right now, and scale down only when the
 * upper bound has stayed low for a whole window (and at most by a bounded fraction per step).
 */

export interface PredictivePolicy {
  /** Utilisation per pod that the upper bound may reach (requests / capacity). */
  readonly targetUtilization: number;
  readonly startupSeconds: number;
  readonly marginSeconds: number;
  /** A lower replica count must be recommended for this long before Vigil scales down. */
  readonly scaleDownWindowSeconds: number;
  /** At most this share of replicas removed per decision. */
  readonly scaleDownMaxFraction: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

export const DEFAULT_PREDICTIVE: Omit<PredictivePolicy, "startupSeconds" | "minReplicas" | "maxReplicas"> = {
  targetUtilization: 0.8,
  marginSeconds: 60,
  scaleDownWindowSeconds: 300,
  scaleDownMaxFraction: 0.25,
};

export interface PredictiveInput {
  readonly now: number;
  readonly current: number;
  /** Upper bound of the forecast load (req/s) at each future instant up to the horizon. */
  readonly upper: readonly number[];
  readonly capacityPerPod: number;
  /** What the reactive HPA recommends at this instant (before its own stabilisation). */
  readonly reactive: number;
}

export interface PredictiveState {
  readonly recent: readonly { readonly t: number; readonly value: number }[];
}

export const EMPTY_PREDICTIVE: PredictiveState = { recent: [] };

export interface PredictiveDecision {
  readonly desired: number;
  readonly predicted: number;
  readonly reason: "Forecast" | "ReactiveFloor" | "ScaleDownHeld" | "ScaleDownLimited" | "Bounds";
  readonly state: PredictiveState;
}

export function predictiveDecide(
  inp: PredictiveInput,
  pol: PredictivePolicy,
  st: PredictiveState,
): PredictiveDecision {
  const peak = inp.upper.reduce((m, x) => Math.max(m, x), 0);
  const predicted = Math.ceil(peak / (inp.capacityPerPod * pol.targetUtilization) - 1e-9);
  let want = Math.max(predicted, inp.reactive);
  let reason: PredictiveDecision["reason"] = predicted >= inp.reactive ? "Forecast" : "ReactiveFloor";
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
