import { describe, expect, it } from "vitest";
import { checkpointObject, parseCheckpoint } from "./checkpoint.js";
import { cpuQuery } from "./prometheus.js";
import { cpuMillis } from "./recorder.js";
import { DEFAULT_TIERS, TieredSeries } from "./ring.js";

const T0 = 1_800_000_000; // a multiple of 300

describe("TieredSeries", () => {
  it("keeps fine data near now and coarse data far back, in bounded memory", () => {
    const s = new TieredSeries();
    for (let t = T0; t < T0 + 10 * 86_400; t += 15) s.add(t, 100 + ((t / 15) % 4));
    const cap = DEFAULT_TIERS.reduce((n, x) => n + x.capacity, 0);
    expect(s.size).toBeLessThanOrEqual(cap);
    const xs = s.samples();
    const gaps = new Set(xs.slice(1).map((x, i) => x.t - (xs[i]?.t ?? 0)));
    expect([...gaps].sort((a, b) => a - b)).toEqual([15, 60, 300]);
    // oldest kept is 8 days of 5-min buckets before the last one
    expect((xs.at(-1)?.t ?? 0) - (xs[0]?.t ?? 0)).toBeGreaterThan(7.9 * 86_400);
    for (let i = 1; i < xs.length; i++) expect(xs[i]!.t).toBeGreaterThan(xs[i - 1]!.t);
    expect(xs.every((x) => x.v >= 100 && x.v <= 103)).toBe(true);
  });

  it("averages samples per bucket and refuses non-finite values", () => {
    const s = new TieredSeries([{ stepSeconds: 60, capacity: 10 }]);
    expect(s.add(T0, 1)).toBe(true);
    s.add(T0 + 30, 3);
    expect(s.add(T0 + 40, Number.NaN)).toBe(false);
    expect(s.samples()).toEqual([{ t: T0, v: 2 }]);
  });

  it("round-trips through a ConfigMap checkpoint and lets live data win", () => {
    const a = new TieredSeries();
    for (let t = T0; t < T0 + 2 * 86_400; t += 60) a.add(t, 50 + (t % 3600) / 60);
    const cm = checkpointObject(
      { namespace: "shop", kind: "Deployment", name: "web" },
      "cpu",
      a.checkpoint(),
    );
    expect(JSON.stringify(cm).length).toBeLessThan(64_000);
    const p = parseCheckpoint(JSON.parse(JSON.stringify(cm)));
    expect(p.kind).toBe("ok");
    if (p.kind !== "ok") return;
    const b = new TieredSeries();
    b.add(T0 + 2 * 86_400 - 60, 999);
    const r = b.restore(p.checkpoint);
    expect(r.skipped).toBe(0);
    const xs = b.samples();
    expect(xs.at(-1)).toEqual({ t: T0 + 2 * 86_400 - 60, v: 999 });
    expect(xs.length).toBe(a.samples().length);
    expect(parseCheckpoint({ data: { "series.json": "{" } }).kind).toBe("invalid");
  });
});

describe("helpers", () => {
  it("parses CPU quantities into millicores", () => {
    expect(cpuMillis("250m")).toBe(250);
    expect(cpuMillis("1")).toBe(1000);
    expect(cpuMillis("123456789n")).toBeCloseTo(123.456789);
    expect(cpuMillis("1500u")).toBe(1.5);
    expect(cpuMillis("lots")).toBeUndefined();
  });
  it("builds the default CPU query for a Deployment", () => {
    expect(cpuQuery({ namespace: "shop", kind: "Deployment", name: "web" })).toBe(
      'sum(rate(container_cpu_usage_seconds_total{namespace="shop",pod=~"web-[a-z0-9]+-[a-z0-9]+",container!=""}[2m])) * 1000',
    );
    expect(cpuQuery({ namespace: "a", kind: "StatefulSet", name: "db" }, 2)).toContain('pod=~"db-[0-9]+"');
    expect(cpuQuery({ namespace: "a", kind: "StatefulSet", name: "db" }, 2)).toContain("[30s]");
  });
});
