/**
 * Forecast accuracy: MAPE, sMAPE, MASE (scaled by the in-sample one-step naive error) and the
 * under-prediction rate, accumulated point by point and summarised at the end.
 */

export interface Score {
  readonly mape: number;
  readonly smape: number;
  readonly mase: number;
  readonly under_rate: number;
  readonly n: number;
}

export interface ScoreAcc {
  ape: number;
  apeN: number;
  sape: number;
  ase: number;
  under: number;
  n: number;
}

export function newAcc(): ScoreAcc {
  return { ape: 0, apeN: 0, sape: 0, ase: 0, under: 0, n: 0 };
}

/** Adds one forecast point; `scale` is the MASE denominator of the history it came from. */
export function addPoint(acc: ScoreAcc, actual: number, predicted: number, scale: number): void {
  const e = Math.abs(actual - predicted);
  if (actual !== 0) {
    acc.ape += e / Math.abs(actual);
    acc.apeN++;
  }
  const d = Math.abs(actual) + Math.abs(predicted);
  acc.sape += d === 0 ? 0 : (2 * e) / d;
  acc.ase += scale > 0 ? e / scale : 0;
  if (predicted < actual) acc.under++;
  acc.n++;
}

export function summarise(acc: ScoreAcc): Score {
  const n = Math.max(acc.n, 1);
  return {
    mape: acc.apeN === 0 ? 0 : (100 * acc.ape) / acc.apeN,
    smape: (100 * acc.sape) / n,
    mase: acc.ase / n,
    under_rate: acc.under / n,
    n: acc.n,
  };
}
