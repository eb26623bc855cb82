/**
 * @module
 * Builds the health snapshot from the API: one paginated list per kind (limit=500), scoped to a namespace and
 * a label selector, slimmed on ingest (no managedFields, no Secret values). A kind the identity may not list
 * (403) or the server does not serve (404) is skipped with a warning, and its analyzers stay quiet; an
 * unreachable or unauthorised API server is a KubeError with one sentence.
 */
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  NetworkingV1Api,
  PolicyV1Api,
  StorageV1Api,
  type KubeConfig,
} from "@kubernetes/client-node";
import * as health from "../health/index.js";
import { KubeError, toKubeError } from "./errors.js";

export interface SnapshotOptions {
  /** One namespace; undefined lists all namespaces. */
  readonly namespace?: string | undefined;
  /** kubectl-style label selector, applied to workloads, pods and the objects that select them. */
  readonly labelSelector?: string | undefined;
  /** Objects per list page. */
  readonly pageSize?: number;
  /** Events kept at most (the newest pages win); the rest are counted in a warning. */
  readonly maxEvents?: number;
  /** Per-request timeout. */
  readonly timeoutMs?: number;
  /** Read metrics.k8s.io pod usage (for OOM evidence). */
  readonly metrics?: boolean;
}

export interface BuiltSnapshot {
  readonly snapshot: health.Snapshot;
  /** One sentence each: skipped kinds, truncated events, objects that did not parse. */
  readonly warnings: readonly string[];
  /** Objects read per kind. */
  readonly counts: Readonly<Partial<Record<health.KindKey, number>>>;
  readonly pages: number;
}

interface Page {
  readonly items: readonly unknown[];
  readonly metadata?: { readonly _continue?: string | undefined } | undefined;
}

interface ListArgs {
  readonly namespace: string | undefined;
  readonly labelSelector: string | undefined;
  readonly limit: number;
  readonly _continue: string | undefined;
}

type Lister = (a: ListArgs) => Promise<Page>;

interface KindSpec {
  readonly key: health.KindKey;
  /** Plural for messages ("pods"). */
  readonly what: string;
  readonly namespaced: boolean;
  readonly selectable: boolean;
  readonly list: Lister;
  /** Items of these lists carry no `kind`; the schema needs it. */
  readonly kind?: string;
}

interface Params {
  readonly limit: number;
  readonly _continue?: string;
  readonly labelSelector?: string;
}

function q(a: ListArgs): Params {
  return {
    limit: a.limit,
    ...(a._continue !== undefined ? { _continue: a._continue } : {}),
    ...(a.labelSelector !== undefined ? { labelSelector: a.labelSelector } : {}),
  };
}

