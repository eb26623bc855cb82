/** Reading a HealingPolicy: which mode an action gets, and whether a target is in the policy's scope. */
import type { ActionKind, HealingPolicySpec, Mode } from "../api/index.js";
import type { ObjectRef } from "../model/index.js";
import { selects } from "./cluster.js";

/** Namespaces Vigil leaves alone unless the policy's namespaceSelector names them. */
export const SYSTEM_NAMESPACES: readonly string[] = ["kube-system", "kube-public", "kube-node-lease"];
const NAME_LABEL = "kubernetes.io/metadata.name";

export function modeFor(policy: HealingPolicySpec, kind: ActionKind): Mode {
  return policy.actions?.[kind] ?? policy.mode;
}

/** Does the namespaceSelector name this namespace explicitly (matchLabels or an `In` on the name label)? */
export function namesNamespace(policy: HealingPolicySpec, ns: string): boolean {
  const sel = policy.namespaceSelector;
  if (sel === undefined) return false;
  if (sel.matchLabels?.[NAME_LABEL] === ns) return true;
  return (sel.matchExpressions ?? []).some(
    (e) => e.key === NAME_LABEL && e.operator === "In" && (e.values ?? []).includes(ns),
  );
}

export type ScopeVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly guardrail: "outOfScope" | "systemNamespace"; readonly message: string };

/** A namespaced target: namespaceSelector, kube-system protection, then the workload selector. */
export function inScope(
  policy: HealingPolicySpec,
  target: ObjectRef,
  labels: Readonly<Record<string, string>>,
  namespaceLabels: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined,
): ScopeVerdict {
  const ns = target.namespace;
  if (ns === "") {
    return policy.namespaceSelector === undefined
      ? { ok: true }
      : {
          ok: false,
          guardrail: "outOfScope",
          message: "node actions need a cluster-wide policy (no namespaceSelector)",
        };
  }
  if (SYSTEM_NAMESPACES.includes(ns) && !namesNamespace(policy, ns)) {
    return {
      ok: false,
      guardrail: "systemNamespace",
      message: `namespace ${ns} is left alone unless the policy's namespaceSelector names it`,
    };
  }
  const nsLabels = { ...(namespaceLabels?.[ns] ?? {}), [NAME_LABEL]: ns };
  if (policy.namespaceSelector !== undefined && !selects(policy.namespaceSelector, nsLabels)) {
    return { ok: false, guardrail: "outOfScope", message: `namespace ${ns} is not selected by the policy` };
  }
  if (policy.selector !== undefined && !selects(policy.selector, labels)) {
    return {
      ok: false,
      guardrail: "outOfScope",
      message: `${target.kind} ${target.name} is not selected by the policy`,
    };
  }
  return { ok: true };
}

/** A HealingPolicy object read from the cluster: it governs the objects of its own namespace. */
export interface NamedPolicy {
  readonly namespace: string;
  readonly name: string;
  readonly spec: HealingPolicySpec;
}

/** The policy in force for one target, and where it came from (for messages and Incidents). */
export interface ResolvedPolicy {
  readonly spec: HealingPolicySpec;
  /** `HealingPolicy NS/NAME`, or `the cluster policy` for the operator's default. */
  readonly source: string;
  /** The HealingPolicy object in force; undefined when the cluster policy applies. */
  readonly object?: { readonly namespace: string; readonly name: string } | undefined;
}

/**
 * Which policy governs a target. A HealingPolicy object covers the objects of its own namespace that its
 * `selector` selects (no selector: all of them); one with a selector is more specific than one without, and
 * ties go to the first name in alphabetical order. Creating a policy in a system namespace opts that namespace
 * in. Everything else — other namespaces, and cluster-scoped targets such as nodes — falls to the cluster
 * policy (the operator's `--mode` and defaults). Cluster-wide limits (concurrent disruptions, the node storm
 * stop) always come from the cluster policy.
 */
export function resolvePolicy(
  cluster: HealingPolicySpec,
  policies: readonly NamedPolicy[],
  target: ObjectRef,
  labels: Readonly<Record<string, string>>,
): ResolvedPolicy {
  const ns = target.namespace;
  if (ns !== "") {
    const mine = policies
      .filter(
        (p) => p.namespace === ns && (p.spec.selector === undefined || selects(p.spec.selector, labels)),
      )
      .sort(
        (a, b) =>
          Number(b.spec.selector !== undefined) - Number(a.spec.selector !== undefined) ||
          a.name.localeCompare(b.name),
      );
    const p = mine[0];
    if (p !== undefined)
      return {
        spec: { ...p.spec, namespaceSelector: { matchLabels: { [NAME_LABEL]: ns } } },
        source: `HealingPolicy ${p.namespace}/${p.name}`,
        object: { namespace: p.namespace, name: p.name },
      };
  }
  return { spec: cluster, source: "the cluster policy" };
}
