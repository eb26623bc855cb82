/**
 * @module
 * One informer per kind the health analyzers read, kept in sync, exposed as the raw lists
 * `health.ingest` turns into a Snapshot. Pod metrics (metrics.k8s.io cannot be watched) are polled.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import * as health from "../health/index.js";
import { expectOk, Informer, keyOf as keyOfObj, rawRequest, slim, type ObjectJson } from "../kube/index.js";

interface KindPath {
  readonly key: health.KindKey;
  readonly group: string; // "" for core
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export const WATCHED: readonly KindPath[] = [
  { key: "pods", group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true },
  {
    key: "deployments",
    group: "apps",
    version: "v1",
    plural: "deployments",
    kind: "Deployment",
    namespaced: true,
  },
  {
    key: "replicaSets",
    group: "apps",
    version: "v1",
    plural: "replicasets",
    kind: "ReplicaSet",
    namespaced: true,
  },
  {
    key: "statefulSets",
    group: "apps",
    version: "v1",
    plural: "statefulsets",
    kind: "StatefulSet",
    namespaced: true,
  },
  {
    key: "daemonSets",
    group: "apps",
    version: "v1",
    plural: "daemonsets",
    kind: "DaemonSet",
    namespaced: true,
  },
  { key: "jobs", group: "batch", version: "v1", plural: "jobs", kind: "Job", namespaced: true },
  { key: "cronJobs", group: "batch", version: "v1", plural: "cronjobs", kind: "CronJob", namespaced: true },
  { key: "services", group: "", version: "v1", plural: "services", kind: "Service", namespaced: true },
  {
    key: "ingresses",
    group: "networking.k8s.io",
    version: "v1",
    plural: "ingresses",
    kind: "Ingress",
    namespaced: true,
  },
  {
    key: "ingressClasses",
    group: "networking.k8s.io",
    version: "v1",
    plural: "ingressclasses",
    kind: "IngressClass",
    namespaced: false,
  },
  {
    key: "persistentVolumeClaims",
    group: "",
    version: "v1",
    plural: "persistentvolumeclaims",
    kind: "PersistentVolumeClaim",
    namespaced: true,
  },
  {
    key: "persistentVolumes",
    group: "",
    version: "v1",
    plural: "persistentvolumes",
    kind: "PersistentVolume",
    namespaced: false,
  },
  {
    key: "storageClasses",
    group: "storage.k8s.io",
    version: "v1",
    plural: "storageclasses",
    kind: "StorageClass",
    namespaced: false,
  },
  { key: "nodes", group: "", version: "v1", plural: "nodes", kind: "Node", namespaced: false },
  {
    key: "horizontalPodAutoscalers",
    group: "autoscaling",
    version: "v2",
    plural: "horizontalpodautoscalers",
    kind: "HorizontalPodAutoscaler",
    namespaced: true,
  },
  {
    key: "podDisruptionBudgets",
    group: "policy",
    version: "v1",
    plural: "poddisruptionbudgets",
    kind: "PodDisruptionBudget",
    namespaced: true,
  },
  {
    key: "networkPolicies",
    group: "networking.k8s.io",
    version: "v1",
    plural: "networkpolicies",
    kind: "NetworkPolicy",
    namespaced: true,
  },
  {
    key: "webhookConfigurations",
    group: "admissionregistration.k8s.io",
    version: "v1",
    plural: "mutatingwebhookconfigurations",
    kind: "MutatingWebhookConfiguration",
    namespaced: false,
  },
  {
    key: "webhookConfigurations",
    group: "admissionregistration.k8s.io",
    version: "v1",
    plural: "validatingwebhookconfigurations",
    kind: "ValidatingWebhookConfiguration",
    namespaced: false,
  },
  { key: "configMaps", group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true },
  { key: "secrets", group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true },
  {
    key: "resourceQuotas",
    group: "",
    version: "v1",
    plural: "resourcequotas",
    kind: "ResourceQuota",
    namespaced: true,
  },
  { key: "events", group: "", version: "v1", plural: "events", kind: "Event", namespaced: true },
];

function collectionPath(k: KindPath, namespace: string | undefined): string {
  const base = k.group === "" ? `/api/${k.version}` : `/apis/${k.group}/${k.version}`;
  return k.namespaced && namespace !== undefined
    ? `${base}/namespaces/${namespace}/${k.plural}`
    : `${base}/${k.plural}`;
}

/** Keeps only what the analyzers need of ConfigMaps and Secrets: their keys, never the values. */
function keysOnly(obj: ObjectJson): ObjectJson {
  const keys = (m: unknown) =>
    typeof m === "object" && m !== null ? Object.fromEntries(Object.keys(m).map((k) => [k, ""])) : undefined;
  const out: ObjectJson = { ...obj };
  if ("data" in obj) out["data"] = keys(obj["data"]);
  if ("binaryData" in obj) out["binaryData"] = keys(obj["binaryData"]);
  if ("stringData" in obj) out["stringData"] = keys(obj["stringData"]);
  return out;
}

