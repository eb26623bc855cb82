/**
 * @module
 * The pricing model: money per vCPU-hour and per GiB-hour of *requested* resources (what a scheduler
 * reserves and a node pool is sized for). Waste is the cost of request − usage; savings compare two requests.
 */
import { z } from "zod";
import { GiB, HOUR } from "./types.js";

export const Pricing = z.object({
  currency: z.string().min(1).default("USD"),
  /** Defaults are in the range of on-demand container list prices (e.g. Fargate, GKE Autopilot, 2024; unverified): set your own. */
  cpuPerCoreHour: z.number().nonnegative().default(0.04),
  memoryPerGiBHour: z.number().nonnegative().default(0.0045),
});
export type Pricing = z.output<typeof Pricing>;

export const DEFAULT_PRICING: Pricing = Pricing.parse({});

/** Cost of holding `cores` and `bytes` for `seconds`. */
export function costOf(cores: number, bytes: number, seconds: number, p: Pricing = DEFAULT_PRICING): number {
  return ((cores * p.cpuPerCoreHour + (bytes / GiB) * p.memoryPerGiBHour) * seconds) / HOUR;
}

/** Hours in an average month (365.25 · 24 / 12). */
export const MONTH_HOURS = 730.5;

export function monthlyCost(cores: number, bytes: number, p: Pricing = DEFAULT_PRICING): number {
  return costOf(cores, bytes, MONTH_HOURS * HOUR, p);
}

export interface Waste {
  /** Cost of what is requested but not used, per month at the given average usage. */
  readonly monthlyWaste: number;
  readonly monthlyCost: number;
}

/** Monthly cost of a request and the part of it that average usage leaves idle (never negative). */
export function waste(
  request: { cpu: number; mem: number },
  usage: { cpu: number; mem: number },
  p: Pricing = DEFAULT_PRICING,
): Waste {
  return {
    monthlyCost: monthlyCost(request.cpu, request.mem, p),
    monthlyWaste: monthlyCost(Math.max(0, request.cpu - usage.cpu), Math.max(0, request.mem - usage.mem), p),
  };
}

/** Sums per-workload amounts by a key (namespace, team): e.g. waste per namespace. */
export function sumBy<T>(
  items: readonly T[],
  key: (t: T) => string,
  value: (t: T) => number,
): Readonly<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const it of items) {
    const k = key(it);
    out[k] = (out[k] ?? 0) + value(it);
  }
  return out;
}
