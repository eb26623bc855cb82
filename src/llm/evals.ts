/**
 * The eval set's schema (docs/evals/questions.yaml) and the fact checker. Pure.
 */
import { z } from "zod";

export const WaitFor = z
  .object({
    podStatus: z.string().optional(),
    lastReason: z.string().optional(),
    restarts: z.number().int().min(1).optional(),
    event: z.string().optional(),
    readyPods: z.number().int().min(1).optional(),
    deploymentReason: z.string().optional(),
    nodeNotReady: z.boolean().optional(),
    seconds: z.number().int().min(1).max(300).optional(),
  })
  .refine((w) => Object.keys(w).length > 0, "waitFor needs at least one condition");
export type WaitFor = z.infer<typeof WaitFor>;

const K8sObject = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({ name: z.string().min(1) }),
});

export const EvalCase = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  namespace: z.string().regex(/^[a-z0-9-]{1,63}$/),
  setup: z.array(K8sObject),
  nodeLabels: z.record(z.string(), z.string()).optional(),
  waitFor: WaitFor,
  question: z.string().min(5),
  /** Every fact must match; a fact is a list of alternatives (case-insensitive regular expressions). */
  facts: z.array(z.array(z.string().min(1)).min(1)).min(1),
  forbidden: z.array(z.string().min(1)).optional(),
  expectNoApprovedWrites: z.boolean().optional(),
});
export type EvalCase = z.infer<typeof EvalCase>;

export const EvalFile = z.object({ version: z.literal(1), cases: z.array(EvalCase).min(20) });
export type EvalFile = z.infer<typeof EvalFile>;

export interface FactResult {
  readonly passed: boolean;
  /** The facts (first alternative shown) the answer missed. */
  readonly missing: readonly string[];
}

export function checkFacts(answer: string, facts: readonly (readonly string[])[]): FactResult {
  const missing = facts
    .filter((alts) => !alts.some((a) => new RegExp(a, "i").test(answer)))
    .map((alts) => alts.join(" | "));
  return { passed: missing.length === 0, missing };
}
