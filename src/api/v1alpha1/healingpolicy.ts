/**
 * @module
 * HealingPolicy: what Vigil may do on its own, where, and how much. One zod source gives the type, the
 * runtime check and the CRD's OpenAPI schema (scripts/gen-crds.ts).
 */
import { z } from "zod";
import { Condition, LabelSelector } from "./common.js";

export const ACTION_KINDS = [
  "rollback",
  "raiseMemory",
  "addStartupProbe",
  "restart",
  "evacuateNode",
  "uncordonNode",
  "forceDeletePod",
  "cleanupPods",
  "recommendCapacity",
] as const;
export const ActionKind = z.enum(ACTION_KINDS);
export type ActionKind = z.output<typeof ActionKind>;

export const Mode = z.enum(["Off", "DryRun", "Recommend", "Auto"]);
export type Mode = z.output<typeof Mode>;

export const HealingPolicySpec = z
  .object({
    mode: Mode.default("DryRun").describe(
      "What Vigil may do on its own: Off, DryRun (plan and show the patch), Recommend (record), Auto (act).",
    ),
    actions: z
      .partialRecord(ActionKind, Mode)
      .optional()
      .describe("Per-action mode overrides, e.g. {rollback: Auto, evacuateNode: Recommend}."),
    namespaceSelector: LabelSelector.optional().describe(
      "Namespaces the policy covers; kube-system only when selected explicitly.",
    ),
    selector: LabelSelector.optional().describe("Workloads the policy covers, by label."),
    cooldownSeconds: z
      .int()
      .min(0)
      .max(86_400)
      .default(300)
      .describe("Minimum time between two actions on one workload."),
    maxActionsPerHour: z.int().min(0).max(100).default(5).describe("Per workload."),
    maxConcurrentDisruptions: z
      .int()
      .min(0)
      .max(100)
      .default(2)
      .describe("Cluster-wide cap on actions in flight."),
    maxUnhealthyNodesPercent: z
      .int()
      .min(0)
      .max(100)
      .default(30)
      .describe(
        "When more nodes than this are NotReady at once, Vigil stops acting on nodes and alerts (a network partition, not node failures).",
      ),
    nodeNotReadyGraceSeconds: z
      .int()
      .min(0)
      .max(3600)
      .default(30)
      .describe("How long a node stays NotReady before Vigil cordons it and evicts its pods."),
    nodeHealthyDelaySeconds: z
      .int()
      .min(0)
      .max(3600)
      .default(120)
      .describe(
        "How long a node Vigil cordoned must be Ready again before Vigil uncordons it (flapping nodes).",
      ),
    forceDeleteGraceSeconds: z
      .int()
      .min(0)
      .max(3600)
      .default(30)
      .describe(
        "How long past its deletion deadline a pod on a dead node may stay Terminating before Vigil force-deletes it.",
      ),
    memoryHeadroomPercent: z
      .int()
      .min(0)
      .max(400)
      .default(20)
      .describe(
        "Headroom over the observed memory peak when Vigil raises a limit after OOMKilled (at least +100Mi).",
      ),
    maxMemoryLimit: z
      .string()
      .regex(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/)
      .default("4Gi")
      .describe("Vigil never raises a memory limit above this."),
    maxStartupProbeSeconds: z
      .int()
      .min(10)
      .max(3600)
      .default(600)
      .describe(
        "Upper bound on the startup budget (failureThreshold x periodSeconds) Vigil gives a slow starter.",
      ),
    verifyTimeoutSeconds: z.int().min(10).max(3600).default(180),
    suspend: z.boolean().default(false),
  })
  .meta({
    "x-kubernetes-validations": [
      {
        rule: "self.mode != 'Auto' || self.maxActionsPerHour > 0",
        message: "Auto mode needs maxActionsPerHour > 0",
      },
    ],
  });
export type HealingPolicySpec = z.output<typeof HealingPolicySpec>;

export const HealingPolicyStatus = z.object({
  observedGeneration: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  conditions: z.array(Condition).max(16).optional(),
  actionsLastHour: z.int().min(0).max(100_000).optional(),
});