function kinds(kc: KubeConfig, metrics: boolean): KindSpec[] {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  const storage = kc.makeApiClient(StorageV1Api);
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);
  const policy = kc.makeApiClient(PolicyV1Api);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const ns =
    (inNs: (p: Params & { namespace: string }) => Promise<Page>, all: (p: Params) => Promise<Page>): Lister =>
    (a) =>
      a.namespace !== undefined ? inNs({ ...q(a), namespace: a.namespace }) : all(q(a));
  const specs: KindSpec[] = [
    {
      key: "pods",
      what: "pods",
      namespaced: true,
      selectable: true,
      list: ns(
        (p) => core.listNamespacedPod(p),
        (p) => core.listPodForAllNamespaces(p),
      ),
    },
    {
      key: "deployments",
      what: "deployments",
      namespaced: true,
      selectable: true,
      list: ns(
        (p) => apps.listNamespacedDeployment(p),
        (p) => apps.listDeploymentForAllNamespaces(p),
      ),
    },
    {
      key: "replicaSets",
      what: "replicasets",
      namespaced: true,
      selectable: true,
      list: ns(
        (p) => apps.listNamespacedReplicaSet(p),
        (p) => apps.listReplicaSetForAllNamespaces(p),
      ),
    },
    {
      key: "statefulSets",
      what: "statefulsets",
      namespaced: true,
      selectable: true,
      list: ns(
        (p) => apps.listNamespacedStatefulSet(p),
        (p) => apps.listStatefulSetForAllNamespaces(p),
      ),
    },
    {
      key: "daemonSets",
      what: "daemonsets",
      namespaced: true,
      selectable: true,
      list: ns(
        (p) => apps.listNamespacedDaemonSet(p),
        (p) => apps.listDaemonSetForAllNamespaces(p),
      ),
    },
    {
      key: "jobs",
      what: "jobs",
      namespaced: true,
      selectable: true,
      list: ns(
        (p) => batch.listNamespacedJob(p),
        (p) => batch.listJobForAllNamespaces(p),
      ),
    },
    {
      key: "cronJobs",
      what: "cronjobs",
      namespaced: true,
      selectable: true,
      list: ns(
        (p) => batch.listNamespacedCronJob(p),
        (p) => batch.listCronJobForAllNamespaces(p),
      ),
    },
    {
      key: "services",
      what: "services",
      namespaced: true,
      selectable: true,
      list: ns(
        (p) => core.listNamespacedService(p),
        (p) => core.listServiceForAllNamespaces(p),
      ),
    },
    {
      key: "ingresses",
      what: "ingresses",
      namespaced: true,
      selectable: true,
      list: ns(
        (p) => net.listNamespacedIngress(p),
        (p) => net.listIngressForAllNamespaces(p),
      ),
    },
    {
      key: "ingressClasses",
      what: "ingressclasses",
      namespaced: false,
      selectable: false,
      list: (a) => net.listIngressClass(q(a)),
    },
    {
      key: "persistentVolumeClaims",
      what: "persistentvolumeclaims",
      namespaced: true,
      selectable: true,
      list: ns(
        (p) => core.listNamespacedPersistentVolumeClaim(p),
        (p) => core.listPersistentVolumeClaimForAllNamespaces(p),
      ),
    },
    {
      key: "persistentVolumes",
      what: "persistentvolumes",
      namespaced: false,
      selectable: false,
      list: (a) => core.listPersistentVolume(q(a)),
    },
    {
      key: "storageClasses",
      what: "storageclasses",
      namespaced: false,
      selectable: false,
      list: (a) => storage.listStorageClass(q(a)),
    },
    { key: "nodes", what: "nodes", namespaced: false, selectable: false, list: (a) => core.listNode(q(a)) },
    {
      key: "horizontalPodAutoscalers",
      what: "horizontalpodautoscalers",
      namespaced: true,
      selectable: true,
      list: ns(
        (p) => autoscaling.listNamespacedHorizontalPodAutoscaler(p),
        (p) => autoscaling.listHorizontalPodAutoscalerForAllNamespaces(p),
      ),
    },
    {
      key: "podDisruptionBudgets",
      what: "poddisruptionbudgets",
      namespaced: true,
      selectable: true,
      list: ns(
        (p) => policy.listNamespacedPodDisruptionBudget(p),
        (p) => policy.listPodDisruptionBudgetForAllNamespaces(p),
      ),
    },
    {
      key: "networkPolicies",
      what: "networkpolicies",
      namespaced: true,
      selectable: true,
      list: ns(
        (p) => net.listNamespacedNetworkPolicy(p),
        (p) => net.listNetworkPolicyForAllNamespaces(p),
      ),
    },
    {
      key: "webhookConfigurations",
      what: "validatingwebhookconfigurations",
      namespaced: false,
      selectable: false,
      kind: "ValidatingWebhookConfiguration",
      list: (a) => admission.listValidatingWebhookConfiguration(q(a)),
    },
    {
      key: "webhookConfigurations",
      what: "mutatingwebhookconfigurations",
      namespaced: false,
      selectable: false,
      kind: "MutatingWebhookConfiguration",
      list: (a) => admission.listMutatingWebhookConfiguration(q(a)),
    },
    {
      key: "configMaps",
      what: "configmaps",
      namespaced: true,
      selectable: false,
      list: ns(
        (p) => core.listNamespacedConfigMap(p),
        (p) => core.listConfigMapForAllNamespaces(p),
      ),
    },
    {
      key: "secrets",
      what: "secrets",
      namespaced: true,
      selectable: false,
      list: ns(
        (p) => core.listNamespacedSecret(p),
        (p) => core.listSecretForAllNamespaces(p),
      ),
    },
    {
      key: "resourceQuotas",
      what: "resourcequotas",
      namespaced: true,
      selectable: false,
      list: ns(
        (p) => core.listNamespacedResourceQuota(p),
        (p) => core.listResourceQuotaForAllNamespaces(p),
      ),
    },
    {
      key: "events",
      what: "events",
      namespaced: true,
      selectable: false,
      list: ns(
        (p) => core.listNamespacedEvent(p),
        (p) => core.listEventForAllNamespaces(p),
      ),
    },
  ];
  if (metrics) {
    specs.push({
      key: "podMetrics",
      what: "pods.metrics.k8s.io",
      namespaced: true,
      selectable: true,
      list: async (a) => {
        const base = { group: "metrics.k8s.io", version: "v1beta1", plural: "pods", ...q(a) };
        const res: unknown =
          a.namespace !== undefined
            ? await custom.listNamespacedCustomObject({ ...base, namespace: a.namespace })
            : await custom.listClusterCustomObject(base);
        return res as Page;
      },
    });
  }
  return specs;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new KubeError(
          "Timeout",
          `list ${what}: the API server did not answer within ${ms / 1000}s`,
          undefined,
        ),
      );
    }, ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One kind's slimmed objects, ingested page by page: a raw page is garbage as soon as it is slimmed. */
interface Listed {
  readonly items: unknown[];
  readonly dropped: health.DroppedObject[];
  readonly pages: number;
  /** Raw objects beyond the cap, not read. */
  readonly beyondCap: number;
}

