/**
 * The planner's data: actions with their exact patches, what was skipped and why, escalations, the history
 * the guardrails read, and the verification spec. Everything is plain, readonly and JSON-serialisable, so a
 * plan can be journaled, shown in a dry run, replayed offline and compared byte for byte.
 */
import type { ActionKind, HealingPolicySpec, Mode } from "../api/index.js";
import type { Finding, Snapshot } from "../health/index.js";
import type { ObjectRef } from "../model/index.js";
import type { LimitRange } from "./limitrange.js";
import type { NamedPolicy } from "./policy.js";

/** A JSON value, as it goes over the wire (API objects contain `null`, e.g. `creationTimestamp: null`). */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [k: string]: Json };

/** One RFC 6902 operation. `path` and `from` are JSON pointers (`~1` for `/`, `~0` for `~`). */
export type JsonPatchOp =
  | { readonly op: "test" | "add" | "replace"; readonly path: string; readonly value: Json }
  | { readonly op: "remove"; readonly path: string }
  | { readonly op: "copy" | "move"; readonly from: string; readonly path: string };

interface PatchBase {
  /** The object the request addresses (for an eviction: the pod). */
  readonly target: ObjectRef;
  /** The API path without a query string, e.g. `/apis/apps/v1/namespaces/shop/deployments/api`. */
  readonly path: string;
}

/**
 * One request the executor sends verbatim: `method path` with `Content-Type: contentType` and
 * `JSON.stringify(body)`. The executor adds only the query string: `fieldManager=vigil` on PATCH, and
 * `dryRun=All` in DryRun mode. The body is the same in DryRun and Auto.
 */
export type Patch =
  | (PatchBase & {
      readonly type: "json";
      readonly method: "PATCH";
      readonly contentType: "application/json-patch+json";
      readonly body: readonly JsonPatchOp[];
    })
  | (PatchBase & {
      readonly type: "merge";
      readonly method: "PATCH";
      readonly contentType: "application/merge-patch+json";
      readonly body: Json;
    })
  | (PatchBase & {
      readonly type: "strategic";
      readonly method: "PATCH";
      readonly contentType: "application/strategic-merge-patch+json";
      readonly body: Json;
    })
  | (PatchBase & {
      /** POST to the pod's `eviction` subresource; a 429 means a PodDisruptionBudget refused it. */
      readonly type: "eviction";
      readonly method: "POST";
      readonly contentType: "application/json";
      readonly body: Json;
    })
  | (PatchBase & {
      /** DELETE with a DeleteOptions body (preconditions on uid; gracePeriodSeconds 0 for a force delete). */
      readonly type: "delete";
      readonly method: "DELETE";
      readonly contentType: "application/json";
      readonly body: Json;
    });
export type PatchType = Patch["type"];

/** A workload whose availability the verification watches. */
export interface WatchedWorkload {
  readonly ref: ObjectRef;
  /** Available replicas required for success. */
  readonly desired: number;
  /** Available replicas when the action was planned: fewer than this afterwards is "worse". */
  readonly availableBefore: number;
}

/** What must be true by `deadline` for the action to count as a success. */
export interface VerifySpec {
  readonly deadline: string;
  /** This finding id must be gone. */
  readonly findingGone?: string | undefined;
  readonly workloads: readonly WatchedWorkload[];
  /** A node state: `drained` (cordoned, evicted pods gone or terminating) or `schedulable` (Ready, uncordoned). */
  readonly node?: { readonly name: string; readonly want: "drained" | "schedulable" } | undefined;
  /** Pods (by uid) that must be gone, or at least terminating when `terminatingIsEnough`. */
  readonly pods: readonly { readonly namespace: string; readonly name: string; readonly uid: string }[];
  readonly terminatingIsEnough: boolean;
  /** Ids of the findings on the watched objects at plan time: a new high or critical one is "worse". */
  readonly findingsBefore: readonly string[];
  /** Objects whose new findings count (the target and the workloads). */
  readonly watch: readonly ObjectRef[];
}

/** Pending for capacity: which resource, how much is missing, and the scale-up that would fit it. */
export interface CapacityRecommendation {
  readonly resource: string;
  /** What one pending pod requests, as a quantity. */
  readonly perPod: string;
  /** The most any schedulable Ready node has free. */
  readonly largestFree: string;
  readonly pendingPods: number;
  /** Requests of all pending pods that no node can take. */
  readonly missing: string;
  /** Nodes like the largest existing one needed to fit the pending pods; undefined when none fits a pod. */
  readonly nodesNeeded: number | undefined;
  readonly nodeShape: string | undefined;
}

export interface Reason {
  readonly findingId: string;
  /** One line, for events, conditions and the Incident timeline. */
  readonly message: string;
}

