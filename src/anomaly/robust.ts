/**
 * Streaming robust statistics in O(1) time and memory: an exponentially weighted median and MAD tracked by
 * stochastic approximation, and the Gaussian tail score that turns a robust z into a value in [0,1].
 */

/** A robust location/scale estimate. Plain JSON; `step` mutates it in place. */
export interface RobustStat {
  /** Observations seen (saturates; only used for warm-up). */
  n: number;
  /** Running median. */
  med: number;
  /** Running median absolute deviation from `med`. */
  mad: number;
}

export function robustStat(): RobustStat {
  return { n: 0, med: 0, mad: 0 };
}

const MAD_TO_SIGMA = 1.4826;
const WARMUP = 8;

/**
 * Feeds one value. For the first few values the estimate is a plain running mean and mean absolute deviation;
 * then the median moves by a step proportional to the current MAD towards the value (a Huber-type update
 * clipped at `clip` MADs) and the MAD moves multiplicatively towards the median absolute residual.
 * `rate` is the weight of a new value, about 1 / (memory in points).
 */
export function updateRobust(s: RobustStat, x: number, rate: number, clip = 3): void {
  if (s.n < WARMUP) {
    s.n++;
    const r = x - s.med;
    s.med += r / s.n;
    s.mad += (Math.abs(x - s.med) - s.mad) / s.n;
    return;
  }
  const r = x - s.med;
  const scale = s.mad > 0 ? s.mad : Math.abs(r);
  const c = clip * scale;
  s.med += rate * (r > c ? c : r < -c ? -c : r);
  const a = Math.abs(r);
  if (s.mad <= 0) s.mad = rate * a;
  else s.mad *= a > s.mad ? 1 + rate : 1 / (1 + rate);
}

/** Robust z of `x`: distance from the median in units of sigma (1.4826 MAD), with a floor on the scale. */
export function robustZ(s: RobustStat, x: number, floor: number): number {
  const sigma = Math.max(MAD_TO_SIGMA * s.mad, floor);
  return Math.abs(x - s.med) / sigma;
}

/** log10 of the two-sided Gaussian tail probability 2·Q(z), accurate for large z. */
export function log10Tail(z: number): number {
  const a = Math.abs(z);
  if (a < 5) return Math.log10(Math.max(erfc(a / Math.SQRT2), 1e-300));
  // Asymptotic: 2Q(z) ≈ 2·φ(z)/z · (1 - 1/z² + 3/z⁴)
  const ln =
    -0.5 * a * a - Math.log(a) + Math.log(2 / Math.sqrt(2 * Math.PI)) + Math.log1p(-1 / (a * a) + 3 / a ** 4);
  return ln / Math.LN10;
}

/**
 * Maps a z to [0,1) without saturating: with `L = -log10(2Q(z))` decades of surprise, the score is
 * `L / (L + decades)`, so 0.5 means a two-sided tail of 10^-decades and larger z always score higher.
 */
export function tailScore(z: number, decades = 10): number {
  if (!(z > 0)) return 0;
  const l = Math.max(0, -log10Tail(z));
  return l / (l + decades);
}

/** Complementary error function (Numerical Recipes erfcc, relative error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
