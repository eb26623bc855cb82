/**
 * Pattern novelty, in the spirit of adaptive resonance (ART) and NAB's contextual detectors: the last `length`
 * values form a pattern; a bounded memory of prototype patterns remembers the shapes seen so far. A pattern
 * farther than the vigilance `rho` (a share of the value range seen so far) from every prototype is novel: it
 * scores by its distance and becomes a prototype itself (replacing the least recently matched one when the memory
 * is full). A familiar pattern scores 0 and pulls its nearest prototype towards itself.
 *
 * Prototypes are kept in the series' own units and distances are divided by the current range, so a range that
 * grows does not invalidate what was learnt. The vigilance adapts to the series: a novel pattern whose distance is
 * not above `typicalFactor` times the running mean distance (`typicalRate`) scores `typicalDamp` times less. O(`prototypes` × `length`) per point, bounded; plain-JSON state.
 */
import type { NoveltyConfig, Point } from "./types.js";

export interface NoveltyState {
  /** Points seen. */
  n: number;
  min: number;
  max: number;
  /** The last `length` values, oldest first. */
  recent: number[];
  /** Prototype patterns (each `length` values). */
  protos: number[][];
  /** When each prototype last matched or was created (`n`), for least-recently-used replacement. */
  used: number[];
  /** Running mean of the distance to the nearest prototype (share of the range): the series' usual novelty. */
  typical: number;
}

export function noveltyInit(): NoveltyState {
  return { n: 0, min: 0, max: 0, recent: [], protos: [], used: [], typical: 0 };
}

/** Mean absolute difference between a prototype and the recent pattern. */
function distance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < b.length; j++) s += Math.abs((a[j] ?? 0) - (b[j] ?? 0));
  return s / Math.max(1, b.length);
}

/**
 * Feeds one point; returns its novelty in [0,1]: 0 when the pattern matches a prototype, else the distance to
 * the nearest prototype as a share of the range, divided by `scale` and capped at 1 (damped when the distance is
 * not unusual for this series). Mutates `s`.
 */
export function noveltyStep(s: NoveltyState, cfg: NoveltyConfig, p: Point): number {
  if (!Number.isFinite(p.v)) return 0;
  s.n++;
  if (s.n === 1) {
    s.min = p.v;
    s.max = p.v;
  }
  s.min = Math.min(s.min, p.v);
  s.max = Math.max(s.max, p.v);
  s.recent.push(p.v);
  if (s.recent.length > cfg.length) s.recent.shift();
  const typical = s.typical;
  const learnTypical = (d: number): void => {
    s.typical += Math.max(cfg.typicalRate, 1 / s.n) * (d - s.typical);
  };
  if (s.recent.length < cfg.length) {
    learnTypical(0);
    return 0;
  }
  const span = s.max - s.min;
  let best = -1;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let k = 0; k < s.protos.length; k++) {
    const d = distance(s.protos[k] ?? [], s.recent);
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  }
  const d = span > 0 ? bestDistance / span : 0;
  learnTypical(best >= 0 ? d : 0);
  if (best >= 0 && d <= cfg.rho) {
    const proto = s.protos[best] ?? [];
    for (let j = 0; j < proto.length; j++)
      proto[j] = (proto[j] ?? 0) + cfg.learnRate * ((s.recent[j] ?? 0) - (proto[j] ?? 0));
    s.used[best] = s.n;
    return 0;
  }
  const fresh = [...s.recent];
  if (s.protos.length < cfg.prototypes) {
    s.protos.push(fresh);
    s.used.push(s.n);
  } else {
    let oldest = 0;
    for (let k = 1; k < s.used.length; k++) if ((s.used[k] ?? 0) < (s.used[oldest] ?? 0)) oldest = k;
    s.protos[oldest] = fresh;
    s.used[oldest] = s.n;
  }
  if (best < 0) return 0;
  const score = Math.min(1, d / cfg.scale);
  // Adaptive vigilance: in a series whose patterns are usually far from each other, a novel pattern that is not
  // clearly farther than usual counts for less.
  return cfg.typicalFactor > 0 && d <= cfg.typicalFactor * typical ? score * cfg.typicalDamp : score;
}
