/**
 * Seasonal anticipation of recurring load changes (the idea behind Crane's per-phase DSP and percentile
 * predictors, reduced to what a scaler needs a few minutes ahead): for each of the last cycles (days),
 * how much did the load at the same time of day change relative to the minutes just before? A change that
 * most past cycles agree on (a 09:00 job, a lunchtime peak) is expected again and is applied to the
 * current level; a one-off spike on a single day is not, because it has no majority.
 * Scale-free (a ratio), so weekday/weekend level differences do not matter; pure and allocation-light.
 */

export interface OutlookOptions {
  /** Steps per cycle (1440 for a day of 1-minute steps). */
  readonly period: number;
  /** Steps averaged for the current level and for each past cycle's base. */
  readonly baseSteps: number;
  /** Past cycles looked at (the newest first). */
  readonly maxCycles: number;
  /** At least this many past cycles must agree on a change before it is expected. */
  readonly minAgree: number;
  /** Share of the past cycles that must agree (the k-th largest ratio with k = ceil(share * cycles)). */
  readonly agreeShare: number;
  /** A recurring change may drift by this many steps from cycle to cycle. */
  readonly jitterSteps: number;
  /**
   * Agreed ratios within ±minChange of 1 are taken as 1 (no change): past noise is not replayed as a
   * forecast, and changes that small are left to the reactive path (the HPA's tolerance is 0.1).
   */
  readonly minChange: number;
}

export const DEFAULT_OUTLOOK: Omit<OutlookOptions, "period"> = {
  baseSteps: 5,
  maxCycles: 7,
  minAgree: 2,
  agreeShare: 0.5,
  jitterSteps: 0,
  minChange: 0.1,
};

export interface Outlook {
  /** The current level: mean of the last `baseSteps` values. */
  readonly level: number;
  /** Expected value at steps n, n+1, …, n+horizon-1 (level × the agreed ratio; level without history). */
  readonly expected: readonly number[];
  /** The agreed ratio per step (1 where no cycle history exists). */
  readonly ratio: readonly number[];
  /** Past cycles used. */
  readonly cycles: number;
}

function mean(xs: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += xs[i] ?? 0;
  return to > from ? s / (to - from) : 0;
}

/**
 * The outlook for the `horizon` steps that follow the first `n` values. Without a full past cycle plus
 * `baseSteps` of history (or `minAgree` cycles), the outlook is the current level (persistence).
 */
export function seasonalOutlook(
  values: ArrayLike<number>,
  n: number,
  horizon: number,
  opts: OutlookOptions,
): Outlook {
  const B = Math.max(1, Math.min(opts.baseSteps, n));
  const level = mean(values, n - B, n);
  const P = opts.period;
  const cycles: number[] = [];
  if (P > horizon + opts.jitterSteps)
    for (let d = 1; d <= opts.maxCycles && n - d * P - opts.baseSteps - opts.jitterSteps >= 0; d++)
      cycles.push(n - d * P);
  const ratio: number[] = [];
  const expected: number[] = [];
  const k = Math.max(opts.minAgree, Math.ceil(opts.agreeShare * cycles.length));
  const rs: number[] = [];
  for (let j = 0; j < horizon; j++) {
    let r = 1;
    if (cycles.length >= k) {
      rs.length = 0;
      for (const at of cycles) {
        const base = mean(values, at - opts.baseSteps, at);
        let hi = 0;
        for (let s = -opts.jitterSteps; s <= opts.jitterSteps; s++)
          hi = Math.max(hi, values[at + j + s] ?? 0);
        rs.push(base > 0 ? hi / base : 1);
      }
      rs.sort((a, b) => b - a);
      r = rs[k - 1] ?? 1;
      if (Math.abs(r - 1) < opts.minChange) r = 1;
    }
    ratio.push(r);
    expected.push(level * r);
  }
  return { level, expected, ratio, cycles: cycles.length };
}
