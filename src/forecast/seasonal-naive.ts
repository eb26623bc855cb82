/**
 * Seasonal naive: the value one season ago. With no season (or less than one season of history) it
 * falls back to the last value.
 */
import { clampOut, lastValue, type Fitter } from "./model.js";

export const seasonalNaive: Fitter = (_values, _end, ctx) => {
  const p = ctx.period;
  return {
    label: p === undefined ? "seasonal_naive:last" : "seasonal_naive",
    forecastAt(values, origin, h) {
      if (p === undefined || origin < p) return lastValue(values, origin, h);
      const out = new Float64Array(h);
      for (let k = 0; k < h; k++) out[k] = values[origin - p + (k % p)] ?? 0;
      return clampOut(out, ctx);
    },
  };
};

/** Last value repeated (persistence): an ensemble member that wins at very short horizons. */
export const naive: Fitter = () => ({
  label: "naive",
  forecastAt: lastValue,
});
