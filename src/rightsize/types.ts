/**
 * @module
 * Plain data shared by the right-sizing core: usage samples, resource amounts and recommendations.
 * CPU is in cores, memory in bytes, time in Unix seconds.
 */

/** One usage observation of one container. Requests, when known, are those in force at `t`. */
export interface UsageSample {
  readonly t: number;
  /** CPU usage in cores (average over the sampling interval). */
  readonly cpu: number;
  /** Memory working set in bytes. */
  readonly mem: number;
  readonly cpuRequest?: number | undefined;
  readonly memRequest?: number | undefined;
}

/** A container's usage history, in time order. */
export interface UsageTrace {
  readonly name: string;
  readonly samples: readonly UsageSample[];
}

/** A request/limit pair for both resources; `undefined` means "not set". */
export interface Resources {
  readonly cpu: number | undefined;
  readonly mem: number | undefined;
}

/** A recommended amount with its bounds: the updater acts when the current value leaves [lower, upper]. */
export interface Bounded {
  readonly lower: number;
  readonly target: number;
  readonly upper: number;
}

/** What one recommender says about one container, with the reasons a reader needs. */
export interface Recommendation {
  readonly recommender: "vpa" | "vigil";
  readonly cpu: Bounded;
  readonly mem: Bounded;
  /** Recommended limits (VPA keeps the original limit/request ratio, so it gives none of its own). */
  readonly limits: Resources;
  /** 0 (no history) … 1 (full confidence). VPA's is its confidence in days, capped at 1 here for comparison. */
  readonly confidence: number;
  /** Short human-readable reasons, e.g. "cpu: p85 (volatility 0.21)", "memory: rising 12 MiB/h". */
  readonly reasons: readonly string[];
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const HOUR = 3600;
export const DAY = 86_400;
