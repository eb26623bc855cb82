import { describe, expect, it } from "vitest";
import * as api from "../api/index.js";
import type * as fc from "../forecast/index.js";
import { TieredSeries } from "../metrics/index.js";
import {
  fitHorizonSeconds,
  forecastUpper,
  leadSeconds,
  planScale,
  toSteps,
  type HpaView,
  type Plan,
  type PlanInput,
} from "./predictivescaler-plan.js";

const T = 1_800_003_600; // the spike starts here (a whole 5 minutes)
const DAY = 86_400;

/**
 * `days` days of 1-min CPU up to `now`: 50m, and 300m for 10 minutes a day from `spike`'s time of day.
 * Today's spike is in the history only with `today` (as it would be once it has happened).
 */
function history(
  now: number,
  o: { days?: number; today?: boolean; spike?: number; step?: number } = {},
): fc.Sample[] {
  const spike = o.spike ?? T;
  const step = o.step ?? 60;
  const out: fc.Sample[] = [];
  for (let t = Math.floor((spike - (o.days ?? 3) * DAY) / step) * step; t <= now; t += step) {
    const phase = (((t - spike) % DAY) + DAY) % DAY;
    const past = t < spike - 3600 || o.today === true;
    out.push({ t, v: past && phase < 600 ? 300 : 50 });
  }
  return out;
}

function tiered(samples: readonly fc.Sample[]): fc.Sample[] {
  const s = new TieredSeries();
  for (const x of samples) s.add(x.t, x.v);
  return s.samples();
}

const spec = api.PredictiveScalerSpec.parse({
  target: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
  metric: { kind: "cpu" },
  capacityPerReplica: 100,
  maxReplicas: 4,
  podStartupSeconds: 20,
  mode: "Auto",
});
const hpa: HpaView = { name: "web", minReplicas: 1, maxReplicas: 4 };
const LEAD = 20 + 15 + 60;

function input(now: number, over: Partial<PlanInput> = {}, today = false): PlanInput {
  return {
    now,
    spec,
    current: 1,
    load: { value: 50, pods: 1 },
    hpa,
    status: undefined,
    state: { recent: [] },
    ...over,
    forecast:
      over.forecast ??
      forecastUpper({ samples: history(now, { today }), now, horizonSeconds: fitHorizonSeconds(spec) }),
  };
}

describe("toSteps", () => {
  it.each([
    {
      name: "15 s samples become their minute's mean (timestamps are bucket starts)",
      samples: [0, 15, 30, 45, 60, 75].map((t, i) => ({ t: 600 + t, v: i })),
      want: [
        { t: 600, v: 1.5 },
        { t: 660, v: 4.5 },
      ],
    },
    {
      name: "a 5-min bucket holds its mean over its 5 minutes (no ramp from its start)",
      samples: [
        { t: 0, v: 50 },
        { t: 300, v: 300 },
        { t: 600, v: 50 },
      ],
      want: [0, 60, 120, 180, 240]
        .map((t) => ({ t, v: 50 }))
        .concat(
          [300, 360, 420, 480, 540].map((t) => ({ t, v: 300 })),
          [{ t: 600, v: 50 }],
        ),
    },
    {
      name: "a longer gap is missing data, left to the series' interpolation",
      samples: [
        { t: 0, v: 1 },
        { t: 3600, v: 2 },
      ],
      want: [
        { t: 0, v: 1 },
        { t: 3600, v: 2 },
      ],
    },
  ])("$name", ({ samples, want }) => {
    expect(toSteps(samples, 60)).toEqual(want);
  });
});

