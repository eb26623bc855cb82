import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SHARED_DATA } from "../../test/data.js";
import * as logmine from "../logmine/index.js";
import { type Batch, type MiningConfig, threadMining, workerMining } from "./mining.js";

const LOGHUB = `${SHARED_DATA}/loghub`;
const SYSTEMS = ["HDFS", "Zookeeper", "OpenSSH", "Spark", "Apache", "BGL"];

/** All six 2k samples, each line labelled by its system, in 500-line batches. */
function batches(): Batch[] {
  const out: Batch[] = [];
  for (const sys of SYSTEMS) {
    const lines = logmine.splitLines(readFileSync(`${LOGHUB}/${sys}/${sys}_2k.log`, "utf8"));
    for (let i = 0; i < lines.length; i += 500) {
      const texts = lines.slice(i, i + 500);
      out.push({ texts, sources: texts.map(() => sys) });
    }
  }
  return out;
}

describe.skipIf(!existsSync(`${LOGHUB}/HDFS`))("mining in a worker thread", () => {
  it("gives the same report as mining on this thread (baseline, sources, small cluster cap)", async () => {
    const cfg: MiningConfig = {
      miner: logmine.MinerConfig.parse({ maxClusters: 64 }),
      signals: logmine.defaultSignalConfig,
      baselineLines: 5000,
    };
    const bs = batches();
    const here = threadMining(cfg);
    const there = workerMining(cfg);
    try {
      for (const b of bs) {
        await here.push(b);
        await there.push(b);
      }
      const [a, b] = [await here.report(100), await there.report(100)];
      expect(there.where).toBe("worker");
      expect(a.lines).toBe(12_000);
      expect(a.evicted).toBeGreaterThan(0);
      expect(a.newTemplates.length).toBeGreaterThan(0);
      expect(b).toEqual(a);
    } finally {
      await there.close();
      await here.close();
    }
  }, 60_000);

  it("leaves the event loop free while the worker mines", async () => {
    const cfg: MiningConfig = {
      miner: logmine.defaultMinerConfig,
      signals: logmine.defaultSignalConfig,
      baselineLines: 0,
    };
    const bs = batches();
    const w = workerMining(cfg);
    let ticks = 0;
    const iv = setInterval(() => {
      ticks++;
    }, 5);
    const t0 = performance.now();
    try {
      for (let k = 0; k < 4; k++) for (const b of bs) await w.push(b);
      expect((await w.report(5)).lines).toBe(48_000);
    } finally {
      clearInterval(iv);
      await w.close();
    }
    // A timer every 5 ms: on a free loop it fires about ms/5 times; mining here would starve it.
    const ms = performance.now() - t0;
    expect(ticks).toBeGreaterThan(ms / 5 / 4);
  }, 60_000);

  it("reports a worker that failed instead of hanging", async () => {
    const cfg = {
      miner: logmine.defaultMinerConfig,
      signals: logmine.defaultSignalConfig,
      baselineLines: 0,
    } as MiningConfig;
    const w = workerMining(cfg);
    // A batch whose texts are not strings makes the analyzer throw inside the worker.
    await w.push({ texts: [{} as unknown as string], sources: [""] });
    await expect(w.report(5)).rejects.toThrow(/log mining worker failed/);
    await w.close();
  }, 30_000);
});
