/**
 * Rate of change: the step from the previous point, scored as a robust z against the running median and MAD
 * of past steps. Catches spikes and jumps on their first point. O(1) per point and memory.
 */
import { type RobustStat, robustStat, robustZ, tailScore, updateRobust } from "./robust.js";
import type { Point, RateConfig } from "./types.js";

export interface RateState {
  /** Previous value; meaningful once `level.n > 0`. */
  prev: number;
  steps: RobustStat;
  /** Scale of the values themselves, for the floor on the step scale. */
  level: RobustStat;
}

export function rateInit(): RateState {
  return { prev: 0, steps: robustStat(), level: robustStat() };
}

export function rateStep(s: RateState, cfg: RateConfig, p: Point): number {
  if (!Number.isFinite(p.v)) return 0;
  const first = s.level.n === 0;
  updateRobust(s.level, p.v, cfg.rate);
  if (first) {
    s.prev = p.v;
    return 0;
  }
  const d = p.v - s.prev;
  s.prev = p.v;
  const floor = cfg.scaleFloor * (Math.abs(s.level.med) + cfg.scaleFloor);
  const z = s.steps.n < 2 ? 0 : robustZ(s.steps, d, floor);
  updateRobust(s.steps, d, cfg.rate);
  return tailScore(z, cfg.decades);
}