describe("forecastUpper (the seasonal outlook)", () => {
  it.each([
    { name: "1-min history", samples: history(T - 90) },
    {
      name: "the recorder's tiers (5 min far back, 1 min for the last day)",
      samples: tiered(history(T - 90)),
    },
  ])("sees the daily spike coming from $name, and nothing before it", ({ samples }) => {
    const f = forecastUpper({ samples, now: T - 90, horizonSeconds: 900 });
    expect(f.kind).toBe("ok");
    if (f.kind !== "ok") return;
    expect([f.period, f.periodSeconds, f.cycles, f.level]).toEqual(["24h", DAY, 2, 50]);
    expect(f.model).toBe("seasonal outlook (2 past days)");
    expect(f.points.find((p) => p.t === T)).toEqual({ t: T, mean: 300, upper: 300, ratio: 6 });
    // Before it no change is agreed: 0, so only the reactive path counts there.
    expect(f.points.filter((p) => p.t < T).every((p) => p.upper === 0 && p.ratio === 1)).toBe(true);
  });

  it("ignores a spike that only one of the two past days had (no majority)", () => {
    const samples = history(T - 90).map((s) =>
      s.t > T - DAY - 3600 && s.t < T - DAY + 3600 ? { t: s.t, v: 50 } : s,
    );
    const f = forecastUpper({ samples, now: T - 90, horizonSeconds: 900, knownPeriodSeconds: DAY });
    expect(f.kind === "ok" && f.cycles).toBe(2);
    expect(f.kind === "ok" && f.points.every((p) => p.upper === 0)).toBe(true);
  });

  it.each([
    { name: "without a period (under two days)", known: undefined, period: "none", model: /^none/ },
    { name: "with the period an earlier fit found", known: DAY, period: "24h (kept)", model: /1 past day/ },
  ])("gives no agreed change $name", ({ known, period, model }) => {
    const samples = history(T - 90).filter((s) => s.t > T - 40 * 3600);
    const f = forecastUpper({ samples, now: T - 90, horizonSeconds: 900, knownPeriodSeconds: known });
    expect(f.kind).toBe("ok");
    if (f.kind !== "ok") return;
    expect(f.period).toBe(period);
    expect(f.model).toMatch(model);
    expect(f.points.every((p) => p.upper === 0)).toBe(true);
  });

  it("refuses to forecast from too little history", () => {
    expect(forecastUpper({ samples: [{ t: T, v: 1 }], now: T, horizonSeconds: 900 }).kind).toBe(
      "insufficientData",
    );
    expect(forecastUpper({ samples: [], now: T, horizonSeconds: 900 }).kind).toBe("insufficientData");
  });

  it("covers the provisioning window even when the spec's horizon is shorter", () => {
    const s = { ...spec, horizonSeconds: 60, podStartupSeconds: 300 };
    expect(leadSeconds(s)).toBe(375);
    const f = forecastUpper({ samples: history(T - 90), now: T - 90, horizonSeconds: fitHorizonSeconds(s) });
    expect(f.kind === "ok" && (f.points.at(-1)?.t ?? 0) >= T - 90 + 375).toBe(true);
  });
});

interface Row {
  readonly name: string;
  readonly now: number;
  readonly over?: Partial<PlanInput>;
  readonly today?: boolean;
  readonly want: Partial<Pick<Plan, "actuation" | "desired" | "reason" | "predicted">>;
  readonly message?: RegExp;
}

const held = { recent: [T - 60, T, T + 120].map((t) => ({ t, value: 4 })) };
const floor4 = {
  hpa: { ...hpa, minReplicas: 4 },
  status: { hpa: { name: "web", baseMinReplicas: 1, appliedMinReplicas: 4 } },
};

