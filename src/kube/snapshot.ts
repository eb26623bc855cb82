/**
 * @module
 * Builds the health snapshot from the API: one paginated list per kind (limit=500), scoped to a namespace and
 * a label selector, slimmed on ingest (no managedFields, no Secret values). A kind the identity may not list
 * (403) or the server does not serve (404) is skipped with a warning, and its analyzers stay quiet; an
 * unreachable or unauthorised API server is a KubeError with one sentence.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { ApiException } from "@kubernetes/client-node";
import * as health from "../health/index.js";
import { KubeError, toKubeError } from "./errors.js";
import { rawRequest } from "./raw.js";

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
  readonly items: unknown[];
  readonly metadata?: { readonly continue?: string | undefined } | undefined;
}

interface ListArgs {
  readonly namespace: string | undefined;
  readonly labelSelector: string | undefined;
  readonly limit: number;
  readonly _continue: string | undefined;
}

interface KindSpec {
  readonly key: health.KindKey;
  /** Plural for messages ("pods"). */
  readonly what: string;
  readonly namespaced: boolean;
  readonly selectable: boolean;
  /** API group/version ("v1" for core, "apps/v1") and resource plural. */
  readonly gv: string;
  readonly resource: string;
  /** Items of these lists carry no `kind`; the schema needs it. */
  readonly kind?: string;
  /** Untyped in client-node (custom objects): its timestamps were never `Date`s. */
  readonly untyped?: boolean;
}

const ns = (key: health.KindKey, gv: string, resource: string, selectable = true): KindSpec => ({
  key,
  what: resource,
  namespaced: true,
  selectable,
  gv,
  resource,
});
const cluster = (key: health.KindKey, gv: string, resource: string): KindSpec => ({
  key,
  what: resource,
  namespaced: false,
  selectable: false,
  gv,
  resource,
});

/** What is listed, in this order (kinds listed twice, the webhook configurations, keep it in the snapshot). */
const SPECS: readonly KindSpec[] = [
  ns("pods", "v1", "pods"),
  ns("deployments", "apps/v1", "deployments"),
  ns("replicaSets", "apps/v1", "replicasets"),
  ns("statefulSets", "apps/v1", "statefulsets"),
  ns("daemonSets", "apps/v1", "daemonsets"),
  ns("jobs", "batch/v1", "jobs"),
  ns("cronJobs", "batch/v1", "cronjobs"),
  ns("services", "v1", "services"),
  ns("ingresses", "networking.k8s.io/v1", "ingresses"),
  cluster("ingressClasses", "networking.k8s.io/v1", "ingressclasses"),
  ns("persistentVolumeClaims", "v1", "persistentvolumeclaims"),
  cluster("persistentVolumes", "v1", "persistentvolumes"),
  cluster("storageClasses", "storage.k8s.io/v1", "storageclasses"),
  cluster("nodes", "v1", "nodes"),
  ns("horizontalPodAutoscalers", "autoscaling/v2", "horizontalpodautoscalers"),
  ns("podDisruptionBudgets", "policy/v1", "poddisruptionbudgets"),
  ns("networkPolicies", "networking.k8s.io/v1", "networkpolicies"),
  {
    ...cluster("webhookConfigurations", "admissionregistration.k8s.io/v1", "validatingwebhookconfigurations"),
    kind: "ValidatingWebhookConfiguration",
  },
  {
    ...cluster("webhookConfigurations", "admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations"),
    kind: "MutatingWebhookConfiguration",
  },
  ns("configMaps", "v1", "configmaps", false),
  ns("secrets", "v1", "secrets", false),
  ns("resourceQuotas", "v1", "resourcequotas", false),
  ns("events", "v1", "events", false),
];

const METRICS: KindSpec = {
  ...ns("podMetrics", "metrics.k8s.io/v1beta1", "pods"),
  what: "pods.metrics.k8s.io",
  untyped: true,
};

function listPath(s: KindSpec, a: ListArgs): string {
  const base = s.gv.includes("/") ? `/apis/${s.gv}` : `/api/${s.gv}`;
  const scope =
    s.namespaced && a.namespace !== undefined ? `/namespaces/${encodeURIComponent(a.namespace)}` : "";
  const query = new URLSearchParams({ limit: String(a.limit) });
  if (a._continue !== undefined) query.set("continue", a._continue);
  if (a.labelSelector !== undefined) query.set("labelSelector", a.labelSelector);
  return `${base}${scope}/${s.resource}?${query.toString()}`;
}

