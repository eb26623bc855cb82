/** What each remediation proposes before the policy guardrails run: a built action, or the reason it is blocked. */
import type { ActionKind, HealingPolicySpec } from "../api/index.js";
import type { Finding, Snapshot } from "../health/index.js";
import type { ObjectRef } from "../model/index.js";
import type { LimitRange } from "./limitrange.js";
import type {
  CapacityRecommendation,
  Escalation,
  Guardrail,
  HistoryEntry,
  Patch,
  RawLookup,
  VerifySpec,
} from "./types.js";

export interface Ctx {
  readonly now: Date;
  readonly snap: Snapshot;
  readonly policy: HealingPolicySpec;
  readonly history: readonly HistoryEntry[];
  readonly raw: RawLookup | undefined;
  readonly limitRanges: readonly LimitRange[];
  readonly findings: readonly Finding[];
  /** More nodes NotReady than the policy allows: no node actions. */
  readonly storm: boolean;
}

/** A guardrail verdict that stops one proposal (or one part of it, such as one pod's eviction). */
export interface Block {
  readonly guardrail: Guardrail;
  readonly message: string;
  readonly retryAt?: string | undefined;
  readonly escalation?: Escalation | undefined;
}

export interface Built {
  readonly type: "built";
  /** The target's generation, or what stands for it (a node's NotReady episode, a set of pod uids). */
  readonly generation: string;
  readonly message: string;
  readonly disruptive: boolean;
  readonly patches: (id: string) => readonly Patch[];
  readonly undo?: ((id: string) => readonly Patch[] | undefined) | undefined;
  readonly verify: Omit<VerifySpec, "deadline" | "findingsBefore">;
  readonly signature?: string | undefined;
  readonly recommendation?: CapacityRecommendation | undefined;
  /** Parts left out (a pod a PDB protects, a kube-system pod): reported as skipped, the rest goes ahead. */
  readonly partial?: readonly (Block & { readonly target: ObjectRef })[] | undefined;
}

export interface Proposal {
  readonly finding: Finding;
  readonly kind: ActionKind;
  readonly target: ObjectRef;
  readonly scope: ObjectRef;
  /** Labels the policy's selector is matched against. */
  readonly labels: Readonly<Record<string, string>>;
  readonly result: Built | (Block & { readonly type: "blocked" });
}

export function blocked(
  p: Omit<Proposal, "result">,
  guardrail: Guardrail,
  message: string,
  extra: { retryAt?: string; escalation?: Escalation } = {},
): Proposal {
  return { ...p, result: { type: "blocked", guardrail, message, ...extra } };
}