export interface WatchSetOptions {
  readonly namespace?: string | undefined;
  readonly onChange: (kind: health.KindKey, key: string) => void;
  readonly onRestart?: (fields: { path: string; reason: string; delayMs: number }) => void;
  readonly metricsIntervalMs?: number;
  /** Every object change (`undefined`: deleted), with an id unique across informers: feeds the analysis worker. */
  readonly onObject?: (kind: health.KindKey, id: string, obj: unknown) => void;
  readonly onMetrics?: (items: readonly unknown[]) => void;
}

export class WatchSet {
  readonly informers: { readonly spec: KindPath; readonly informer: Informer }[];
  readonly #kc: KubeConfig;
  readonly #opts: WatchSetOptions;
  #podMetrics: unknown[] = [];
  /** Slimmed objects per informer, reused while their resourceVersion is unchanged (ingest is most of an analysis). */
  readonly #parsed = new Map<Informer, Map<string, { rv: string | undefined; value: unknown }>>();
  #dropped = 0;

  constructor(kc: KubeConfig, opts: WatchSetOptions) {
    this.#kc = kc;
    this.#opts = opts;
    this.informers = WATCHED.map((spec, i) => ({
      spec,
      informer: new Informer(kc, {
        path: collectionPath(spec, opts.namespace),
        onChange: (key, obj) => {
          opts.onObject?.(spec.key, `${i}/${key}`, obj);
          opts.onChange(spec.key, key);
        },
        ...(opts.onRestart !== undefined ? { onRestart: opts.onRestart } : {}),
        transform: (o) => {
          const withKind = {
            apiVersion: spec.group === "" ? spec.version : `${spec.group}/${spec.version}`,
            kind: spec.kind,
            ...slim(o),
          };
          return spec.key === "configMaps" || spec.key === "secrets" ? keysOnly(withKind) : withKind;
        },
      }),
    }));
  }

  get synced(): boolean {
    return this.informers.every((i) => i.informer.synced);
  }

  /** The cached object for a reference (full but slimmed: no managedFields), for the planner's raw lookups. */
  lookup(ref: { kind: string; namespace: string; name: string }): ObjectJson | undefined {
    const key = ref.namespace === "" ? ref.name : `${ref.namespace}/${ref.name}`;
    for (const { spec, informer } of this.informers) if (spec.kind === ref.kind) return informer.get(key);
    return undefined;
  }

  /** Objects that did not parse into the analyzers' views (counted, never silently lost). */
  get dropped(): number {
    return this.#dropped;
  }

  /** The current snapshot, slimming only the objects that changed since the last call. */
  snapshot(namespaces: readonly string[] | undefined): health.Snapshot {
    const items: Partial<Record<health.KindKey, unknown[]>> = {};
    let dropped = 0;
    for (const { spec, informer } of this.informers) {
      const old = this.#parsed.get(informer) ?? new Map<string, { rv: string | undefined; value: unknown }>();
      const next = new Map<string, { rv: string | undefined; value: unknown }>();
      const out = (items[spec.key] ??= []);
      for (const obj of informer.list()) {
        const key = keyOfObj(obj);
        const rv = obj.metadata?.resourceVersion;
        const had = old.get(key);
        if (had !== undefined && had.rv === rv && rv !== undefined) {
          next.set(key, had);
          out.push(had.value);
          continue;
        }
        const r = health.ingestOne(spec.key, obj);
        if (!r.ok) {
          dropped++;
          continue;
        }
        next.set(key, { rv, value: r.value });
        out.push(r.value);
      }
      this.#parsed.set(informer, next);
    }
    const metrics: unknown[] = [];
    for (const m of this.#podMetrics) {
      const r = health.ingestOne("podMetrics", m);
      if (r.ok) metrics.push(r.value);
    }
    items.podMetrics = metrics;
    this.#dropped = dropped;
    return health.assembleSnapshot(items, { namespaces });
  }

  async #pollMetrics(signal: AbortSignal): Promise<void> {
    const path =
      this.#opts.namespace !== undefined
        ? `/apis/metrics.k8s.io/v1beta1/namespaces/${this.#opts.namespace}/pods`
        : "/apis/metrics.k8s.io/v1beta1/pods";
    while (!signal.aborted) {
      try {
        const body = expectOk(
          await rawRequest(this.#kc, "GET", path, { signal, timeoutMs: 10_000 }),
          "list",
          "pod metrics",
        ) as { items?: unknown[] };
        this.#podMetrics = body.items ?? [];
        this.#opts.onMetrics?.(this.#podMetrics);
      } catch {
        // metrics.k8s.io is optional: OOM evidence just lacks the observed usage
      }
      await new Promise((r) => setTimeout(r, this.#opts.metricsIntervalMs ?? 15_000));
    }
  }

  /** Runs every informer until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.map((i) => i.informer.run(signal)), this.#pollMetrics(signal)]);
  }
}
