/**
 * Thresholds of the analyzers: one zod schema gives the type, the defaults and the check.
 */
import { z } from "zod";

export const HealthConfig = z.object({
  /** Restarts per hour of pod age, with the container currently running, that make a restart storm. */
  restartStormPerHour: z.number().min(0.1).max(1000).default(6),
  /** Fewer restarts than this are never a storm, whatever the rate. */
  restartStormMin: z.int().min(1).max(1000).default(5),
  /** A pod deleting for this long past its grace period is stuck Terminating. */
  stuckTerminatingSeconds: z.int().min(0).max(86_400).default(300),
  /** A pod Pending (scheduled, not starting) for this long without a known reason is reported. */
  pendingSeconds: z.int().min(0).max(86_400).default(300),
  /** Unhealthy (probe) events older than this no longer count. */
  eventWindowSeconds: z.int().min(60).max(86_400).default(3_600),
  /** A workload below its desired ready replicas for this long, with no cause found, is reported. */
  unavailableSeconds: z.int().min(0).max(86_400).default(120),
  /** A rollout that has not progressed for this long (with no progress deadline set) is stuck. */
  stuckRolloutSeconds: z.int().min(60).max(86_400).default(600),
  /** An HPA at maxReplicas for this long (and wanting more) is pinned. */
  hpaPinnedSeconds: z.int().min(0).max(86_400).default(600),
  /** ResourceQuota usage share reported as near the limit. */
  quotaNearRatio: z.number().min(0.5).max(1).default(0.9),
  /** Node condition types that are failures when True; unknown (vendor) conditions are never failures. */
  nodePressureConditions: z
    .array(z.string())
    .default(["MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"]),
  /** Evidence items kept per finding; the rest are counted in `evidenceOmitted`. */
  maxEvidence: z.int().min(1).max(1000).default(20),
  /** Report container hygiene (privileged, root, no requests/limits, :latest, default SA). */
  hygiene: z.boolean().default(true),
  /** Namespaces whose hygiene findings are not reported (system namespaces). */
  hygieneIgnoreNamespaces: z.array(z.string()).default(["kube-system", "kube-public", "kube-node-lease"]),
});
export type HealthConfig = z.output<typeof HealthConfig>;
export type HealthConfigInput = z.input<typeof HealthConfig>;

export const defaultHealthConfig: HealthConfig = HealthConfig.parse({});
