/**
 * A robust quantile model for upper bounds: per phase of the season, the q-quantile of the last few
 * seasons (a small phase window pools neighbours), shifted by the recent median deviation from the
 * seasonal median. Without a season, the q-quantile of the last hour.
 */
import { clampOut, lastValue, type FitContext, type Fitted, type Fitter } from "./model.js";
import { median, quantileSorted } from "./stats.js";

const MAX_CYCLES = 7;

export interface SeasonalQuantiles {
  readonly median: Float64Array;
  readonly upper: Float64Array;
}

/** Phases per group: long seasons at fine steps are profiled in at most ~2000 phase groups. */
export function phaseGroup(p: number): number {
  return Math.max(1, Math.ceil(p / 2016));
}

/**
 * Per-phase-group median and q-quantile over the last seasons of values[0..end). Phase t mod p falls
 * in group floor((t mod p) / g); each group pools its neighbours within about 5 minutes.
 */
export function seasonalQuantiles(
  values: ArrayLike<number>,
  end: number,
  p: number,
  step: number,
  q: number,
): SeasonalQuantiles {
  const cycles = Math.min(MAX_CYCLES, Math.floor(end / p));
  const g = phaseGroup(p);
  const ng = Math.ceil(p / g);
  const wg = Math.max(0, Math.round(300 / (step * g)));
  const med = new Float64Array(ng);
  const up = new Float64Array(ng);
  const from = end - cycles * p;
  // Bucket the window's values by phase group once.
  const byGroup: number[][] = Array.from({ length: ng }, () => []);
  for (let t = from; t < end; t++) byGroup[Math.floor((t % p) / g)]?.push(values[t] ?? 0);
  for (let j = 0; j < ng; j++) {
    const pool: number[] = [];
    for (let d = -wg; d <= wg; d++) for (const v of byGroup[(((j + d) % ng) + ng) % ng] ?? []) pool.push(v);
    const s = Float64Array.from(pool).sort();
    med[j] = quantileSorted(s, 0.5);
    up[j] = quantileSorted(s, q);
  }
  return { median: med, upper: up };
}

export function quantileModel(q: number): Fitter {
  return (values, end, ctx: FitContext): Fitted => {
    const p = ctx.period;
    const recent = Math.max(3, Math.round(1800 / ctx.step));
    if (p === undefined || end < p) {
      const w = Math.max(3, Math.round(3600 / ctx.step));
      return {
        label: `quantile:flat`,
        forecastAt(v, origin, h) {
          if (origin < 1) return lastValue(v, origin, h);
          const s = Float64Array.from(
            { length: Math.min(w, origin) },
            (_, i) => v[origin - 1 - i] ?? 0,
          ).sort();
          return clampOut(new Float64Array(h).fill(quantileSorted(s, q)), ctx);
        },
      };
    }
    const sq = seasonalQuantiles(values, end, p, ctx.step, q);
    const g = phaseGroup(p);
    return {
      label: "quantile",
      forecastAt(v, origin, h) {
        const m = Math.min(recent, origin);
        const dev = Float64Array.from({ length: m }, (_, i) => {
          const t = origin - 1 - i;
          return (v[t] ?? 0) - (sq.median[Math.floor((t % p) / g)] ?? 0);
        });
        const shift = m === 0 ? 0 : median(dev);
        const out = new Float64Array(h);
        for (let k = 0; k < h; k++) out[k] = (sq.upper[Math.floor(((origin + k) % p) / g)] ?? 0) + shift;
        return clampOut(out, ctx);
      },
    };
  };
}
