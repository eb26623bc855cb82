/**
 * @module
 * Kubernetes resource quantities ("64Mi", "250m", "1.5", "1e3") as numbers: the one parser the analyzers,
 * the planner and the right-sizing edge share.
 */

const SUFFIX: Readonly<Record<string, number>> = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** "64Mi" → 67108864, "250m" → 0.25; undefined when absent or malformed. */
export function parseQuantity(q: string | undefined): number | undefined {
  if (q === undefined) return undefined;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (m === null) return undefined;
  const mult = SUFFIX[m[2] ?? ""];
  const n = Number(m[1]);
  return mult === undefined || !Number.isFinite(n) ? undefined : n * mult;
}
