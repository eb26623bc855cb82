import { describe, expect, it } from "vitest";
import {
  idleWorkloads,
  overcommit,
  probeAdvice,
  qosChange,
  qosClass,
  quotaReport,
  type ContainerResources,
} from "./analysis.js";
import { costOf, DEFAULT_PRICING, monthlyCost, sumBy, waste } from "./cost.js";
import { DAY, GiB, MiB } from "./types.js";

const c = (
  requests: ContainerResources["requests"],
  limits: ContainerResources["limits"],
): ContainerResources => ({
  name: "app",
  requests,
  limits,
});

describe("qosClass", () => {
  it.each([
    [[c({}, {})], "BestEffort"],
    [[c({ cpu: 1, mem: GiB }, { cpu: 1, mem: GiB })], "Guaranteed"],
    [[c({}, { cpu: 1, mem: GiB })], "Guaranteed"], // requests default to limits
    [[c({ cpu: 0.5, mem: GiB }, { cpu: 1, mem: GiB })], "Burstable"],
    [[c({ cpu: 1 }, {})], "Burstable"],
    [[c({ cpu: 1, mem: GiB }, { cpu: 1, mem: GiB }), c({}, {})], "Burstable"],
  ] as const)("%j → %s", (cs, want) => {
    expect(qosClass(cs)).toBe(want);
  });
  it("reports a change", () => {
    const q = qosChange([c({ cpu: 1 }, {})], [c({ cpu: 1, mem: GiB }, { cpu: 1, mem: GiB })]);
    expect(q).toMatchObject({ now: "Burstable", recommended: "Guaranteed", changed: true });
  });
});

describe("quotaReport", () => {
  it("computes headroom and a rounded suggested quota", () => {
    const [cpu, mem] = quotaReport(
      { requestsCpu: 10, requestsMemory: 20 * GiB },
      { requestsCpu: 8, requestsMemory: 10 * GiB },
      { requestsCpu: 3.01, requestsMemory: 5 * GiB },
    );
    expect(cpu).toMatchObject({ headroom: 2, utilisation: 0.8 });
    expect(cpu?.suggestedHard).toBeCloseTo(3.7, 9);
    expect(mem?.suggestedHard).toBe(6 * GiB);
  });
});

describe("overcommit", () => {
  const node = (memLimits: number, usage?: number) => ({
    name: "n1",
    allocatable: { cpu: 4, mem: 16 * GiB },
    limits: { cpu: 2, mem: memLimits * GiB },
    requests: { cpu: 1, mem: 8 * GiB },
    memUsageP95: usage === undefined ? undefined : usage * GiB,
  });
  it.each([
    [8, undefined, "none"],
    [17, undefined, "low"],
    [20, undefined, "medium"],
    [26, 14, "high"],
    [26, 4, "medium"],
    [33, undefined, "high"],
  ] as const)("memory limits %d GiB, usage %s → %s", (lim, use, risk) => {
    expect(overcommit(node(lim, use)).risk).toBe(risk);
  });
});

describe("idleWorkloads", () => {
  it("flags near-zero use over enough days only", () => {
    const w = (cpuP95: number, days: number) => ({
      namespace: "ns",
      name: `w${cpuP95}-${days}`,
      observedSeconds: days * DAY,
      cpuP95,
      cpuRequest: 0.5,
      memRequest: 512 * MiB,
    });
    const out = idleWorkloads([w(0.001, 5), w(0.001, 1), w(0.2, 5)]);
    expect(out.map((x) => x.name)).toEqual(["w0.001-5"]);
  });
});

describe("probeAdvice", () => {
  it.each([
    [{ container: "a" }, ["no readiness probe", "no liveness probe"]],
    [{ container: "a", readiness: {}, liveness: {}, observedStartSeconds: 20 }, []],
    [
      { container: "a", readiness: {}, liveness: {}, observedStartSeconds: 45 },
      ["add a startupProbe", "slow start"],
    ],
    [
      {
        container: "a",
        readiness: {},
        liveness: {},
        startup: { failureThreshold: 3 },
        observedStartSeconds: 45,
      },
      ["raise failureThreshold to 7"],
    ],
  ])("%j", (input, want) => {
    const got = probeAdvice(input).map((a) => a.advice);
    expect(got).toHaveLength(want.length);
    want.forEach((w, i) => {
      expect(got[i]).toContain(w);
    });
  });
});

describe("cost", () => {
  it("prices requested core-hours and GiB-hours", () => {
    expect(costOf(1, GiB, 3600)).toBeCloseTo(
      DEFAULT_PRICING.cpuPerCoreHour + DEFAULT_PRICING.memoryPerGiBHour,
      12,
    );
    expect(monthlyCost(2, 0)).toBeCloseTo(2 * 730.5 * DEFAULT_PRICING.cpuPerCoreHour, 9);
    expect(waste({ cpu: 2, mem: GiB }, { cpu: 3, mem: 0 }).monthlyWaste).toBeCloseTo(monthlyCost(0, GiB), 9);
    expect(
      sumBy(
        [
          { ns: "a", v: 1 },
          { ns: "a", v: 2 },
          { ns: "b", v: 5 },
        ],
        (x) => x.ns,
        (x) => x.v,
      ),
    ).toEqual({ a: 3, b: 5 });
  });
});
