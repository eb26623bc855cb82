/**
 * @module
 * The VPA recommender's histograms, reimplemented faithfully (../shared/docs/algorithms.md §2;
 * kubernetes/autoscaler:vertical-pod-autoscaler/pkg/recommender/util/{histogram,histogram_options,decaying_histogram}.go):
 * exponential buckets, weights below epsilon count as empty, Percentile returns the *end* of the bucket
 * where the cumulative weight first reaches p·total, and a decaying histogram weights a sample by
 * 2^((t − reference) / halfLife), renormalising when the exponent passes 100.
 *
 * The state is plain data that the owner mutates in place (as VPA does): a replay adds millions of samples.
 */

/** Exponential bucketing: bucket n ≥ 1 starts at first · (ratio^n − 1) / (ratio − 1). */
export interface HistogramOptions {
  readonly numBuckets: number;
  readonly firstBucketSize: number;
  readonly ratio: number;
  readonly epsilon: number;
}

/** NewExponentialHistogramOptions: numBuckets = ceil(log_ratio(max·(ratio−1)/first + 1)) + 1. */
export function exponentialOptions(
  maxValue: number,
  firstBucketSize: number,
  ratio: number,
  epsilon: number,
): HistogramOptions {
  const numBuckets =
    Math.ceil(Math.log((maxValue * (ratio - 1)) / firstBucketSize + 1) / Math.log(ratio)) + 1;
  return { numBuckets, firstBucketSize, ratio, epsilon };
}

/** The bucket a value falls in; values beyond the range go to the first or last bucket. */
export function findBucket(o: HistogramOptions, value: number): number {
  if (value < o.firstBucketSize) return 0;
  const b = Math.trunc(Math.log((value * (o.ratio - 1)) / o.firstBucketSize + 1) / Math.log(o.ratio));
  return b >= o.numBuckets ? o.numBuckets - 1 : b;
}

export function bucketStart(o: HistogramOptions, bucket: number): number {
  if (bucket === 0) return 0;
  return (o.firstBucketSize * (o.ratio ** bucket - 1)) / (o.ratio - 1);
}

export interface Histogram {
  readonly options: HistogramOptions;
  readonly weights: number[];
  total: number;
  /** First non-empty bucket, or the last bucket when empty. */
  minBucket: number;
  /** Last non-empty bucket, or 0 when empty. */
  maxBucket: number;
}

export function newHistogram(options: HistogramOptions): Histogram {
  return {
    options,
    weights: new Array<number>(options.numBuckets).fill(0),
    total: 0,
    minBucket: options.numBuckets - 1,
    maxBucket: 0,
  };
}

export function addSample(h: Histogram, value: number, weight: number): void {
  const b = findBucket(h.options, value);
  h.weights[b] = (h.weights[b] ?? 0) + weight;
  h.total += weight;
  if (b < h.minBucket && (h.weights[b] ?? 0) >= h.options.epsilon) h.minBucket = b;
  if (b > h.maxBucket && (h.weights[b] ?? 0) >= h.options.epsilon) h.maxBucket = b;
}

export function subtractSample(h: Histogram, value: number, weight: number): void {
  const b = findBucket(h.options, value);
  const w = h.weights[b] ?? 0;
  const sub = weight > w - h.options.epsilon ? w : weight;
  h.total -= sub;
  h.weights[b] = w - sub;
  updateMinMax(h);
}

function updateMinMax(h: Histogram): void {
  const last = h.options.numBuckets - 1;
  while ((h.weights[h.minBucket] ?? 0) < h.options.epsilon && h.minBucket < last) h.minBucket++;
  while ((h.weights[h.maxBucket] ?? 0) < h.options.epsilon && h.maxBucket > 0) h.maxBucket--;
}

export function isEmpty(h: Histogram): boolean {
  return (h.weights[h.minBucket] ?? 0) < h.options.epsilon;
}

/** The end of the first bucket whose cumulative weight reaches p · total (up to 5% above the true value). */
export function percentile(h: Histogram, p: number): number {
  if (isEmpty(h)) return 0;
  const threshold = p * h.total;
  let sum = 0;
  let b = h.minBucket;
  for (; b < h.maxBucket; b++) {
    sum += h.weights[b] ?? 0;
    if (sum >= threshold) break;
  }
  return b < h.options.numBuckets - 1 ? bucketStart(h.options, b + 1) : bucketStart(h.options, b);
}

function scale(h: Histogram, factor: number): void {
  for (let b = h.minBucket; b <= h.maxBucket; b++) h.weights[b] = (h.weights[b] ?? 0) * factor;
  h.total *= factor;
  updateMinMax(h);
}

/** When the decay exponent exceeds this, the reference time moves forward (VPA's maxDecayExponent). */
const MAX_DECAY_EXPONENT = 100;

export interface DecayingHistogram {
  readonly h: Histogram;
  readonly halfLifeSeconds: number;
  /** Always a multiple of the half-life; undefined before the first sample (Go's zero time). */
  reference: number | undefined;
}

export function newDecayingHistogram(options: HistogramOptions, halfLifeSeconds: number): DecayingHistogram {
  return { h: newHistogram(options), halfLifeSeconds, reference: undefined };
}

function shiftReference(d: DecayingHistogram, t: number): void {
  const next = Math.round(t / d.halfLifeSeconds) * d.halfLifeSeconds;
  if (d.reference !== undefined) {
    const exponent = Math.floor((d.reference - next) / d.halfLifeSeconds + 0.5);
    scale(d.h, 2 ** exponent);
  }
  d.reference = next;
}

function decayFactor(d: DecayingHistogram, t: number): number {
  if (d.reference === undefined || t > d.reference + d.halfLifeSeconds * MAX_DECAY_EXPONENT)
    shiftReference(d, t);
  return 2 ** ((t - (d.reference ?? t)) / d.halfLifeSeconds);
}

export function addDecaying(d: DecayingHistogram, value: number, weight: number, t: number): void {
  addSample(d.h, value, weight * decayFactor(d, t));
}

export function subtractDecaying(d: DecayingHistogram, value: number, weight: number, t: number): void {
  subtractSample(d.h, value, weight * decayFactor(d, t));
}
