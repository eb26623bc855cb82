import { describe, expect, it } from "vitest";
import { seededRng } from "../forecast/index.js";
import { recommendTrace } from "./recommend.js";
import { benchSummary, replayTrace, type TraceScore } from "./replay.js";
import { fromSingleSeries, syntheticTraces } from "./synthetic.js";
import { DAY, MiB, type UsageTrace } from "./types.js";

// Four days at 5-minute steps keep the replay quick; the full bench uses 14 days at 1 minute.
const traces = syntheticTraces(seededRng(7), { seed: 7, days: 4, stepSeconds: 300, start: 1_700_438_400 });

describe("synthetic traces", () => {
  it("are deterministic and carry original requests", () => {
    const again = syntheticTraces(seededRng(7), { seed: 7, days: 4, stepSeconds: 300, start: 1_700_438_400 });
    expect(again).toEqual(traces);
    for (const t of traces) expect(t.samples[0]?.cpuRequest).toBeGreaterThan(0);
  });
  it("fromSingleSeries scales CPU to the median and models memory", () => {
    const t = fromSingleSeries("x", [
      { t: 0, v: 1 },
      { t: 60, v: 2 },
      { t: 120, v: 3 },
    ]);
    expect(t.samples.map((s) => s.cpu)).toEqual([0.25, 0.5, 0.75]);
    expect(t.samples[0]?.mem).toBe(256 * MiB + 256 * MiB);
  });
});

describe("replay", () => {
  it("never peeks: a spike after the last tick cannot raise earlier requests", () => {
    const flat: UsageTrace = {
      name: "flat",
      samples: Array.from({ length: 3 * 288 }, (_, i) => ({ t: i * 300, cpu: 0.5, mem: 400 * MiB })),
    };
    const spiked: UsageTrace = {
      name: "flat",
      samples: flat.samples.map((s, i) =>
        i === flat.samples.length - 1 ? { ...s, cpu: 50, mem: 4000 * MiB } : s,
      ),
    };
    const a = replayTrace(flat);
    const b = replayTrace(spiked);
    expect(b.policies.vpa.cost).toBeCloseTo(a.policies.vpa.cost, 9);
    expect(b.policies.vigil.cost).toBeCloseTo(a.policies.vigil.cost, 9);
    expect(b.policies.vigil.oom_events).toBe(1);
  });
  it.each([
    ["vpa", 1],
    ["vigil_static", 1],
    ["vigil", 1.15],
  ] as const)("%s: memory limit / request ≥ %d, memory rarely above its request", (policy, minRatio) => {
    const t = traces.find((x) => x.name.startsWith("batch-nightly")) ?? traces[0];
    if (t === undefined) throw new Error("no trace");
    const p = replayTrace(t).policies[policy];
    expect(p.memory_limit_ratio).toBeGreaterThanOrEqual(minRatio);
    if (policy !== "vigil") expect(p.memory_limit_ratio).toBe(1);
    expect(p.mem_above_request_s).toBeLessThan(0.01 * 3 * DAY);
  });
  it("matches the golden summary on four days of synthetic traces", async () => {
    const scores: TraceScore[] = traces.map((t) => replayTrace(t));
    const lines = scores.map((s) => {
      const p = (n: "vpa" | "vigil" | "vigil_static") => {
        const x = s.policies[n];
        return `${n} cpu ${x.cpu_slack.toFixed(3)} mem ${x.memory_slack.toFixed(3)} oom ${x.oom_events} thr ${Math.round(x.throttled_s)} $${x.cost.toFixed(2)}`;
      };
      return `${s.name}: ${p("vpa")} | ${p("vigil")} | ${p("vigil_static")}`;
    });
    const text = JSON.stringify(benchSummary(scores), undefined, 2) + "\n" + lines.join("\n") + "\n";
    await expect(text).toMatchFileSnapshot("./testdata/replay-4d.golden.txt");
  });
});

describe("recommendTrace", () => {
  it("gives both recommendations, QoS and cost, with memory at or above the peak", () => {
    const t = traces.find((x) => x.name.startsWith("web-daily")) ?? traces[0];
    if (t === undefined) throw new Error("no trace");
    const r = recommendTrace(t);
    expect(r.vigil.mem.target).toBeGreaterThanOrEqual(r.peak.mem);
    expect(r.qos.vigil.now).toBe("Burstable");
    expect(r.monthly.current).toBeGreaterThan(r.monthly.vigil);
    expect(r.to - r.from).toBeGreaterThan(3 * DAY);
  });
});
