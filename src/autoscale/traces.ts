/**
 * Deterministic synthetic request-rate traces: a daily cycle (with a weekday/weekend factor), noise,
 * a recurring daily spike (a scheduled job or a campaign) and random sudden spikes. Same seed, same trace.
 */
import { seededRng } from "../forecast/index.js";

export interface TraceSpec {
  readonly seed: number;
  readonly days: number;
  readonly stepSeconds: number;
  /** Mean requests per second at the daily trough and peak. */
  readonly base: number;
  readonly peak: number;
  /** Relative noise (standard deviation / level). */
  readonly noise: number;
  /** A spike at the same time every day (seconds after midnight), or undefined. */
  readonly dailySpikeAt: number | undefined;
  /** Random spikes per day. */
  readonly randomSpikesPerDay: number;
  /** Spike height as a multiple of the current level, and duration in seconds. */
  readonly spikeFactor: number;
  readonly spikeSeconds: number;
  readonly start: number;
}

export const DEFAULT_TRACE: TraceSpec = {
  seed: 1,
  days: 8,
  stepSeconds: 60,
  base: 400,
  peak: 2000,
  noise: 0.05,
  dailySpikeAt: 9 * 3600,
  randomSpikesPerDay: 1,
  spikeFactor: 3,
  spikeSeconds: 15 * 60,
  start: 1_700_006_400, // a Wednesday, 00:00 UTC
};

export interface Trace {
  readonly start: number;
  readonly step: number;
  /** Requests per interval (the CSV's `value`). */
  readonly values: readonly number[];
  /** [start, end) in seconds of every spike. */
  readonly spikes: readonly (readonly [number, number])[];
  /** Per spike: the recurring daily one or a random one. */
  readonly spikeKinds: readonly ("daily" | "random")[];
}

/** Box-Muller standard normal from a uniform RNG. */
function gauss(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

export function syntheticTrace(spec: Partial<TraceSpec> = {}): Trace {
  const s = { ...DEFAULT_TRACE, ...spec };
  const rng = seededRng(s.seed);
  const n = Math.round((s.days * 86_400) / s.stepSeconds);
  const spikes: [number, number][] = [];
  const spikeKinds: ("daily" | "random")[] = [];
  for (let d = 0; d < s.days; d++) {
    const day0 = s.start + d * 86_400;
    if (s.dailySpikeAt !== undefined) {
      spikes.push([day0 + s.dailySpikeAt, day0 + s.dailySpikeAt + s.spikeSeconds]);
      spikeKinds.push("daily");
    }
    for (let i = 0; i < s.randomSpikesPerDay; i++) {
      const at = day0 + Math.floor(rng() * (86_400 - s.spikeSeconds));
      spikes.push([at, at + s.spikeSeconds]);
      spikeKinds.push("random");
    }
  }
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = s.start + i * s.stepSeconds;
    const sec = (t - s.start) % 86_400;
    const dow = Math.floor((t - s.start) / 86_400 + 3) % 7; // 0 = Sunday for the default start
    const weekend = dow === 0 || dow === 6 ? 0.7 : 1;
    // Daily cycle: trough at 04:00, peak at 16:00.
    const phase = (2 * Math.PI * (sec - 4 * 3600)) / 86_400;
    let level = (s.base + ((s.peak - s.base) * (1 - Math.cos(phase))) / 2) * weekend;
    for (const [a, b] of spikes) if (t >= a && t < b) level *= s.spikeFactor;
    const v = Math.max(0, level * (1 + s.noise * gauss(rng)));
    values.push(Math.round(v * s.stepSeconds));
  }
  return { start: s.start, step: s.stepSeconds, values, spikes, spikeKinds };
}

/** The trace's spikes as labelled windows for `simulate` ("daily" first, so it wins where they overlap). */
export function spikeWindows(tr: Trace): { start: number; end: number; label: string }[] {
  const out = tr.spikes.map(([start, end], i) => ({ start, end, label: tr.spikeKinds[i] ?? "spike" }));
  return [...out.filter((w) => w.label === "daily"), ...out.filter((w) => w.label !== "daily")];
}
