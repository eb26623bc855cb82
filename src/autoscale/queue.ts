/**
 * A small queueing model of a service: replicas each serve `capacityPerPod` requests per second.
 * Overload builds a FIFO backlog (fluid model); requests waiting longer than the timeout are dropped,
 * those served after more than the latency SLO are late. Below saturation each pod is M/M/1, so a
 * share exp(-(mu - lambda) * SLO) of requests still miss the SLO as utilisation nears 1.
 */

export interface ServiceModel {
  readonly capacityPerPod: number;
  readonly sloSeconds: number;
  /** Clients give up after this long in the queue. */
  readonly timeoutSeconds: number;
}

interface Cohort {
  readonly arrived: number;
  readonly amount: number;
}

export interface QueueState {
  readonly backlog: readonly Cohort[];
}

export const EMPTY_QUEUE: QueueState = { backlog: [] };

export interface QueueStep {
  readonly arrived: number;
  readonly onTime: number;
  readonly late: number;
  readonly dropped: number;
  readonly state: QueueState;
}

/** Advances the service by `dt` seconds from `now` with `rate` req/s arriving and `ready` pods serving. */
export function queueStep(
  now: number,
  dt: number,
  rate: number,
  ready: number,
  svc: ServiceModel,
  st: QueueState,
): QueueStep {
  const arrived = rate * dt;
  const mu = ready * svc.capacityPerPod;
  let budget = mu * dt;
  let onTime = 0;
  let late = 0;
  let dropped = 0;
  const queue: Cohort[] = [];
  const end = now + dt;
  for (const c of st.backlog) {
    if (end - c.arrived > svc.timeoutSeconds) {
      const served = Math.min(budget, c.amount);
      budget -= served;
      late += served;
      dropped += c.amount - served;
      continue;
    }
    const served = Math.min(budget, c.amount);
    budget -= served;
    if (served > 0) {
      if (end - c.arrived > svc.sloSeconds) late += served;
      else onTime += served;
    }
    if (c.amount - served > 1e-9) queue.push({ arrived: c.arrived, amount: c.amount - served });
  }
  const direct = Math.min(budget, arrived);
  if (direct > 0 && queue.length === 0) {
    // Served on arrival: the M/M/1 sojourn tail per pod.
    const lambda = rate / Math.max(ready, 1e-9);
    const headroom = svc.capacityPerPod - Math.min(lambda, svc.capacityPerPod);
    const missShare = Math.exp(-headroom * svc.sloSeconds);
    late += direct * missShare;
    onTime += direct * (1 - missShare);
  } else if (direct > 0) {
    late += direct;
  }
  if (arrived - direct > 1e-9) queue.push({ arrived: now + dt / 2, amount: arrived - direct });
  return { arrived, onTime, late, dropped, state: { backlog: queue } };
}
