/**
 * Robust seasonal baseline: a slow robust level plus one robust (median, MAD) offset per slot of the period
 * (by default the hour of the day), and a fast local level for series without a season. Each point is scored
 * against whichever model has been the more accurate lately. O(1) per point; memory is `slots + 2` estimates.
 */
import { type RobustStat, robustStat, robustZ, tailScore, updateRobust } from "./robust.js";
import type { Point, SeasonalConfig } from "./types.js";

export interface SeasonalState {
  /** Slow level the seasonal offsets are measured from. */
  level: RobustStat;
  /** Fast level: the model for series without a season. */
  local: RobustStat;
  /** Robust offset from `level`, one per slot. */
  slots: RobustStat[];
  /** Running mean absolute errors of the two models. */
  errSeasonal: number;
  errLocal: number;
}

export function seasonalInit(cfg: SeasonalConfig): SeasonalState {
  return {
    level: robustStat(),
    local: robustStat(),
    slots: Array.from({ length: cfg.slots }, robustStat),
    errSeasonal: 0,
    errLocal: 0,
  };
}

function slotOf(cfg: SeasonalConfig, t: number): number {
  const phase = ((t % cfg.periodSeconds) + cfg.periodSeconds) % cfg.periodSeconds;
  return Math.min(cfg.slots - 1, Math.floor((phase / cfg.periodSeconds) * cfg.slots));
}

/** Scores `p` against the baseline learnt so far, then learns from it. */
export function seasonalStep(s: SeasonalState, cfg: SeasonalConfig, p: Point): number {
  if (!Number.isFinite(p.v) || !Number.isFinite(p.t)) return 0;
  const slot = s.slots[slotOf(cfg, p.t)] ?? robustStat();
  const floor = cfg.scaleFloor * (Math.abs(s.level.med) + cfg.scaleFloor);
  const zLocal = robustZ(s.local, p.v, floor);
  const seasonalReady = slot.n >= cfg.minSlotObservations;
  const offset = p.v - s.level.med;
  const zSeasonal = seasonalReady ? robustZ(slot, offset, floor) : Number.POSITIVE_INFINITY;
  const useSeasonal = seasonalReady && s.errSeasonal + floor < cfg.preferSeasonal * s.errLocal;
  const z = s.local.n < 2 ? 0 : useSeasonal ? zSeasonal : zLocal;

  const a = cfg.errorRate;
  if (seasonalReady)
    s.errSeasonal += a * (Math.min(zSeasonal, 10) * Math.max(slot.mad, floor) - s.errSeasonal);
  s.errLocal += a * (Math.min(zLocal, 10) * Math.max(s.local.mad, floor) - s.errLocal);
  updateRobust(s.local, p.v, cfg.localRate);
  updateRobust(s.level, p.v, cfg.levelRate);
  updateRobust(slot, offset, cfg.slotRate);
  return tailScore(z, cfg.decades);
}
