/**
 * @module
 * Schema pieces shared by Vigil's custom resources: label selectors and conditions.
 */
import { z } from "zod";

export const LabelSelectorRequirement = z.object({
  key: z.string().max(317),
  operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
  values: z.array(z.string().max(63)).max(64).optional(),
});

export const LabelSelector = z
  .object({
    matchLabels: z.record(z.string(), z.string()).optional(),
    matchExpressions: z.array(LabelSelectorRequirement).max(32).optional(),
  })
  .describe("A Kubernetes label selector; empty selects everything.");
export type LabelSelector = z.output<typeof LabelSelector>;

export const Condition = z.object({
  type: z.string().max(316),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string().max(1024),
  message: z.string().max(32768),
  lastTransitionTime: z.string(),
  observedGeneration: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});
export type Condition = z.output<typeof Condition>;

export const ObjectReference = z.object({
  apiVersion: z.string().max(253),
  kind: z.string().max(63),
  namespace: z.string().max(63).optional(),
  name: z.string().max(253),
});