/** Lists and slims every page of one kind; restarts once from the first page when the continue token expires (410). */
async function listAll(
  spec: KindSpec,
  args: Omit<ListArgs, "_continue">,
  timeoutMs: number,
  cap: number,
): Promise<Listed> {
  const what = `${spec.what}${spec.namespaced && args.namespace !== undefined ? ` in namespace ${args.namespace}` : ""}`;
  for (let attempt = 0; ; attempt++) {
    const items: unknown[] = [];
    const dropped: health.DroppedObject[] = [];
    let read = 0;
    let pages = 0;
    let beyondCap = 0;
    let cont: string | undefined;
    try {
      do {
        const page = await withTimeout(spec.list({ ...args, _continue: cont }), timeoutMs, what);
        pages++;
        const keep = Math.max(0, Math.min(page.items.length, cap - read));
        beyondCap += page.items.length - keep;
        read += keep;
        const raw = keep === page.items.length ? page.items : page.items.slice(0, keep);
        health.ingestInto(
          spec.key,
          spec.kind !== undefined ? raw.map((it) => ({ ...(it as object), kind: spec.kind })) : raw,
          items,
          dropped,
        );
        cont = page.metadata?._continue;
        if (cont === "") cont = undefined;
      } while (cont !== undefined);
      return { items, dropped, pages, beyondCap };
    } catch (err) {
      const e = toKubeError(err, "list", what);
      if (e.reason === "Expired" && attempt === 0) continue;
      throw e;
    }
  }
}

/**
 * Lists the cluster (or one namespace) and returns the slim snapshot the health analyzers read. Each page is
 * slimmed as it arrives, so the process never holds the raw cluster, only one raw page per kind.
 */
export async function buildSnapshot(kc: KubeConfig, opts: SnapshotOptions = {}): Promise<BuiltSnapshot> {
  const pageSize = opts.pageSize ?? 500;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxEvents = opts.maxEvents ?? 20_000;
  const specs = kinds(kc, opts.metrics ?? true);
  const listed: (Listed | undefined)[] = specs.map(() => undefined);
  const skipped: health.SkippedKind[] = [];
  const warnings: string[] = [];
  let pages = 0;
  const results = await Promise.allSettled(
    specs.map((s) =>
      listAll(
        s,
        {
          namespace: s.namespaced ? opts.namespace : undefined,
          labelSelector: s.selectable ? opts.labelSelector : undefined,
          limit: pageSize,
        },
        timeoutMs,
        s.key === "events" ? maxEvents : Number.POSITIVE_INFINITY,
      ),
    ),
  );
  // An unreachable or unauthorised server fails every list: report that once, as the error.
  for (const r of results) {
    if (r.status === "rejected") {
      const e = r.reason instanceof KubeError ? r.reason : toKubeError(r.reason, "list", "objects");
      if (e.reason === "Unreachable" || e.reason === "Unauthorized" || e.reason === "Timeout") throw e;
    }
  }
  results.forEach((r, i) => {
    const s = specs[i];
    if (s === undefined) return;
    if (r.status === "fulfilled") {
      listed[i] = r.value;
      pages += r.value.pages;
      if (r.value.beyondCap > 0)
        warnings.push(`${r.value.beyondCap} ${s.what} beyond the first ${maxEvents} were not read`);
      return;
    }
    const e = r.reason instanceof KubeError ? r.reason : toKubeError(r.reason, "list", s.what);
    const scope = s.namespaced && opts.namespace !== undefined ? ` in namespace ${opts.namespace}` : "";
    let reason: string;
    if (e.reason === "Forbidden") reason = `no permission to list ${s.what}${scope} (RBAC)`;
    else if (e.reason === "NotFound") reason = `the API server does not serve ${s.what}`;
    else throw e;
    if (!skipped.some((k) => k.kind === s.key)) skipped.push({ kind: s.key, reason });
    warnings.push(`skipped ${s.what}: ${reason}; the analyzers that need them did not run`);
  });
  // Kinds listed by two specs (webhook configurations) keep the spec order; dropped objects go by kind.
  const slim: Partial<Record<health.KindKey, unknown[]>> = {};
  const dropped: health.DroppedObject[] = [];
  for (const k of health.KIND_KEYS) {
    specs.forEach((s, i) => {
      const l = listed[i];
      if (s.key !== k || l === undefined) return;
      const into = (slim[k] ??= []);
      for (const it of l.items) into.push(it);
      dropped.push(...l.dropped);
    });
  }
  const snapshot = health.assembleSnapshot(slim, {
    namespaces: opts.namespace !== undefined ? [opts.namespace] : undefined,
    skipped,
  });
  for (const d of dropped) warnings.push(`ignored ${d.kind} ${d.name}: ${d.problem}`);
  const counts: Partial<Record<health.KindKey, number>> = {};
  for (const k of health.KIND_KEYS) counts[k] = snapshot[k].length;
  return { snapshot, warnings, counts, pages };
}
