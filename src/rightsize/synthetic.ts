/**
 * @module
 * Deterministic synthetic container traces for `vigil bench rightsize`: daily and weekly cycles, CPU
 * bursts, a nightly batch job, a memory leak with daily restarts, a slowly filling cache, a step change
 * and an idle workload. Same seed, same traces. The random number generator is a parameter.
 *
 * Original requests follow one stated rule (a careful human with hindsight): the trace's peak × 1.25,
 * rounded up to 0.25 core and 256 MiB. Real clusters are usually less careful (8–13 % CPU utilisation,
 * algorithms.md §7), so savings against these originals understate savings against typical ones.
 * Also: real-series adapters (`fromSingleSeries`) turn a one-metric series into a container trace.
 */
import * as fc from "../forecast/index.js";
import { DAY, HOUR, MiB, type UsageSample, type UsageTrace } from "./types.js";

export interface SyntheticOptions {
  readonly seed: number;
  readonly days: number;
  readonly stepSeconds: number;
  /** A Monday, 00:00 UTC. */
  readonly start: number;
}

export const DEFAULT_SYNTHETIC: SyntheticOptions = {
  seed: 1,
  days: 14,
  stepSeconds: 60,
  start: 1_700_438_400,
};

interface BurstState {
  burstLeft?: number;
  burstFactor?: number;
}

type Shape = (t: number, rng: fc.Rng, st: BurstState) => { cpu: number; mem: number };

/** Smooth daily shape: 0 at 04:00 UTC, 1 at 16:00 UTC. */
function daily(t: number): number {
  const h = (((t % DAY) + DAY) % DAY) / HOUR;
  return 0.5 - 0.5 * Math.cos((2 * Math.PI * (h - 4)) / 24);
}

function weekday(t: number, start: number): boolean {
  const d = Math.floor((t - start) / DAY) % 7;
  return d < 5;
}

