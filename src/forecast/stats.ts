/**
 * Small numeric helpers shared by the models: mean, quantiles, a seeded RNG, least-squares slope.
 * Pure and allocation-light; every function takes plain arrays.
 */

/** Arithmetic mean of `a[from..to)`; 0 for an empty range. */
export function mean(a: ArrayLike<number>, from = 0, to = a.length): number {
  if (to <= from) return 0;
  let s = 0;
  for (let i = from; i < to; i++) s += a[i] ?? 0;
  return s / (to - from);
}

/** Quantile (type 7, linear interpolation) of an ascending-sorted array; NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = Math.min(Math.max(q, 0), 1) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] ?? 0;
  const b = sorted[hi] ?? 0;
  return a + (b - a) * (pos - lo);
}

/** Quantile of an unsorted array (copies, then sorts). */
export function quantile(a: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(a).sort();
  return quantileSorted(s, q);
}

export function median(a: ArrayLike<number>): number {
  return quantile(a, 0.5);
}

/** Mean absolute one-step difference of `a[from..to)`: the in-sample naive MAE that scales MASE. */
export function naiveMae(a: ArrayLike<number>, from = 0, to = a.length, lag = 1): number {
  let s = 0;
  let n = 0;
  for (let i = from + lag; i < to; i++) {
    s += Math.abs((a[i] ?? 0) - (a[i - lag] ?? 0));
    n++;
  }
  return n === 0 ? 0 : s / n;
}

/** Least-squares slope of y over x = 0..n-1. */
export function slope(y: ArrayLike<number>, from: number, to: number): number {
  const n = to - from;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const v = y[from + i] ?? 0;
    sx += i;
    sy += v;
    sxy += i * v;
    sxx += i * i;
  }
  const d = n * sxx - sx * sx;
  return d === 0 ? 0 : (n * sxy - sx * sy) / d;
}

/** A random number generator is a parameter (style §1): returns floats in [0, 1). */
export type Rng = () => number;

/** mulberry32: a small, fast, seeded PRNG. Same seed, same sequence. */
export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Whether every value in the array is >= 0 (a rate or a count, so forecasts are clamped at 0). */
export function nonNegative(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) < 0) return false;
  return true;
}
