/**
 * @module
 * PredictiveScaler: scale a workload ahead of forecast load, never below what a reactive HPA would do.
 */
import { z } from "zod";
import { Condition, ObjectReference } from "./common.js";

export const PredictiveScalerSpec = z.object({
  target: ObjectReference.describe("The Deployment or StatefulSet to scale."),
  metric: z.object({
    kind: z.enum(["cpu", "promql"]).default("cpu"),
    query: z
      .string()
      .max(4096)
      .optional()
      .describe("PromQL for kind promql, e.g. sum(rate(http_requests_total[1m]))."),
  }),
  capacityPerReplica: z
    .number()
    .min(0)
    .max(1e12)
    .describe("Load one replica serves (millicores for cpu, units of the query for promql)."),
  minReplicas: z.int().min(0).max(10_000).default(1),
  maxReplicas: z.int().min(1).max(10_000),
  horizonSeconds: z.int().min(60).max(86_400).default(900),
  mode: z.enum(["Preview", "Auto"]).default("Preview"),
});
export type PredictiveScalerSpec = z.output<typeof PredictiveScalerSpec>;

export const PredictiveScalerStatus = z.object({
  observedGeneration: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  desiredReplicas: z.int().min(0).max(10_000).optional(),
  reason: z.string().max(4096).optional(),
  conditions: z.array(Condition).max(16).optional(),
});
