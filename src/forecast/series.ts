/**
 * Input hygiene for metric series: validation (NaN/Inf, order), counter-to-rate conversion with reset
 * handling, and resampling onto a regular grid with gap filling. Everything downstream sees a regular series.
 */

/** One observation: `t` in Unix seconds, `v` the value. */
export interface Sample {
  readonly t: number;
  readonly v: number;
}

/** Evenly spaced values: value i is at `start + i * step` seconds. */
export interface RegularSeries {
  readonly start: number;
  readonly step: number;
  readonly values: readonly number[];
}

export type InvalidReason = "empty" | "nonFinite" | "unsorted" | "duplicateTimestamp" | "badStep";

/** Why a series was refused; `index` points at the offending sample. */
export interface InvalidInput {
  readonly kind: "invalidInput";
  readonly reason: InvalidReason;
  readonly index: number;
  readonly message: string;
}

export interface PrepareOptions {
  /** Grid step in seconds; default: the median gap between samples. */
  readonly stepSeconds?: number;
  /** Gaps longer than this drop all data before them (Crane does the same at 1 h). Default 3600 s. */
  readonly maxGapSeconds?: number;
  /** Repeated timestamps (e.g. a DST shift in local-time exports): refuse them (default) or average them. */
  readonly duplicates?: "error" | "average";
  /** The series is a monotonic counter: convert to a per-second rate, treating any decrease as a reset. */
  readonly counter?: boolean;
}

export interface Prepared {
  readonly kind: "ok";
  readonly series: RegularSeries;
  /** Grid points filled by linear interpolation. */
  readonly filled: number;
  /** Samples dropped because a longer gap followed them. */
  readonly droppedBeforeGap: number;
  /** Counter resets seen (counter mode only). */
  readonly resets: number;
}

/** Checks that samples are finite and strictly increasing in time (non-decreasing with `allowDuplicates`). */
export function validateSamples(
  samples: readonly Sample[],
  allowDuplicates = false,
): InvalidInput | undefined {
  if (samples.length === 0) return invalid("empty", 0, "the series has no samples");
  let prev = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    if (s === undefined) continue;
    if (!Number.isFinite(s.t) || !Number.isFinite(s.v)) {
      return invalid(
        "nonFinite",
        i,
        `sample ${i} is not a finite number (t=${String(s.t)}, v=${String(s.v)})`,
      );
    }
    if (s.t === prev && !allowDuplicates)
      return invalid("duplicateTimestamp", i, `sample ${i} repeats timestamp ${s.t}`);
    if (s.t < prev) return invalid("unsorted", i, `sample ${i} (t=${s.t}) is earlier than the one before it`);
    prev = s.t;
  }
  return undefined;
}

function invalid(reason: InvalidReason, index: number, message: string): InvalidInput {
  return { kind: "invalidInput", reason, index, message };
}

/** Counter to rate: per-second increase between samples; a decrease is a reset (the new value is the increase). */
export function counterToRate(samples: readonly Sample[]): { samples: Sample[]; resets: number } {
  const out: Sample[] = [];
  let resets = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    if (a === undefined || b === undefined) continue;
    let d = b.v - a.v;
    if (d < 0) {
      resets++;
      d = b.v;
    }
    out.push({ t: b.t, v: d / (b.t - a.t) });
  }
  return { samples: out, resets };
}

function medianGap(samples: readonly Sample[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < samples.length; i++) gaps.push((samples[i]?.t ?? 0) - (samples[i - 1]?.t ?? 0));
  gaps.sort((x, y) => x - y);
  return gaps[Math.floor((gaps.length - 1) / 2)] ?? 0;
}

/** Validates, converts counters, drops data before long gaps and resamples onto a regular grid. */
export function prepareSeries(
  samples: readonly Sample[],
  opts: PrepareOptions = {},
): Prepared | InvalidInput {
  const bad = validateSamples(samples, opts.duplicates === "average");
  if (bad !== undefined) return bad;
  let input: readonly Sample[] = samples;
  let resets = 0;
  if (opts.counter === true) {
    const r = counterToRate(samples);
    input = r.samples;
    resets = r.resets;
    if (input.length === 0) return invalid("empty", 0, "a counter needs at least two samples");
  }
  const gap0 = input.length > 1 ? medianGap(input) : 60;
  const maxGap = Math.max(opts.maxGapSeconds ?? 3600, opts.stepSeconds ?? gap0);
  // Keep only data after the last gap longer than maxGap, then infer the step from what is kept.
  let first = 0;
  for (let i = 1; i < input.length; i++) {
    if ((input[i]?.t ?? 0) - (input[i - 1]?.t ?? 0) > maxGap) first = i;
  }
  const kept = input.slice(first);
  const gap = kept.length > 1 ? medianGap(kept) : gap0;
  const step = opts.stepSeconds ?? (gap > 0 ? gap : 60);
  if (!(step > 0) || !Number.isFinite(step))
    return invalid("badStep", 0, `cannot infer a positive step (${step})`);
  const t0 = kept[0]?.t ?? 0;
  const last = kept[kept.length - 1]?.t ?? t0;
  const n = Math.round((last - t0) / step) + 1;
  const sum = new Float64Array(n);
  const cnt = new Uint32Array(n);
  for (const s of kept) {
    const i = Math.min(n - 1, Math.max(0, Math.round((s.t - t0) / step)));
    sum[i] = (sum[i] ?? 0) + s.v;
    cnt[i] = (cnt[i] ?? 0) + 1;
  }
  const values = new Array<number>(n);
  let filled = 0;
  let prevIdx = -1;
  for (let i = 0; i < n; i++) {
    const c = cnt[i] ?? 0;
    if (c === 0) continue;
    const v = (sum[i] ?? 0) / c;
    values[i] = v;
    if (prevIdx >= 0 && i - prevIdx > 1) {
      const pv = values[prevIdx] ?? v;
      for (let j = prevIdx + 1; j < i; j++) {
        values[j] = pv + ((v - pv) * (j - prevIdx)) / (i - prevIdx);
        filled++;
      }
    }
    prevIdx = i;
  }
  return {
    kind: "ok",
    series: { start: t0, step, values },
    filled,
    droppedBeforeGap: first,
    resets,
  };
}
