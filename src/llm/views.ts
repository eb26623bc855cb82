/**
 * Slim, model-sized views of Kubernetes objects: one summary row per object for lists, the object
 * without managedFields and last-applied noise for gets, Secrets as key names only. Pure.
 */
import type {
  CoreV1Event,
  KubernetesObject,
  V1ContainerStatus,
  V1Deployment,
  V1Node,
  V1Pod,
} from "@kubernetes/client-node";

export interface KindInfo {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

const K = (apiVersion: string, kind: string, namespaced = true): KindInfo => ({
  apiVersion,
  kind,
  namespaced,
});

/** Kinds the tools know, by kubectl's names and short names. An unknown kind is an error, never a guess. */
export const KINDS: Readonly<Record<string, KindInfo>> = (() => {
  const table: [string[], KindInfo][] = [
    [["pod", "pods", "po"], K("v1", "Pod")],
    [["deployment", "deployments", "deploy"], K("apps/v1", "Deployment")],
    [["replicaset", "replicasets", "rs"], K("apps/v1", "ReplicaSet")],
    [["statefulset", "statefulsets", "sts"], K("apps/v1", "StatefulSet")],
    [["daemonset", "daemonsets", "ds"], K("apps/v1", "DaemonSet")],
    [["job", "jobs"], K("batch/v1", "Job")],
    [["cronjob", "cronjobs", "cj"], K("batch/v1", "CronJob")],
    [["service", "services", "svc"], K("v1", "Service")],
    [["endpoints", "ep"], K("v1", "Endpoints")],
    [["endpointslice", "endpointslices"], K("discovery.k8s.io/v1", "EndpointSlice")],
    [["configmap", "configmaps", "cm"], K("v1", "ConfigMap")],
    [["secret", "secrets"], K("v1", "Secret")],
    [["persistentvolumeclaim", "persistentvolumeclaims", "pvc"], K("v1", "PersistentVolumeClaim")],
    [["persistentvolume", "persistentvolumes", "pv"], K("v1", "PersistentVolume", false)],
    [["node", "nodes", "no"], K("v1", "Node", false)],
    [["namespace", "namespaces", "ns"], K("v1", "Namespace", false)],
    [["event", "events", "ev"], K("v1", "Event")],
    [
      ["horizontalpodautoscaler", "horizontalpodautoscalers", "hpa"],
      K("autoscaling/v2", "HorizontalPodAutoscaler"),
    ],
    [["poddisruptionbudget", "poddisruptionbudgets", "pdb"], K("policy/v1", "PodDisruptionBudget")],
    [["ingress", "ingresses", "ing"], K("networking.k8s.io/v1", "Ingress")],
    [["networkpolicy", "networkpolicies", "netpol"], K("networking.k8s.io/v1", "NetworkPolicy")],
    [["serviceaccount", "serviceaccounts", "sa"], K("v1", "ServiceAccount")],
    [["resourcequota", "resourcequotas", "quota"], K("v1", "ResourceQuota")],
    [["limitrange", "limitranges", "limits"], K("v1", "LimitRange")],
    [["storageclass", "storageclasses", "sc"], K("storage.k8s.io/v1", "StorageClass", false)],
    // Vigil's own records: incidents with their timeline, scalers with their forecast, healing policies.
    [["incident", "incidents", "inc"], K("vigil.dev/v1alpha1", "Incident")],
    [["predictivescaler", "predictivescalers", "ps"], K("vigil.dev/v1alpha1", "PredictiveScaler")],
    [["healingpolicy", "healingpolicies", "vhp"], K("vigil.dev/v1alpha1", "HealingPolicy")],
  ];
  const out: Record<string, KindInfo> = {};
  for (const [names, info] of table) for (const n of names) out[n] = info;
  return out;
})();

export function resolveKind(kind: string): KindInfo | undefined {
  return KINDS[kind.toLowerCase()];
}

export const KIND_NAMES: readonly string[] = [
  ...new Set(Object.values(KINDS).map((k) => k.kind.toLowerCase())),
];

function ts(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "string") {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** kubectl-style age: 45s, 12m, 3h, 5d. */
export function age(now: Date, v: unknown): string | undefined {
  const t = ts(v);
  if (t === undefined) return undefined;
  const s = Math.max(0, Math.round((now.getTime() - t) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

function containerState(cs: V1ContainerStatus): Record<string, unknown> {
  const out: Record<string, unknown> = { name: cs.name, ready: cs.ready, restarts: cs.restartCount };
  if (cs.state?.waiting)
    out["waiting"] = { reason: cs.state.waiting.reason, message: cs.state.waiting.message };
  if (cs.state?.terminated) {
    out["terminated"] = { reason: cs.state.terminated.reason, exitCode: cs.state.terminated.exitCode };
  }
  if (cs.state?.running) out["running"] = true;
  const last = cs.lastState?.terminated;
  if (last)
    out["lastTerminated"] = { reason: last.reason, exitCode: last.exitCode, finishedAt: last.finishedAt };
  return out;
}

/** The one-word status kubectl shows in `get pods`. */
export function podStatus(p: V1Pod): string {
  if (p.metadata?.deletionTimestamp) return "Terminating";
  for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
    const w = cs.state?.waiting?.reason;
    if (w !== undefined && w !== "" && w !== "PodInitializing") return w;
  }
  for (const cs of p.status?.containerStatuses ?? []) {
    const t = cs.state?.terminated?.reason;
    if (t !== undefined) return t;
  }
  return p.status?.reason ?? p.status?.phase ?? "Unknown";
}

function falseConditions(
  conds: readonly { type: string; status: string; reason?: string; message?: string }[] | undefined,
) {
  return (conds ?? [])
    .filter((c) =>
      c.type === "Ready" || c.type === "Available" || c.type === "Progressing"
        ? c.status !== "True"
        : c.status === "True" && /Pressure|Unavailable|Failed|Stalled/.test(c.type),
    )
    .map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message }));
}

/** One summary row per object, the shape `list_resources` returns. */
export function summarize(obj: KubernetesObject, now: Date): Record<string, unknown> {
  const m = obj.metadata ?? {};
  const base: Record<string, unknown> = { name: m.name, ...(m.namespace ? { namespace: m.namespace } : {}) };
  const a = age(now, m.creationTimestamp);
  if (a !== undefined) base["age"] = a;
  switch (obj.kind) {
    case "Pod": {
      const p = obj as V1Pod;
      const cs = p.status?.containerStatuses ?? [];
      return {
        ...base,
        status: podStatus(p),
        ready: `${cs.filter((c) => c.ready).length}/${p.spec?.containers.length ?? cs.length}`,
        restarts: cs.reduce((n, c) => n + c.restartCount, 0),
        node: p.spec?.nodeName,
        owner: m.ownerReferences?.map((o) => `${o.kind}/${o.name}`).join(","),
        containers: cs.map(containerState),
      };
    }
    case "Deployment": {
      const d = obj as V1Deployment;
      return {
        ...base,
        replicas: d.spec?.replicas ?? 1,
        ready: d.status?.readyReplicas ?? 0,
        updated: d.status?.updatedReplicas ?? 0,
        available: d.status?.availableReplicas ?? 0,
        images: d.spec?.template.spec?.containers.map((c) => c.image),
        problems: falseConditions(d.status?.conditions),
      };
    }
    case "Node": {
      const n = obj as V1Node;
      const ready = n.status?.conditions?.find((c) => c.type === "Ready");
      return {
        ...base,
        ready: ready?.status ?? "Unknown",
        reason: ready?.reason,
        unschedulable: n.spec?.unschedulable === true,
        taints: n.spec?.taints?.map((t) => `${t.key}:${t.effect}`),
        problems: falseConditions(n.status?.conditions),
      };
    }
    case "Event":
      return eventView(obj as CoreV1Event, now);
    case "Secret": {
      const data = (obj as { data?: Record<string, string> }).data ?? {};
      return { ...base, type: (obj as { type?: string }).type, keys: Object.keys(data) };
    }
    default: {
      const status = (obj as { status?: Record<string, unknown> }).status;
      const out: Record<string, unknown> = { ...base };
      if (status !== undefined) {
        for (const k of [
          "phase",
          "replicas",
          "readyReplicas",
          "availableReplicas",
          "currentReplicas",
          "desiredReplicas",
          "active",
          "succeeded",
          "failed",
        ]) {
          if (status[k] !== undefined) out[k] = status[k];
        }
        const conds = status["conditions"];
        if (Array.isArray(conds))
          out["problems"] = falseConditions(conds as { type: string; status: string }[]);
      }
      return out;
    }
  }
}

export function eventView(e: CoreV1Event, now: Date): Record<string, unknown> {
  const last = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp;
  return {
    type: e.type,
    reason: e.reason,
    object: `${e.involvedObject.kind ?? "?"}/${e.involvedObject.name ?? "?"}`,
    namespace: e.involvedObject.namespace ?? e.metadata.namespace,
    message: e.message,
    count: e.count ?? e.series?.count ?? 1,
    lastSeen: age(now, last),
  };
}

export function eventTime(e: CoreV1Event): number {
  return ts(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp) ?? 0;
}

const NOISY_ANNOTATIONS = [
  "kubectl.kubernetes.io/last-applied-configuration",
  "deployment.kubernetes.io/revision",
];

/** The object without managedFields, last-applied annotations and, for Secrets, without values. */
export function slim(obj: KubernetesObject): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(obj)) as Record<string, unknown> & {
    metadata?: Record<string, unknown>;
  };
  if (copy.metadata !== undefined) {
    delete copy.metadata["managedFields"];
    const ann = copy.metadata["annotations"] as Record<string, string> | undefined;
    if (ann !== undefined) {
      const kept = Object.fromEntries(Object.entries(ann).filter(([k]) => !NOISY_ANNOTATIONS.includes(k)));
      if (Object.keys(kept).length === 0) delete copy.metadata["annotations"];
      else copy.metadata["annotations"] = kept;
    }
  }
  if (copy["kind"] === "Secret") {
    for (const field of ["data", "stringData"]) {
      const d = copy[field] as Record<string, string> | undefined;
      if (d !== undefined) {
        copy[field] = Object.fromEntries(
          Object.entries(d).map(([k, v]) => [
            k,
            `<${field === "data" ? Math.floor((v.length * 3) / 4) : v.length} bytes, not shown>`,
          ]),
        );
      }
    }
  }
  return copy;
}
