/**
 * @module
 * Worker-thread entry for log mining: builds the feeder from `workerData`, mines each batch it receives,
 * acknowledges it, and answers a report request. Started by `../mining.ts`; never imported.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type FromWorker, type MiningConfig, type ToWorker, createFeeder } from "../mining.js";

const port = parentPort;
if (port === null) throw new Error("workers/mine.ts runs only as a worker thread");
const feeder = createFeeder(workerData as MiningConfig);
const reply = (m: FromWorker) => {
  port.postMessage(m);
};
port.on("message", (m: ToWorker) => {
  try {
    if (m.kind === "batch") {
      feeder.push(m.batch);
      reply({ kind: "ack" });
    } else {
      reply({ kind: "report", report: feeder.report(m.top) });
    }
  } catch (err) {
    reply({ kind: "error", message: err instanceof Error ? err.message : String(err) });
  }
});
