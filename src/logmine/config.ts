/**
 * The miner's and the signal detectors' settings: one zod schema gives the type, the defaults and the check.
 * One configuration serves every log source; nothing here is tuned per data set.
 */
import { z } from "zod";

export const MinerConfig = z.object({
  /** Parse-tree depth as in Drain: root, token-count layer, `depth - 3` leading-token layers, leaves. */
  depth: z.int().min(3).max(8).default(4),
  /** A line joins the most similar cluster in its leaf when the share of equal constant words reaches this. */
  similarity: z.number().min(0).max(1).default(0.3),
  /**
   * Distinct words a constant position must show (the template's own included) before it becomes a
   * variable; until then a line that differs there starts a sibling cluster. 2 is plain Drain.
   */
  minDistinct: z.int().min(2).max(16).default(4),
  /** Children per tree node before new keys share the `<*>` child. */
  maxChildren: z.int().min(2).max(10_000).default(100),
  /** Live clusters; past it the least recently used ~10 % are evicted (bounded memory). */
  maxClusters: z.int().min(16).max(1_000_000).default(20_000),
  /** Exact lines remembered with their cluster, so that repeats skip the tree (0 turns it off). */
  lineCache: z.int().min(0).max(1_000_000).default(8_192),
  /** Merge clusters whose canonical templates become equal (variables of different word counts). */
  mergeEqualTemplates: z.boolean().default(true),
});
export type MinerConfig = z.output<typeof MinerConfig>;
export type MinerConfigInput = z.input<typeof MinerConfig>;

export const defaultMinerConfig: MinerConfig = MinerConfig.parse({});

export const SignalConfig = z.object({
  /** Lines per window below which a template's rate is too small to call a surge. */
  surgeMinCount: z.int().min(1).max(1_000_000).default(10),
  /** A surge: current rate at least this many times the baseline rate. */
  surgeRatio: z.number().min(1).max(1000).default(3),
  /** Templates listed in a log signature. */
  signatureTop: z.int().min(1).max(50).default(5),
  /** Example lines kept per template (first seen, bounded). */
  examples: z.int().min(0).max(10).default(2),
  /** Continuation lines folded into one multi-line event (stack traces) before it is cut. */
  maxEventLines: z.int().min(1).max(10_000).default(200),
  /** Characters kept of one event's text. */
  maxEventChars: z.int().min(80).max(1_000_000).default(8_192),
});
export type SignalConfig = z.output<typeof SignalConfig>;

export const defaultSignalConfig: SignalConfig = SignalConfig.parse({});