describe("planScale", () => {
  it.each<Row>([
    {
      name: "20 min before: the HPA's baseline",
      now: T - 1200,
      want: { actuation: { kind: "none" }, desired: 1, reason: "ReactiveFloor", predicted: 0 },
      message: /past days agree on no change within 95s/,
    },
    {
      name: "just outside the lead window: not yet",
      now: T - LEAD - 5,
      want: { actuation: { kind: "none" }, desired: 1 },
    },
    {
      name: "the spike enters the lead window: floor raised",
      now: T - LEAD,
      want: {
        actuation: { kind: "hpaMinReplicas", hpa: "web", minReplicas: 4 },
        desired: 4,
        reason: "Forecast",
      },
      message: /^HPA web minReplicas 1 -> 4 \(baseline 1\): past days agree on 300m CPU within 95s \(x6\.00/,
    },
    {
      name: "the floor within ±10 % of the forecast stays",
      now: T - 60,
      over: floor4,
      want: { actuation: { kind: "none" }, desired: 4, reason: "WithinTolerance" },
    },
    {
      name: "Preview only reports",
      now: T - LEAD,
      over: { spec: { ...spec, mode: "Preview" } },
      want: { actuation: { kind: "none" }, desired: 4 },
      message: /^Preview: would set HPA web minReplicas 1 -> 4/,
    },
    {
      name: "without an HPA: the scale subresource",
      now: T - LEAD,
      over: { hpa: undefined },
      want: { actuation: { kind: "scale", replicas: 4 }, reason: "Forecast" },
    },
    {
      name: "without an HPA: a burst in the current load is met at once",
      now: T - 1200,
      over: { hpa: undefined, load: { value: 250, pods: 1 } },
      want: { actuation: { kind: "scale", replicas: 4 }, reason: "Demand" },
    },
    {
      name: "without an HPA: load under 85 % of capacity is no burst",
      now: T - 1200,
      over: { hpa: undefined, load: { value: 80, pods: 1 } },
      want: { actuation: { kind: "none" }, desired: 1, reason: "ReactiveFloor" },
    },
    {
      name: "without an HPA: never below what the HPA would keep for the current load",
      now: T - 1200,
      over: { hpa: undefined, current: 4, load: { value: 300, pods: 4 } },
      want: { actuation: { kind: "none" }, desired: 4, reason: "ReactiveFloor" },
      message: /current load needs 4/,
    },
    {
      name: "mid-spike no further change is agreed: the raised floor is held",
      now: T + 300,
      today: true,
      over: { ...floor4, state: held },
      want: { actuation: { kind: "none" }, desired: 4, reason: "ScaleDownHeld" },
    },
    {
      name: "at the spike's end past days agree on a drop: the hold is released, in one step",
      now: T + 620,
      today: true,
      over: { ...floor4, state: held },
      want: { actuation: { kind: "hpaMinReplicas", hpa: "web", minReplicas: 1 }, reason: "ExpectedDrop" },
      message: /past days agree the load falls within 95s/,
    },
    {
      name: "an owner's new minReplicas becomes the baseline",
      now: T - 1200,
      over: {
        hpa: { ...hpa, minReplicas: 2 },
        status: { hpa: { name: "web", baseMinReplicas: 1, appliedMinReplicas: 4 } },
      },
      want: { actuation: { kind: "none" }, desired: 2 },
    },
    {
      name: "no history yet: nothing changes",
      now: T - LEAD,
      over: { forecast: { kind: "insufficientData", message: "no history yet", historyPoints: 0 } },
      want: { actuation: { kind: "none" }, desired: 1, reason: "InsufficientHistory" },
    },
  ])("$name", ({ now, over, today, want, message }) => {
    const p = planScale(input(now, over, today));
    expect(p).toMatchObject(want);
    if (message !== undefined) expect(p.message).toMatch(message);
  });

  it("records the baseline it raised the floor from", () => {
    expect(planScale(input(T - LEAD)).hpaStatus).toEqual({
      name: "web",
      baseMinReplicas: 1,
      appliedMinReplicas: 4,
    });
  });

  /** Reconciles every 15 s from `from` to `to` with the history up to each instant; the HPA floor over time. */
  function timeline(from: number, to: number, samplesAt: (now: number) => fc.Sample[]) {
    let st: PlanInput["state"] = { recent: [] };
    let min = 1;
    let status: api.PredictiveScalerStatus | undefined;
    const changes: { t: number; min: number; reason: string }[] = [];
    for (let now = from; now <= to; now += 15) {
      const forecast = forecastUpper({ samples: samplesAt(now), now, horizonSeconds: 900 });
      const p = planScale(input(now, { hpa: { ...hpa, minReplicas: min }, status, state: st, forecast }));
      st = p.state;
      status = p.hpaStatus === undefined ? undefined : { hpa: p.hpaStatus };
      if (p.actuation.kind === "hpaMinReplicas") {
        min = p.actuation.minReplicas;
        changes.push({ t: now - T, min, reason: p.reason });
      }
    }
    return changes;
  }

  it("raises the floor one lead window ahead and restores the baseline in one step after the hold", () => {
    // Once the spike has run for the outlook's 5-step base, past days agree on no further change (ratio 1),
    // so the recommendation is the baseline again and the floor comes down 240 s after the last raised one,
    // in one step, while the spike still runs: the HPA keeps what the load needs by itself, and its own
    // 300 s window governs removing pods, so a gradual restore of the floor would only keep pods the HPA
    // does not want.
    expect(timeline(T - 305, T + 900, (now) => history(now, { today: true }))).toEqual([
      { t: -95, min: 4, reason: "Forecast" },
      { t: 475, min: 1, reason: "ReactiveFloor" },
    ]);
  });

  // When the floor reaches 4 (seconds before the spike), for spikes starting `offset` s after a whole 5
  // minutes, seen every 15 s like the operator: from 1-min history every offset is covered at least 45 s
  // ahead (the first minute of a spike that starts mid-minute is partial); from the recorder's tiers (days
  // older than 24 h are 5-min means, and both past days must agree) a spike well inside a 5-min bucket
  // is not seen at full height before it starts.
  it.each([
    { offset: 0, oneMin: -90, tiers: -90 },
    { offset: 30, oneMin: -60, tiers: -60 },
    { offset: 60, oneMin: -90, tiers: -90 },
    { offset: 120, oneMin: -90, tiers: undefined },
    { offset: 180, oneMin: -90, tiers: undefined },
    { offset: 240, oneMin: -90, tiers: undefined },
  ])(
    "a spike $offset s into a 5-min bucket: floor 4 at $oneMin s (1-min history), $tiers s (tiers)",
    (row) => {
      const spike = T + row.offset;
      const at = (kind: "oneMin" | "tiers") => {
        const changes = timeline(spike - 150, spike + 15, (now) => {
          const h = history(now, { spike, step: 15 }).filter((s) => s.t < now - 15);
          return kind === "tiers" ? tiered(h) : toSteps(h, 60);
        });
        const four = changes.find((c) => c.min === 4);
        return four === undefined ? undefined : four.t - row.offset;
      };
      expect(at("oneMin")).toBe(row.oneMin);
      expect(at("tiers")).toBe(row.tiers);
    },
  );
});
