/**
 * Change-point detection: a two-sided CUSUM of robust z-scores against a slow robust baseline. When either sum
 * crosses the decision interval the baseline restarts from the fast level, so a lasting shift alarms once.
 * The score rises with the sum. O(1) per point and memory.
 */
import { type RobustStat, robustStat, updateRobust } from "./robust.js";
import type { ChangePointConfig, Point } from "./types.js";

export interface ChangePointState {
  base: RobustStat;
  fast: RobustStat;
  up: number;
  down: number;
}

export function changePointInit(): ChangePointState {
  return { base: robustStat(), fast: robustStat(), up: 0, down: 0 };
}

export function changePointStep(s: ChangePointState, cfg: ChangePointConfig, p: Point): number {
  if (!Number.isFinite(p.v) || !Number.isFinite(p.t)) return 0;
  const floor = cfg.scaleFloor * (Math.abs(s.base.med) + cfg.scaleFloor);
  let score = 0;
  if (s.base.n >= 2) {
    const sigma = Math.max(1.4826 * s.base.mad, floor);
    const u = Math.max(-cfg.clip, Math.min(cfg.clip, (p.v - s.base.med) / sigma));
    s.up = Math.max(0, s.up + u - cfg.drift);
    s.down = Math.max(0, s.down - u - cfg.drift);
    const g = Math.max(s.up, s.down);
    score = Math.min(1, g / (2 * cfg.threshold));
    if (g > cfg.threshold) {
      s.base.med = s.fast.med;
      s.base.mad = Math.max(s.base.mad, s.fast.mad);
      s.up = 0;
      s.down = 0;
    }
  }
  updateRobust(s.fast, p.v, cfg.fastRate);
  updateRobust(s.base, p.v, cfg.baseRate);
  return score;
}
