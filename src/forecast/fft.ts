/**
 * Discrete Fourier transforms: an in-place radix-2 FFT, Bluestein's algorithm for any length
 * (so a window of whole days keeps its exact frequency grid), and the power spectrum.
 */

function isPow2(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

/** In-place iterative radix-2 FFT. `inverse` computes the unscaled inverse. Length must be a power of 2. */
export function fftPow2(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i] ?? 0;
      re[i] = re[j] ?? 0;
      re[j] = tr;
      const ti = im[i] ?? 0;
      im[i] = im[j] ?? 0;
      im[j] = ti;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (sign * 2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    const half = len >> 1;
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < half; k++) {
        const a = i + k;
        const b = a + half;
        const br = re[b] ?? 0;
        const bi = im[b] ?? 0;
        const xr = br * cr - bi * ci;
        const xi = br * ci + bi * cr;
        const ar = re[a] ?? 0;
        const ai = im[a] ?? 0;
        re[b] = ar - xr;
        im[b] = ai - xi;
        re[a] = ar + xr;
        im[a] = ai + xi;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = ncr;
      }
    }
  }
}

/** A reusable transform of one fixed length (Bluestein's chirp-z when the length is not a power of 2). */
export interface Dft {
  readonly n: number;
  /** In-place forward transform (unscaled). */
  forward(re: Float64Array, im: Float64Array): void;
}

export function planDft(n: number): Dft {
  if (isPow2(n))
    return {
      n,
      forward: (re, im) => {
        fftPow2(re, im);
      },
    };
  const m = nextPow2(2 * n - 1);
  const cr = new Float64Array(n);
  const ci = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const a = (Math.PI * ((k * k) % (2 * n))) / n;
    cr[k] = Math.cos(a);
    ci[k] = Math.sin(a);
  }
  // FFT of the conjugate chirp b_k = exp(+iπk²/n), wrapped.
  const br = new Float64Array(m);
  const bi = new Float64Array(m);
  for (let k = 0; k < n; k++) {
    br[k] = cr[k] ?? 0;
    bi[k] = ci[k] ?? 0;
    if (k > 0) {
      br[m - k] = cr[k] ?? 0;
      bi[m - k] = ci[k] ?? 0;
    }
  }
  fftPow2(br, bi);
  const ar = new Float64Array(m);
  const ai = new Float64Array(m);
  return {
    n,
    forward(re, im) {
      ar.fill(0);
      ai.fill(0);
      for (let k = 0; k < n; k++) {
        // a_k = x_k * exp(-iπk²/n)
        const xr = re[k] ?? 0;
        const xi = im[k] ?? 0;
        const c = cr[k] ?? 0;
        const s = ci[k] ?? 0;
        ar[k] = xr * c + xi * s;
        ai[k] = xi * c - xr * s;
      }
      fftPow2(ar, ai);
      for (let k = 0; k < m; k++) {
        const xr = ar[k] ?? 0;
        const xi = ai[k] ?? 0;
        const yr = br[k] ?? 0;
        const yi = bi[k] ?? 0;
        ar[k] = xr * yr - xi * yi;
        ai[k] = xr * yi + xi * yr;
      }
      fftPow2(ar, ai, true);
      for (let k = 0; k < n; k++) {
        const xr = (ar[k] ?? 0) / m;
        const xi = (ai[k] ?? 0) / m;
        const c = cr[k] ?? 0;
        const s = ci[k] ?? 0;
        re[k] = xr * c + xi * s;
        im[k] = xi * c - xr * s;
      }
    },
  };
}

/** |X_k| for k = 0..n-1 of a real signal. */
export function magnitudes(x: ArrayLike<number>, plan: Dft = planDft(x.length)): Float64Array {
  const n = plan.n;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) re[i] = x[i] ?? 0;
  plan.forward(re, im);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = Math.hypot(re[k] ?? 0, im[k] ?? 0);
  return out;
}

/** Real-signal DFT bins 0..maxBin (inclusive): X_k = Σ x_t e^{-2πikt/n}, by direct summation with rotation recurrences. */
export function lowBins(x: ArrayLike<number>, maxBin: number): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  const k1 = Math.min(maxBin, n - 1);
  const re = new Float64Array(k1 + 1);
  const im = new Float64Array(k1 + 1);
  for (let k = 0; k <= k1; k++) {
    const ang = (-2 * Math.PI * k) / n;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    let cr = 1;
    let ci = 0;
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const v = x[t] ?? 0;
      sr += v * cr;
      si += v * ci;
      const ncr = cr * wr - ci * wi;
      ci = cr * wi + ci * wr;
      cr = ncr;
      if ((t & 255) === 255) {
        // Re-anchor the recurrence to keep rounding error bounded on long windows.
        const a = ang * (t + 1);
        cr = Math.cos(a);
        ci = Math.sin(a);
      }
    }
    re[k] = sr;
    im[k] = si;
  }
  return { re, im };
}