/**
 * JSON fields client-node's typed models declare as `Date` (every field by these names, in every model): the
 * typed list calls handed them out as `Date`s, so the raw path makes them `Date`s too, and the snapshot keeps
 * the same RFC 3339 spelling (`toISOString`, milliseconds included). MicroTime fields (`eventTime`,
 * `lastObservedTime`) stayed strings there and stay strings here.
 */
const DATE_FIELDS = new Set([
  "allocationTimestamp",
  "beginRefreshAt",
  "completionTime",
  "creationTimestamp",
  "deletionTimestamp",
  "deprecatedFirstTimestamp",
  "deprecatedLastTimestamp",
  "expirationTimestamp",
  "finishedAt",
  "firstTimestamp",
  "lastHeartbeatTime",
  "lastPhaseTransitionTime",
  "lastProbeTime",
  "lastScaleTime",
  "lastScheduleTime",
  "lastSuccessfulTime",
  "lastTimestamp",
  "lastTransitionTime",
  "lastUpdateTime",
  "notAfter",
  "notBefore",
  "startTime",
  "startedAt",
  "time",
  "timeAdded",
]);

/** Fields that are string maps in the typed models: their keys are names, never `Date` fields. */
const MAP_FIELDS = new Set([
  "labels",
  "annotations",
  "data",
  "binaryData",
  "stringData",
  "matchLabels",
  "nodeSelector",
  "selector",
  "requests",
  "limits",
  "capacity",
  "allocatable",
  "hard",
  "used",
  "parameters",
  "attributes",
]);

/**
 * Prepares one freshly parsed object in place, with no copy: drops `metadata.managedFields` (no analyzer
 * reads them; they are most of an object's size) and turns the `Date` fields into `Date`s, as client-node's
 * typed deserialisation did. Nulls are left to `health.ingestInto`, which copies only what holds one.
 */
function prepare(v: unknown, inMap: boolean): void {
  if (typeof v !== "object" || v === null) return;
  if (Array.isArray(v)) {
    for (const x of v) prepare(x, false);
    return;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (typeof x === "string") {
      if (!inMap && DATE_FIELDS.has(k)) o[k] = new Date(x);
    } else if (typeof x === "object" && x !== null) {
      if (k === "managedFields" && !inMap) delete o["managedFields"];
      else prepare(x, !inMap && MAP_FIELDS.has(k));
    }
  }
}

/** One raw list page: plain `JSON.parse`, no typed copy. A non-2xx answer is the error client-node threw. */
async function listPage(
  kc: KubeConfig,
  s: KindSpec,
  a: ListArgs,
  timeoutMs: number,
  what: string,
): Promise<Page> {
  let res: Awaited<ReturnType<typeof rawRequest>>;
  try {
    res = await rawRequest(kc, "GET", listPath(s, a), { timeoutMs, maxBody: LIST_MAX_BODY });
  } catch (err) {
    // rawRequest names the request path; the error names the list, as before ("list pods: ...").
    throw toKubeError(err instanceof KubeError && err.cause !== undefined ? err.cause : err, "list", what);
  }
  if (res.status < 200 || res.status > 299)
    throw new ApiException(res.status, `HTTP-Code: ${res.status}`, res.body, {});
  const body = res.body as Partial<Page> | undefined;
  if (typeof body !== "object" || !Array.isArray(body.items))
    throw new KubeError("Unknown", `list ${s.what}: the API server did not answer with a list`, res.status);
  if (s.untyped !== true) prepare(body.items, false);
  return { items: body.items, metadata: body.metadata };
}

/** A list page can be large (500 ConfigMaps); raw requests cap bodies at 32 MiB by default. */
const LIST_MAX_BODY = 256 * 1024 * 1024;

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
  kc: KubeConfig,
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
        const page = await withTimeout(
          listPage(kc, spec, { ...args, _continue: cont }, timeoutMs, what),
          timeoutMs,
          what,
        );
        pages++;
        const keep = Math.max(0, Math.min(page.items.length, cap - read));
        beyondCap += page.items.length - keep;
        read += keep;
        const raw = keep === page.items.length ? page.items : page.items.slice(0, keep);
        if (spec.kind !== undefined)
          for (const it of raw)
            if (typeof it === "object" && it !== null) Object.assign(it, { kind: spec.kind });
        health.ingestInto(spec.key, raw, items, dropped);
        cont = page.metadata?.continue;
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
  const specs = (opts.metrics ?? true) ? [...SPECS, METRICS] : SPECS;
  const listed: (Listed | undefined)[] = specs.map(() => undefined);
  const skipped: health.SkippedKind[] = [];
  const warnings: string[] = [];
  let pages = 0;
  const results = await Promise.allSettled(
    specs.map((s) =>
      listAll(
        kc,
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
