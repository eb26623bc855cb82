/**
 * @module
 * Worker-thread entry for forecast fits: answers each `{ id, request }` with `{ id, result }` from the
 * pure `forecastUpper`, so a fit (tens of ms on 8 days of history) never holds the operator's event loop.
 * Started by `predictivescaler.ts`; never imported.
 */
import { parentPort } from "node:worker_threads";
import { forecastUpper, type ForecastRequest, type UpperForecast } from "./predictivescaler-plan.js";

export interface FitMessage {
  readonly id: number;
  readonly request: ForecastRequest;
}
export type FitReply =
  { readonly id: number; readonly result: UpperForecast } | { readonly id: number; readonly error: string };

const port = parentPort;
if (port === null) throw new Error("predictivescaler-worker runs only as a worker thread");
port.on("message", (m: FitMessage) => {
  try {
    port.postMessage({ id: m.id, result: forecastUpper(m.request) } satisfies FitReply);
  } catch (err) {
    port.postMessage({
      id: m.id,
      error: err instanceof Error ? err.message : String(err),
    } satisfies FitReply);
  }
});
