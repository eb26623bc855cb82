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
  targetUtilization: z
    .number()
    .min(0.05)
    .max(1)
    .default(0.8)
    .describe("Share of capacityPerReplica the forecast's upper bound may use per replica."),
  podStartupSeconds: z
    .int()
    .min(0)
    .max(3600)
    .default(60)
    .describe("From scale-up to a Ready pod: Vigil provisions for the load this far (plus a margin) ahead."),
});
export type PredictiveScalerSpec = z.output<typeof PredictiveScalerSpec>;

export const ForecastSummary = z.object({
  model: z.string().max(256),
  period: z.string().max(64).describe("Detected season, e.g. 24h, or none."),
  historyPoints: z.int().min(0).max(1_000_000),
  currentLoad: z.number().min(0).max(1e15).optional(),
  peakUpper: z.number().min(0).max(1e15).describe("Largest upper bound within the provisioning window."),
  peakUpperHorizon: z.number().min(0).max(1e15).describe("Largest upper bound within the horizon."),
  peakAt: z.string().max(64).optional().describe("When peakUpperHorizon is expected (RFC 3339)."),
  fittedAt: z.string().max(64),
});

export const PredictiveScalerStatus = z.object({
  observedGeneration: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  desiredReplicas: z.int().min(0).max(10_000).optional(),
  currentReplicas: z.int().min(0).max(10_000).optional(),
  predictedReplicas: z.int().min(0).max(10_000).optional(),
  reason: z.string().max(4096).optional(),
  forecast: ForecastSummary.optional(),
  hpa: z
    .object({
      name: z.string().max(253),
      baseMinReplicas: z.int().min(0).max(10_000).describe("The HPA's minReplicas before Vigil raised it."),
      appliedMinReplicas: z.int().min(0).max(10_000).optional(),
    })
    .optional()
    .describe("The HPA that targets the workload; Vigil moves only its minReplicas."),
  lastScaleTime: z.string().max(64).optional(),
  conditions: z.array(Condition).max(16).optional(),
});
export type PredictiveScalerStatus = z.output<typeof PredictiveScalerStatus>;