function gauss(rng: fc.Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function shapes(o: SyntheticOptions): Readonly<Record<string, Shape>> {
  const total = o.days * DAY;
  return {
    "web-daily": (t, rng) => {
      const d = daily(t) * (weekday(t, o.start) ? 1 : 0.6);
      return {
        cpu: Math.max(0.01, (0.15 + 1.0 * d) * (1 + 0.08 * gauss(rng))),
        mem: (700 + 150 * d) * MiB * (1 + 0.01 * gauss(rng)),
      };
    },
    "bursty-api": (t, rng, st) => {
      // Bursts: about 3 an hour, 1–5 minutes long, 2–4× the base.
      if ((st.burstLeft ?? 0) <= 0 && rng() < (3 * o.stepSeconds) / HOUR) {
        st.burstLeft = 60 + Math.floor(rng() * 240);
        st.burstFactor = 2 + 2 * rng();
      }
      const inBurst = (st.burstLeft ?? 0) > 0;
      st.burstLeft = (st.burstLeft ?? 0) - o.stepSeconds;
      const base = 0.3 + 0.2 * daily(t);
      return {
        cpu: Math.max(0.01, base * (inBurst ? (st.burstFactor ?? 1) : 1) * (1 + 0.15 * gauss(rng))),
        mem: (420 + (inBurst ? 40 : 0)) * MiB * (1 + 0.02 * gauss(rng)),
      };
    },
    "leaky-worker": (t, rng) => {
      // Leaks about 25 MiB/h; the daily 03:00 deploy restarts it.
      const since = (((t - 3 * HOUR) % DAY) + DAY) % DAY;
      return {
        cpu: Math.max(0.01, 0.5 * (1 + 0.1 * gauss(rng))),
        mem: (500 + (25 * since) / HOUR) * MiB * (1 + 0.005 * gauss(rng)),
      };
    },
    "batch-nightly": (t, rng) => {
      const h = (((t % DAY) + DAY) % DAY) / HOUR;
      const job = h >= 2 && h < 3;
      return {
        cpu: Math.max(0.005, (job ? 1.6 : 0.04) * (1 + 0.1 * gauss(rng))),
        mem: (job ? 1400 : 380) * MiB * (1 + 0.02 * gauss(rng)),
      };
    },
    "weekly-backend": (t, rng) => {
      const wd = weekday(t, o.start);
      const d = daily(t);
      return {
        cpu: Math.max(0.01, (wd ? 0.3 + 1.5 * d : 0.15 + 0.2 * d) * (1 + 0.1 * gauss(rng))),
        mem: (wd ? 1500 + 300 * d : 1100) * MiB * (1 + 0.01 * gauss(rng)),
      };
    },
    "filling-cache": (t, rng) => {
      const age = (t - o.start) / total;
      return {
        cpu: Math.max(0.01, (0.2 + 0.4 * daily(t)) * (1 + 0.1 * gauss(rng))),
        mem: (300 + 900 * (1 - Math.exp(-4 * age))) * MiB * (1 + 0.005 * gauss(rng)),
      };
    },
    "step-change": (t, rng) => {
      const after = t - o.start > total * 0.6;
      const k = after ? 1.8 : 1;
      return {
        cpu: Math.max(0.01, k * (0.25 + 0.35 * daily(t)) * (1 + 0.1 * gauss(rng))),
        mem: k * 600 * MiB * (1 + 0.01 * gauss(rng)),
      };
    },
    idle: (_t, rng) => ({
      cpu: Math.max(0.0005, 0.002 * (1 + 0.3 * gauss(rng))),
      mem: 60 * MiB * (1 + 0.01 * gauss(rng)),
    }),
  };
}

export const SYNTHETIC_KINDS = Object.keys(shapes(DEFAULT_SYNTHETIC));

/** Peak × 1.25, rounded up to 0.25 core and 256 MiB: the stated "original request" rule. */
export function originalRequests(samples: readonly { cpu: number; mem: number }[]): {
  cpu: number;
  mem: number;
} {
  let pc = 0;
  let pm = 0;
  for (const s of samples) {
    pc = Math.max(pc, s.cpu);
    pm = Math.max(pm, s.mem);
  }
  return { cpu: Math.ceil((pc * 1.25) / 0.25) * 0.25, mem: Math.ceil((pm * 1.25) / (256 * MiB)) * 256 * MiB };
}

/** One trace per kind, named `<kind>-s<seed>`. */
export function syntheticTraces(rng: fc.Rng, o: SyntheticOptions = DEFAULT_SYNTHETIC): readonly UsageTrace[] {
  const out: UsageTrace[] = [];
  const n = Math.floor((o.days * DAY) / o.stepSeconds);
  for (const [kind, shape] of Object.entries(shapes(o))) {
    const st: BurstState = {};
    const raw: { t: number; cpu: number; mem: number }[] = [];
    for (let i = 0; i < n; i++) {
      const t = o.start + i * o.stepSeconds;
      const u = shape(t, rng, st);
      raw.push({ t, cpu: Math.round(u.cpu * 1e4) / 1e4, mem: Math.round(u.mem) });
    }
    const req = originalRequests(raw);
    out.push({
      name: `${kind}-s${o.seed}`,
      samples: raw.map((s) => ({ ...s, cpuRequest: req.cpu, memRequest: req.mem })),
    });
  }
  return out;
}

export interface SingleSeriesOptions {
  /** Cores per unit of the series value, or "median" to scale the median to `medianCores`. */
  readonly cpuPerUnit: number | "median";
  readonly medianCores: number;
  /** Memory model: base + span · EWMA(value / median, tau), clamped to [base, base + 3·span]. */
  readonly memBaseBytes: number;
  readonly memSpanBytes: number;
  readonly memTauSeconds: number;
}

export const SINGLE_SERIES_DEFAULTS: SingleSeriesOptions = {
  cpuPerUnit: "median",
  medianCores: 0.5,
  memBaseBytes: 256 * MiB,
  memSpanBytes: 512 * MiB,
  memTauSeconds: HOUR,
};

/**
 * A container trace from a one-metric series (Crane DSP test data, NAB CloudWatch CPU): CPU is the series,
 * scaled; memory is *modelled* from it (a smoothed copy on a base), because these data sets have no memory.
 * No original requests: such traces compare VPA and Vigil only.
 */
export function fromSingleSeries(
  name: string,
  series: readonly fc.Sample[],
  o: SingleSeriesOptions = SINGLE_SERIES_DEFAULTS,
): UsageTrace {
  const vals = series.map((s) => Math.max(0, s.v));
  const med = fc.median(vals);
  const unit = o.cpuPerUnit === "median" ? (med > 0 ? o.medianCores / med : 1) : o.cpuPerUnit;
  let ew: number | undefined;
  let prevT: number | undefined;
  const samples: UsageSample[] = series.map((s, i) => {
    const rel = med > 0 ? (vals[i] ?? 0) / med : 0;
    const dt = prevT === undefined ? 0 : s.t - prevT;
    prevT = s.t;
    ew = ew === undefined ? rel : ew + (1 - Math.exp(-dt / o.memTauSeconds)) * (rel - ew);
    const mem = o.memBaseBytes + o.memSpanBytes * Math.min(3, ew);
    return { t: s.t, cpu: Math.round((vals[i] ?? 0) * unit * 1e5) / 1e5, mem: Math.round(mem) };
  });
  return { name, samples };
}
