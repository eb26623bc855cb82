/**
 * The HealingPolicy objects in the cluster, kept current by a watch: what the healer passes to the planner
 * on every cycle. A policy whose spec does not validate is left out (and logged when it arrives), so a typo
 * never widens what Vigil may do: its namespace falls back to the cluster policy. Each object is parsed once
 * per change, not on every heal cycle.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { HealingPolicySpec } from "../api/index.js";
import { Informer, type ObjectJson } from "../kube/index.js";
import type * as remediate from "../remediate/index.js";

const PATH = "/apis/vigil.dev/v1alpha1";

export interface PolicyWatchOptions {
  /** Watch one namespace only (`vigil run -n`); all namespaces when undefined. */
  readonly namespace?: string | undefined;
  readonly onInvalid: (fields: { policy: string; error: string }) => void;
  readonly onRestart?: (fields: { path: string; reason: string; delayMs: number }) => void;
}

/** Parses one HealingPolicy object, or says why its spec is invalid. */
export function toNamedPolicy(
  obj: ObjectJson,
): { policy: remediate.NamedPolicy } | { error: string; name: string } {
  const meta = (obj.metadata ?? {}) as { namespace?: string; name?: string };
  const name = `${meta.namespace ?? ""}/${meta.name ?? ""}`;
  const spec = HealingPolicySpec.safeParse((obj as { spec?: unknown }).spec ?? {});
  if (!spec.success)
    return { name, error: spec.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
  return { policy: { namespace: meta.namespace ?? "", name: meta.name ?? "", spec: spec.data } };
}

export class PolicyWatch {
  readonly #informer: Informer;
  /** Valid policies by informer key, parsed once per change. */
  readonly #valid = new Map<string, remediate.NamedPolicy>();
  #sorted: remediate.NamedPolicy[] | undefined;

  constructor(kc: KubeConfig, opts: PolicyWatchOptions) {
    this.#informer = new Informer(kc, {
      path:
        opts.namespace !== undefined
          ? `${PATH}/namespaces/${opts.namespace}/healingpolicies`
          : `${PATH}/healingpolicies`,
      onChange: (key, obj) => {
        this.#sorted = undefined;
        this.#valid.delete(key);
        if (obj === undefined) return;
        const r = toNamedPolicy(obj);
        if ("policy" in r) this.#valid.set(key, r.policy);
        else opts.onInvalid({ policy: r.name, error: r.error });
      },
      ...(opts.onRestart !== undefined ? { onRestart: opts.onRestart } : {}),
    });
  }

  get synced(): boolean {
    return this.#informer.synced;
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#informer.run(signal);
  }

  /** The valid policies, sorted by namespace and name. */
  current(): readonly remediate.NamedPolicy[] {
    this.#sorted ??= [...this.#valid.values()].sort(
      (a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name),
    );
    return this.#sorted;
  }
}
