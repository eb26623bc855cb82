/**
 * @module
 * One container's history in, both recommendations out, with the QoS change and the monthly cost:
 * what `vigil recommend` prints. Vigil's recommendation here is meant for a manifest, so it must hold
 * for a whole day (or a week, when the CPU season is weekly) and never goes below the memory peak.
 */
import { applyRecommendation, qosChange, type ContainerResources, type QosChange } from "./analysis.js";
import { DEFAULT_PRICING, monthlyCost, type Pricing } from "./cost.js";
import { DAY, type Recommendation, type UsageTrace } from "./types.js";
import { newVigilState, vigilObserve, vigilRecommend, VIGIL_DEFAULTS, type VigilConfig } from "./vigil.js";
import { newVpaState, vpaAddCpu, vpaAddMemory, vpaRecommend, VPA_DEFAULTS, type VpaConfig } from "./vpa.js";

export interface RecommendOptions {
  readonly vpa: VpaConfig;
  readonly vigil: VigilConfig;
  readonly pricing: Pricing;
  /** Current limits, when known (the usage CSV carries requests only). */
  readonly currentLimits?: { readonly cpu?: number | undefined; readonly mem?: number | undefined };
}

export const RECOMMEND_DEFAULTS: RecommendOptions = {
  vpa: VPA_DEFAULTS,
  vigil: { ...VIGIL_DEFAULTS, horizonSeconds: DAY, memoryFloor: "peak" },
  pricing: DEFAULT_PRICING,
};

export interface RecommendReport {
  readonly container: string;
  readonly from: number;
  readonly to: number;
  readonly samples: number;
  readonly current: { readonly cpu: number | undefined; readonly mem: number | undefined };
  readonly peak: { readonly cpu: number; readonly mem: number };
  readonly vpa: Recommendation;
  readonly vigil: Recommendation;
  readonly qos: { readonly vpa: QosChange; readonly vigil: QosChange };
  /** Monthly cost of the requests (undefined when the current requests are unknown). */
  readonly monthly: { readonly current: number | undefined; readonly vpa: number; readonly vigil: number };
  readonly currency: string;
}

export function recommendTrace(trace: UsageTrace, o: RecommendOptions = RECOMMEND_DEFAULTS): RecommendReport {
  const vpa = newVpaState(o.vpa);
  const vigil = newVigilState();
  let peakCpu = 0;
  let peakMem = 0;
  for (const s of trace.samples) {
    vpaAddCpu(vpa, s.t, s.cpu, o.vpa);
    vpaAddMemory(vpa, s.t, s.mem, false, o.vpa);
    peakCpu = Math.max(peakCpu, s.cpu);
    peakMem = Math.max(peakMem, s.mem);
  }
  for (const s of trace.samples) vigilObserve(vigil, s.t, s.cpu, s.mem, o.vigil);
  const first = trace.samples[0];
  const last = trace.samples[trace.samples.length - 1];
  const to = last?.t ?? 0;
  const season = (vigil.cpuPeriod ?? 0) * o.vigil.bucketSeconds;
  const vc = season > o.vigil.horizonSeconds ? { ...o.vigil, horizonSeconds: season } : o.vigil;
  const rv = vpaRecommend(vpa, o.vpa);
  const rg = vigilRecommend(vigil, to, vc);
  const cur = { cpu: last?.cpuRequest, mem: last?.memRequest };
  const before: ContainerResources[] = [
    { name: trace.name, requests: cur, limits: { cpu: o.currentLimits?.cpu, mem: o.currentLimits?.mem } },
  ];
  // VPA keeps the limit/request ratio; with no limits it sets none.
  const vpaAfter = applyRecommendation(before, { [trace.name]: rv }, "keepRatio");
  const vigilAfter = applyRecommendation(before, { [trace.name]: rg }, "recommended");
  return {
    container: trace.name,
    from: first?.t ?? 0,
    to,
    samples: trace.samples.length,
    current: cur,
    peak: { cpu: peakCpu, mem: peakMem },
    vpa: rv,
    vigil: rg,
    qos: { vpa: qosChange(before, vpaAfter), vigil: qosChange(before, vigilAfter) },
    monthly: {
      current:
        cur.cpu === undefined || cur.mem === undefined ? undefined : monthlyCost(cur.cpu, cur.mem, o.pricing),
      vpa: monthlyCost(rv.cpu.target, rv.mem.target, o.pricing),
      vigil: monthlyCost(rg.cpu.target, rg.mem.target, o.pricing),
    },
    currency: o.pricing.currency,
  };
}
