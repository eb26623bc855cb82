/**
 * A finding: one root cause, with the object it is about, the owner chain, evidence with timestamps, a fix a
 * person can read and an action the remediation engine can take, and a link to the Kubernetes docs.
 */
import type { ObjectRef } from "../model/index.js";

export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** critical 3 … low 0: for sorting and for `--fail-on`. */
export function severityRank(s: Severity): number {
  return 3 - SEVERITIES.indexOf(s);
}

export const ANALYZERS = [
  "Pod",
  "Deployment",
  "ReplicaSet",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "CronJob",
  "Service",
  "Ingress",
  "Storage",
  "Node",
  "HorizontalPodAutoscaler",
  "PodDisruptionBudget",
  "NetworkPolicy",
  "Webhook",
  "ConfigReference",
  "ResourceQuota",
  "ContainerHygiene",
] as const;
export type AnalyzerName = (typeof ANALYZERS)[number];

/** One observation behind a finding. `at` is when Kubernetes recorded it (RFC 3339), when known. */
export interface Evidence {
  readonly object: ObjectRef;
  readonly source: "condition" | "containerState" | "event" | "status" | "spec" | "metric";
  readonly message: string;
  readonly at?: string | undefined;
  readonly count?: number | undefined;
}

/**
 * What the remediation engine could do, as data. `manual` means no safe automatic action exists; the
 * human-readable fix says what to change. Parameters are plain JSON per kind.
 */
export type SuggestedAction =
  | {
      readonly kind: "rollback";
      readonly target: ObjectRef;
      readonly params: { readonly toRevision: number };
    }
  | {
      readonly kind: "setResources";
      readonly target: ObjectRef;
      readonly params: {
        readonly container: string;
        readonly limits?: Readonly<Record<string, string>>;
        readonly requests?: Readonly<Record<string, string>>;
      };
    }
  | {
      readonly kind: "addStartupProbe";
      readonly target: ObjectRef;
      readonly params: {
        readonly container: string;
        readonly periodSeconds: number;
        readonly failureThreshold: number;
      };
    }
  | {
      readonly kind: "createObject";
      readonly target: ObjectRef;
      readonly params: { readonly keys: readonly string[] };
    }
  | { readonly kind: "deletePod"; readonly target: ObjectRef; readonly params: { readonly force: boolean } }
  | {
      readonly kind: "uncordon";
      readonly target: ObjectRef;
      readonly params: Readonly<Record<string, never>>;
    }
  | {
      readonly kind: "cordonAndDrain";
      readonly target: ObjectRef;
      readonly params: Readonly<Record<string, never>>;
    }
  | {
      readonly kind: "scale";
      readonly target: ObjectRef;
      readonly params: { readonly field: "maxReplicas" | "replicas"; readonly value: number };
    }
  | {
      readonly kind: "resumeRollout";
      readonly target: ObjectRef;
      readonly params: Readonly<Record<string, never>>;
    }
  | { readonly kind: "manual"; readonly target: ObjectRef; readonly params: Readonly<Record<string, never>> };

export type ActionKind = SuggestedAction["kind"];

export interface Fix {
  /** What to change, for a person. */
  readonly summary: string;
  readonly action: SuggestedAction;
}

/** One changed field between two pod templates (a bad rollout's diff). */
export interface TemplateChange {
  readonly path: string;
  readonly before: string | undefined;
  readonly after: string | undefined;
}

export interface Finding {
  /** Stable across runs for the same root cause: `<analyzer>/<code>/<kind>/<namespace>/<name>`. */
  readonly id: string;
  readonly analyzer: AnalyzerName;
  /** A bounded, machine-stable reason code (`CrashLoopBackOff`, `BadRollout`, …): safe as a metric label. */
  readonly code: string;
  readonly severity: Severity;
  /** The object the root cause belongs to: the workload when there is one. */
  readonly object: ObjectRef;
  /** From the first affected object up to `object` (e.g. Pod → ReplicaSet → Deployment). */
  readonly ownerChain: readonly ObjectRef[];
  /** One line. */
  readonly reason: string;
  readonly evidence: readonly Evidence[];
  /** Evidence items left out after the cap (`HealthConfig.maxEvidence`). */
  readonly evidenceOmitted: number;
  readonly fix: Fix;
  readonly docs: string;
  /** Earliest timestamp among the evidence, when any has one. */
  readonly since?: string | undefined;
  /** For a bad rollout: what changed between the healthy and the failing pod template. */
  readonly changes?: readonly TemplateChange[] | undefined;
}

export function findingId(analyzer: AnalyzerName, code: string, ref: ObjectRef): string {
  return `${analyzer}/${code}/${ref.kind}/${ref.namespace === "" ? "-" : ref.namespace}/${ref.name}`;
}

/** Orders findings: severity, then namespace, kind, name, code. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    a.object.namespace.localeCompare(b.object.namespace) ||
    a.object.kind.localeCompare(b.object.kind) ||
    a.object.name.localeCompare(b.object.name) ||
    a.code.localeCompare(b.code)
  );
}

export const DOCS = {
  crashLoop:
    "https://kubernetes.io/docs/tasks/debug/debug-application/debug-pods/#my-pod-is-crashing-or-otherwise-unhealthy",
  podLifecycle: "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/",
  images: "https://kubernetes.io/docs/concepts/containers/images/",
  oom: "https://kubernetes.io/docs/tasks/configure-pod-container/assign-memory-resource/#exceed-a-container-s-memory-limit",
  probes:
    "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
  scheduling: "https://kubernetes.io/docs/concepts/scheduling-eviction/kube-scheduler/",
  schedulingGates: "https://kubernetes.io/docs/concepts/scheduling-eviction/pod-scheduling-readiness/",
  eviction: "https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/",
  termination: "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination",
  initContainers: "https://kubernetes.io/docs/concepts/workloads/pods/init-containers/",
  configMaps: "https://kubernetes.io/docs/concepts/configuration/configmap/",
  secrets: "https://kubernetes.io/docs/concepts/configuration/secret/",
  deployment: "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/",
  rollback: "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-back-a-deployment",
  progressDeadline: "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#failed-deployment",
  replicaSet: "https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/",
  statefulSet: "https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/",
  daemonSet: "https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/",
  job: "https://kubernetes.io/docs/concepts/workloads/controllers/job/",
  cronJob: "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/",
  service: "https://kubernetes.io/docs/concepts/services-networking/service/",
  ingress: "https://kubernetes.io/docs/concepts/services-networking/ingress/",
  pvc: "https://kubernetes.io/docs/concepts/storage/persistent-volumes/",
  storageClass: "https://kubernetes.io/docs/concepts/storage/storage-classes/",
  node: "https://kubernetes.io/docs/concepts/architecture/nodes/#condition",
  hpa: "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/",
  pdb: "https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
  networkPolicy: "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
  webhooks: "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/",
  quota: "https://kubernetes.io/docs/concepts/policy/resource-quotas/",
  securityContext: "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
  resources: "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
  serviceAccount: "https://kubernetes.io/docs/concepts/security/service-accounts/",
} as const;