export interface Action {
  /** Short, stable idempotency key: a hash of `key`. Fits an annotation value and a label. */
  readonly id: string;
  /** The readable key the id hashes: finding, action kind, target and the target's generation. */
  readonly key: string;
  readonly kind: ActionKind;
  /** The object the first patch addresses (the workload, the node, or the pod's workload). */
  readonly target: ObjectRef;
  /** What cooldown and per-hour caps count against: the workload or the node. */
  readonly scope: ObjectRef;
  /** What the policy allows. Plans never contain `Off` actions (they are skipped); it appears in `skipped`. */
  readonly mode: Mode;
  /** Counts against maxConcurrentDisruptions while it is being verified. */
  readonly disruptive: boolean;
  readonly reason: Reason;
  /** Sent in order; the executor stops at the first failure. Empty for a recommendation. */
  readonly patches: readonly Patch[];
  /** Restores the state before the action, when that is possible; guarded by `test` operations. */
  readonly undo?: readonly Patch[] | undefined;
  readonly verify: VerifySpec;
  /** For restarts: the crash signature that history is matched on. */
  readonly signature?: string | undefined;
  readonly recommendation?: CapacityRecommendation | undefined;
}

export const GUARDRAILS = [
  "suspended",
  "outOfScope",
  "systemNamespace",
  "modeOff",
  "duplicate",
  "failedBefore",
  "busy",
  "cooldown",
  "rateLimit",
  "concurrency",
  "storm",
  "pdb",
  "grace",
  "dependencyDown",
  "noSafeAction",
  "needsFullObject",
  "policyCap",
  "quota",
  "limitRange",
  "notVigilCordoned",
  "unmanagedPod",
  "paused",
] as const;
export type Guardrail = (typeof GUARDRAILS)[number];

/** An action Vigil did not take, and the guardrail that stopped it. */
export interface Skipped {
  readonly kind: ActionKind;
  readonly target: ObjectRef;
  readonly findingId: string;
  readonly guardrail: Guardrail;
  readonly message: string;
  /** When the guardrail is a timer (cooldown, grace, healthy delay): when planning again could act. */
  readonly retryAt?: string | undefined;
  /** The action that was blocked, when it got far enough to have one (its patch is what would be sent). */
  readonly action?: Action | undefined;
}

export const ESCALATION_REASONS = [
  "storm",
  "dependencyDown",
  "restartNeverHelped",
  "failedBefore",
  "repeatedOom",
] as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[number];

/** A problem Vigil will not fix on its own and a person should look at. */
export interface Escalation {
  readonly reason: EscalationReason;
  readonly target: ObjectRef;
  readonly findingIds: readonly string[];
  readonly message: string;
}

export interface Plan {
  readonly at: string;
  readonly actions: readonly Action[];
  readonly skipped: readonly Skipped[];
  readonly escalations: readonly Escalation[];
  /** One line: counts of actions per mode, skips per guardrail, escalations. */
  readonly summary: string;
}

export const OUTCOMES = ["pending", "verified", "worse", "timedOut", "undone", "failed"] as const;
/** `failed`: the request was rejected (conflict, failed test, PDB); the action may be planned again. */
export type Outcome = (typeof OUTCOMES)[number];

/** One recorded action, as the executor journals it (in the Incident and on the object's annotations). */
export interface HistoryEntry {
  readonly id: string;
  readonly kind: ActionKind;
  readonly findingId: string;
  readonly target: ObjectRef;
  readonly scope: ObjectRef;
  readonly mode: Mode;
  /** When it was sent (RFC 3339). */
  readonly at: string;
  readonly outcome: Outcome;
  readonly signature?: string | undefined;
}

/** The full object as the API serves it (e.g. the informer cache's copy), for what the slim snapshot drops. */
export type RawLookup = (ref: ObjectRef) => unknown;

export interface PlanInput {
  readonly findings: readonly Finding[];
  readonly snapshot: Snapshot;
  /** The cluster policy: the default for every target, and the source of the cluster-wide limits. */
  readonly policy: HealingPolicySpec;
  /** HealingPolicy objects from the cluster; each governs its own namespace (see `resolvePolicy`). */
  readonly policies?: readonly NamedPolicy[] | undefined;
  /** Recent actions (at least the last 24 h), from every policy: caps and cooldowns are cluster-wide. */
  readonly history: readonly HistoryEntry[];
  /** Needed for rollbacks (the healthy ReplicaSet's full pod template) and exact annotation patches. */
  readonly raw?: RawLookup | undefined;
  readonly limitRanges?: readonly LimitRange[] | undefined;
  /**
   * Set by the executor for STORM_MEMORY_SECONDS after a storm escalation: node actions stay blocked until
   * then, so a partition that heals node by node does not end with the last node down being evacuated.
   */
  readonly stormUntil?: string | undefined;
  /** Labels of namespaces, for `namespaceSelector`; `kubernetes.io/metadata.name` is always implied. */
  readonly namespaceLabels?: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined;
}
