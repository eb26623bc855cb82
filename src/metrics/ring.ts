/**
 * @module
 * A compact, bounded series for one workload: three rings at falling resolution (15 s for an hour, 1 min
 * for a day, 5 min for eight days). Every sample lands in each tier's bucket (a running mean), so memory
 * is fixed (about 40 kB per series) however long Vigil runs. Pure: no IO, no clock.
 */
import type * as fc from "../forecast/index.js";

export interface TierSpec {
  readonly stepSeconds: number;
  readonly capacity: number;
}

/** 15 s × 1 h, 1 min × 1 d, 5 min × 8 d. */
export const DEFAULT_TIERS: readonly TierSpec[] = [
  { stepSeconds: 15, capacity: 240 },
  { stepSeconds: 60, capacity: 1440 },
  { stepSeconds: 300, capacity: 2304 },
];

interface Tier {
  readonly spec: TierSpec;
  /** Bucket number (floor(t / step)) held by each slot; -1 when empty. */
  readonly ids: Float64Array;
  readonly sums: Float64Array;
  readonly counts: Uint32Array;
  /** The newest bucket number written, or -1. */
  last: number;
}

/** What a checkpoint holds per tier: the newest bucket and the means before it ("" for an empty bucket). */
export interface TierCheckpoint {
  readonly stepSeconds: number;
  readonly lastBucket: number;
  /** Comma-separated means, oldest first, ending at `lastBucket`. */
  readonly values: string;
}

export interface SeriesCheckpoint {
  readonly version: 1;
  readonly tiers: readonly TierCheckpoint[];
}

function newTier(spec: TierSpec): Tier {
  return {
    spec,
    ids: new Float64Array(spec.capacity).fill(-1),
    sums: new Float64Array(spec.capacity),
    counts: new Uint32Array(spec.capacity),
    last: -1,
  };
}

function put(tier: Tier, b: number, sum: number, count: number): void {
  const slot = b % tier.spec.capacity;
  if (tier.ids[slot] !== b) {
    tier.ids[slot] = b;
    tier.sums[slot] = 0;
    tier.counts[slot] = 0;
  }
  tier.sums[slot] = (tier.sums[slot] ?? 0) + sum;
  tier.counts[slot] = (tier.counts[slot] ?? 0) + count;
  if (b > tier.last) tier.last = b;
}

function meanAt(tier: Tier, b: number): number | undefined {
  const slot = b % tier.spec.capacity;
  if (tier.ids[slot] !== b) return undefined;
  const c = tier.counts[slot] ?? 0;
  return c === 0 ? undefined : (tier.sums[slot] ?? 0) / c;
}

/** Formats a mean with 5 significant digits (enough for CPU in millicores or request rates). */
function fmt(v: number): string {
  return Number(v.toPrecision(5)).toString();
}

export class TieredSeries {
  readonly #tiers: Tier[];

  constructor(tiers: readonly TierSpec[] = DEFAULT_TIERS) {
    this.#tiers = tiers.map(newTier);
  }

  /** Adds one observation (`t` in Unix seconds). Non-finite values are refused (returns false). */
  add(t: number, v: number): boolean {
    if (!Number.isFinite(t) || !Number.isFinite(v) || t < 0) return false;
    for (const tier of this.#tiers) {
      const b = Math.floor(t / tier.spec.stepSeconds);
      // A sample older than the ring's window would overwrite newer data: drop it for this tier.
      if (tier.last >= 0 && b <= tier.last - tier.spec.capacity) continue;
      put(tier, b, v, 1);
    }
    return true;
  }

  /** Unix seconds of the newest sample's bucket, or undefined when empty. */
  get lastTime(): number | undefined {
    const t = this.#tiers[0];
    return t === undefined || t.last < 0 ? undefined : t.last * t.spec.stepSeconds;
  }

  /** Number of non-empty buckets over all tiers. */
  get size(): number {
    let n = 0;
    for (const tier of this.#tiers) for (const c of tier.counts) if (c > 0) n++;
    return n;
  }

  /**
   * The history as samples, oldest first: each tier contributes the buckets older than what the next
   * finer tier covers, so the result is coarse far back and fine near now. Timestamps are bucket starts.
   */
  samples(since = 0): fc.Sample[] {
    const out: fc.Sample[] = [];
    let until = Number.POSITIVE_INFINITY;
    const parts: fc.Sample[][] = [];
    for (const tier of this.#tiers) {
      const part: fc.Sample[] = [];
      if (tier.last >= 0) {
        const step = tier.spec.stepSeconds;
        const first = tier.last - tier.spec.capacity + 1;
        let oldest = Number.POSITIVE_INFINITY;
        for (let b = Math.max(0, first); b <= tier.last; b++) {
          const m = meanAt(tier, b);
          if (m === undefined) continue;
          oldest = Math.min(oldest, b * step);
          if (b * step >= until || b * step < since) continue;
          part.push({ t: b * step, v: m });
        }
        if (Number.isFinite(oldest)) until = Math.min(until, oldest);
      }
      parts.push(part);
    }
    for (let i = parts.length - 1; i >= 0; i--) out.push(...(parts[i] ?? []));
    return out;
  }

  checkpoint(): SeriesCheckpoint {
    return {
      version: 1,
      tiers: this.#tiers.map((tier) => {
        if (tier.last < 0) return { stepSeconds: tier.spec.stepSeconds, lastBucket: -1, values: "" };
        let first = tier.last - tier.spec.capacity + 1;
        while (first < tier.last && meanAt(tier, first) === undefined) first++;
        const vals: string[] = [];
        for (let b = Math.max(0, first); b <= tier.last; b++) {
          const m = meanAt(tier, b);
          vals.push(m === undefined ? "" : fmt(m));
        }
        return { stepSeconds: tier.spec.stepSeconds, lastBucket: tier.last, values: vals.join(",") };
      }),
    };
  }

  /** Merges a checkpoint in; tiers are matched by step, unknown steps and malformed values are skipped. */
  restore(cp: SeriesCheckpoint): { restored: number; skipped: number } {
    let restored = 0;
    let skipped = 0;
    for (const t of cp.tiers) {
      const tier = this.#tiers.find((x) => x.spec.stepSeconds === t.stepSeconds);
      if (tier === undefined || t.lastBucket < 0 || t.values === "") continue;
      const vals = t.values.split(",");
      const first = t.lastBucket - vals.length + 1;
      const from = Math.max(0, vals.length - tier.spec.capacity);
      for (let i = from; i < vals.length; i++) {
        const s = vals[i] ?? "";
        if (s === "") continue;
        const v = Number(s);
        if (!Number.isFinite(v)) {
          skipped++;
          continue;
        }
        const b = first + i;
        if (tier.last >= 0 && b <= tier.last - tier.spec.capacity) continue; // older than the ring holds
        if (meanAt(tier, b) !== undefined) continue; // live data wins
        put(tier, b, v, 1);
        restored++;
      }
    }
    return { restored, skipped };
  }
}
