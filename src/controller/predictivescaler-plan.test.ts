import { describe, expect, it } from "vitest";
import * as api from "../api/index.js";
import type * as fc from "../forecast/index.js";
import { TieredSeries } from "../metrics/index.js";
import { forecastUpper, planScale, type HpaView, type PlanInput } from "./predictivescaler-plan.js";

const T = 1_800_003_600; // the spike starts here (a whole minute)

/** Three days of 1-min CPU: 50m, and 300m for 10 minutes a day at the spike's time of day. */
function history(now: number): fc.Sample[] {
  const out: fc.Sample[] = [];
  for (let t = T - 3 * 86_400; t <= now; t += 60) {
    const phase = (((t - T) % 86_400) + 86_400) % 86_400;
    out.push({ t, v: t < T - 3600 && phase < 600 ? 300 : 50 });
  }
  return out;
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

function input(now: number, over: Partial<PlanInput> = {}): PlanInput {
  return {
    now,
    spec,
    current: 1,
    load: { value: 50, pods: 1 },
    hpa,
    status: undefined,
    forecast: forecastUpper({ samples: history(now), now, horizonSeconds: spec.horizonSeconds }),
    state: { recent: [] },
    ...over,
  };
}

describe("forecastUpper", () => {
  it("sees yesterday's spike coming from the daily season", () => {
    const f = forecastUpper({ samples: history(T - 90), now: T - 90, horizonSeconds: 900 });
    expect(f.kind).toBe("ok");
    if (f.kind !== "ok") return;
    expect(f.period).toBe("24h");
    const at = f.points.find((p) => p.t === T);
    expect(at?.upper).toBeGreaterThan(250);
    expect(f.points.filter((p) => p.t < T - 120).every((p) => p.upper < 120)).toBe(true);
  });
  it("sees it through the recorder's tiers too (5 min far back, 1 min for the last day)", () => {
    const s = new TieredSeries();
    for (const x of history(T - 90)) s.add(x.t, x.v);
    const f = forecastUpper({ samples: s.samples(), now: T - 90, horizonSeconds: 900 });
    expect(f.kind === "ok" && f.period).toBe("24h");
    expect(f.kind === "ok" && (f.points.find((p) => p.t === T)?.upper ?? 0) > 250).toBe(true);
  });
  it("refuses to forecast from too little history", () => {
    const f = forecastUpper({ samples: [{ t: T, v: 1 }], now: T, horizonSeconds: 900 });
    expect(f.kind).toBe("insufficientData");
  });
});

describe("planScale", () => {
  it("raises the HPA's floor ahead of the spike, not long before it", () => {
    const early = planScale(input(T - 1200));
    expect(early.actuation).toEqual({ kind: "none" });
    expect(early.desired).toBe(1);
    const ahead = planScale(input(T - 70));
    expect(ahead.actuation).toEqual({ kind: "hpaMinReplicas", hpa: "web", minReplicas: 4 });
    expect(ahead.reason).toBe("Forecast");
    expect(ahead.hpaStatus).toEqual({ name: "web", baseMinReplicas: 1, appliedMinReplicas: 4 });
    expect(ahead.message).toContain("HPA web minReplicas 1 -> 4");
  });

  it("only writes status in Preview and drives the scale subresource without an HPA", () => {
    const preview = planScale(input(T - 70, { spec: { ...spec, mode: "Preview" } }));
    expect(preview.actuation).toEqual({ kind: "none" });
    expect(preview.desired).toBe(4);
    expect(preview.message).toMatch(/^Preview: would set/);
    const bare = planScale(input(T - 70, { hpa: undefined }));
    expect(bare.actuation).toEqual({ kind: "scale", replicas: 4 });
  });

  it("never goes below the reactive need", () => {
    const p = planScale(input(T - 1200, { hpa: undefined, load: { value: 240, pods: 2 }, current: 2 }));
    expect(p.reactive).toBe(3); // 240m at 80 % of 100m a replica
    expect(p.desired).toBe(3);
    expect(p.reason).toBe("ReactiveFloor");
  });

  it("restores the HPA's baseline after the spike, gradually", () => {
    let st = { recent: [] as { t: number; value: number }[] } as PlanInput["state"];
    let min = 4;
    let status: api.PredictiveScalerStatus = {
      hpa: { name: "web", baseMinReplicas: 1, appliedMinReplicas: 4 },
    };
    const seen: number[] = [];
    for (let now = T + 700; now < T + 1800; now += 60) {
      const p = planScale(input(now, { hpa: { ...hpa, minReplicas: min }, status, state: st }));
      st = p.state;
      if (p.actuation.kind === "hpaMinReplicas") min = p.actuation.minReplicas;
      status = { hpa: p.hpaStatus! };
      seen.push(min);
    }
    expect(seen.at(-1)).toBe(1);
    expect(seen.slice(0, 3).every((x) => x === 4)).toBe(true); // held for the scale-down window
  });

  it("adopts a new baseline when the owner changes minReplicas", () => {
    const p = planScale(
      input(T - 1200, {
        hpa: { ...hpa, minReplicas: 2 },
        status: { hpa: { name: "web", baseMinReplicas: 1, appliedMinReplicas: 4 } },
      }),
    );
    expect(p.hpaStatus?.baseMinReplicas).toBe(2);
    expect(p.desired).toBe(2);
  });
});
