/**
 * @module
 * The live right-sizing edge: reads workloads, pods, quotas, nodes and HealingPolicies, samples
 * metrics.k8s.io over a short window (or reads a long per-container history from Prometheus), and sends
 * the plan's patches. Everything it reads becomes the plain `LiveInput` that `plan.ts` decides on.
 */
import { parseQuantity } from "../../model/index.js";
import type { KubeConfig } from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import { HealingPolicySpec } from "../../api/index.js";
import { expectOk, FIELD_MANAGER, KubeError, rawRequest } from "../../kube/index.js";
import * as metrics from "../../metrics/index.js";
import { VigilError } from "../../model/index.js";
import type * as rs from "../../rightsize/index.js";
import {
  WORKLOAD_KINDS,
  workloadKey,
  type ContainerSample,
  type ContainerView,
  type LiveInput,
  type NodeView,
  type PodView,
  type PolicyView,
  type QuotaView,
  type WorkloadKind,
  type WorkloadPlan,
  type WorkloadView,
} from "./plan.js";

export type Scope = { readonly all: true } | { readonly all: false; readonly namespace: string };

/** "250m" → 0.25, "64Mi" → 67108864; undefined when absent or malformed. */
export function quantity(q: unknown): number | undefined {
  if (typeof q === "number") return q;
  if (typeof q !== "string") return undefined;
  const v = parseQuantity(q);
  return v !== undefined && v >= 0 ? v : undefined;
}

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj => (typeof x === "object" && x !== null && !Array.isArray(x) ? (x as Obj) : {});
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? (x as unknown[]) : []);
const str = (x: unknown): string | undefined => (typeof x === "string" ? x : undefined);
const num = (x: unknown): number | undefined => (typeof x === "number" ? x : undefined);
const strMap = (x: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(x)).filter((e): e is [string, string] => typeof e[1] === "string"));

function probe(x: unknown): rs.ProbeSpec | undefined {
  if (x === undefined) return undefined;
  const p = obj(x);
  return {
    initialDelaySeconds: num(p["initialDelaySeconds"]),
    periodSeconds: num(p["periodSeconds"]),
    failureThreshold: num(p["failureThreshold"]),
  };
}

function resources(c: Obj): Pick<ContainerView, "requests" | "limits"> {
  const r = obj(c["resources"]);
  const req = obj(r["requests"]);
  const lim = obj(r["limits"]);
  return {
    requests: { cpu: quantity(req["cpu"]), mem: quantity(req["memory"]) },
    limits: { cpu: quantity(lim["cpu"]), mem: quantity(lim["memory"]) },
  };
}

export function parseWorkload(kind: WorkloadKind, o: unknown): WorkloadView {
  const x = obj(o);
  const md = obj(x["metadata"]);
  const spec = obj(x["spec"]);
  const tspec = obj(obj(spec["template"])["spec"]);
  const replicas =
    kind === "DaemonSet"
      ? (num(obj(x["status"])["desiredNumberScheduled"]) ?? 0)
      : (num(spec["replicas"]) ?? 1);
  return {
    kind,
    namespace: str(md["namespace"]) ?? "",
    name: str(md["name"]) ?? "",
    labels: strMap(md["labels"]),
    replicas,
    containers: arr(tspec["containers"]).map((c0) => {
      const c = obj(c0);
      return {
        name: str(c["name"]) ?? "",
        ...resources(c),
        readiness: probe(c["readinessProbe"]),
        liveness: probe(c["livenessProbe"]),
        startup: probe(c["startupProbe"]),
      };
    }),
  };
}

const unix = (iso: unknown): number | undefined => {
  const s = str(iso);
  const t = s === undefined ? NaN : Date.parse(s);
  return Number.isFinite(t) ? t / 1000 : undefined;
};

/** A pod with its owning workload (ReplicaSets resolved to their Deployment through `rsOwner`). */
export function parsePod(o: unknown, rsOwner: ReadonlyMap<string, string>): PodView {
  const x = obj(o);
  const md = obj(x["metadata"]);
  const spec = obj(x["spec"]);
  const status = obj(x["status"]);
  const namespace = str(md["namespace"]) ?? "";
  const ctl = arr(md["ownerReferences"])
    .map(obj)
    .find((r) => r["controller"] === true);
  const ctlKind = str(ctl?.["kind"]);
  const ctlName = str(ctl?.["name"]) ?? "";
  let owner: PodView["owner"];
  if (ctlKind === "ReplicaSet") {
    const d = rsOwner.get(`${namespace}/${ctlName}`);
    owner = d === undefined ? { kind: "ReplicaSet", name: ctlName } : { kind: "Deployment", name: d };
  } else if (ctlKind !== undefined) owner = { kind: ctlKind, name: ctlName };
  const ready = arr(status["conditions"])
    .map(obj)
    .find((c) => c["type"] === "Ready" && c["status"] === "True");
  const readyAt = unix(ready?.["lastTransitionTime"]);
  const statuses = arr(status["containerStatuses"]).map(obj);
  const phase = str(status["phase"]);
  return {
    namespace,
    name: str(md["name"]) ?? "",
    node: str(spec["nodeName"]),
    owner,
    terminal: phase === "Succeeded" || phase === "Failed",
    containers: arr(spec["containers"]).map((c0) => {
      const c = obj(c0);
      const name = str(c["name"]) ?? "";
      const st = statuses.find((s) => s["name"] === name) ?? {};
      const kills: number[] = [];
      for (const state of [obj(st["lastState"]), obj(st["state"])]) {
        const term = obj(state["terminated"]);
        if (term["reason"] === "OOMKilled") kills.push(unix(term["finishedAt"]) ?? 0);
      }
      const started = unix(obj(obj(st["state"])["running"])["startedAt"]);
      return {
        name,
        ...resources(c),
        oomKills: kills,
        startSeconds:
          started !== undefined && readyAt !== undefined && readyAt >= started
            ? readyAt - started
            : undefined,
      };
    }),
  };
}

interface Ctx {
  readonly kc: KubeConfig;
  readonly signal: AbortSignal;
}

const req = (c: Ctx, method: string, path: string, body?: string, contentType?: string) =>
  rawRequest(c.kc, method, path, {
    timeoutMs: 20_000,
    signal: c.signal,
    ...(body !== undefined ? { body } : {}),
    ...(contentType !== undefined ? { contentType } : {}),
  });

function nsPath(root: string, scope: Scope, plural: string): string {
  return scope.all
    ? `${root}/${plural}`
    : `${root}/namespaces/${encodeURIComponent(scope.namespace)}/${plural}`;
}

/** Lists in pages of 500; a 404 is `undefined` when `optional` (an API the cluster does not serve). */
async function list(c: Ctx, path: string, what: string, optional = false): Promise<unknown[] | undefined> {
  const out: unknown[] = [];
  let cont: string | undefined;
  do {
    const q = new URLSearchParams({ limit: "500", ...(cont !== undefined ? { continue: cont } : {}) });
    const res = await req(c, "GET", `${path}${path.includes("?") ? "&" : "?"}${q.toString()}`);
    if (optional && res.status === 404) return undefined;
    const body = obj(expectOk(res, "list", what));
    out.push(...arr(body["items"]));
    cont = str(obj(body["metadata"])["continue"]);
    if (cont === "") cont = undefined;
  } while (cont !== undefined);
  return out;
}

const METRICS = "/apis/metrics.k8s.io/v1beta1";

/** Fails with one sentence and a hint when metrics.k8s.io is not there or not ready. */
export async function checkMetricsApi(c: Ctx): Promise<void> {
  const res = await req(c, "GET", METRICS);
  if (res.status === 404)
    throw new VigilError("MetricsUnavailable", "the cluster does not serve the metrics.k8s.io API", {
      hint: "install metrics-server (kubectl top needs it too), or read history from Prometheus with --prometheus-url",
    });
  if (res.status === 503)
    throw new VigilError(
      "MetricsUnavailable",
      "metrics.k8s.io is registered but metrics-server is not answering",
      {
        hint: "check it with: kubectl get apiservice v1beta1.metrics.k8s.io; kubectl top pods",
      },
    );
  expectOk(res, "get", "the metrics.k8s.io API");
}

export interface SampleOptions {
  readonly sampleSeconds: number;
  readonly intervalSeconds: number;
  /** Unix seconds. */
  readonly now: () => number;
  readonly progress: (done: number, total: number) => void;
}

/** Polls pod metrics every interval for the window; a (pod, timestamp) pair seen before adds nothing. */
export async function sampleUsage(c: Ctx, scope: Scope, o: SampleOptions): Promise<ContainerSample[]> {
  const polls = Math.max(1, Math.floor(o.sampleSeconds / o.intervalSeconds) + 1);
  const seen = new Set<string>();
  const out: ContainerSample[] = [];
  for (let i = 0; i < polls; i++) {
    if (i > 0) await sleep(o.intervalSeconds * 1000, undefined, { signal: c.signal });
    const items = (await list(c, nsPath(METRICS, scope, "pods"), "pod metrics")) ?? [];
    const t = Math.round(o.now());
    for (const it of items) {
      const x = obj(it);
      const md = obj(x["metadata"]);
      const key = `${str(md["namespace"]) ?? ""}/${str(md["name"]) ?? ""}@${str(x["timestamp"]) ?? String(t)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const c0 of arr(x["containers"])) {
        const cc = obj(c0);
        const u = obj(cc["usage"]);
        const cpu = quantity(u["cpu"]);
        const mem = quantity(u["memory"]);
        if (cpu === undefined || mem === undefined) continue;
        out.push({
          t,
          namespace: str(md["namespace"]) ?? "",
          pod: str(md["name"]) ?? "",
          container: str(cc["name"]) ?? "",
          cpu,
          mem,
        });
      }
    }
    o.progress(i + 1, polls);
  }
  return out;
}

const PLURAL: Readonly<Record<WorkloadKind, string>> = {
  Deployment: "deployments",
  StatefulSet: "statefulsets",
  DaemonSet: "daemonsets",
};

export function workloadPath(w: { kind: WorkloadKind; namespace: string; name: string }): string {
  return `/apis/apps/v1/namespaces/${encodeURIComponent(w.namespace)}/${PLURAL[w.kind]}/${encodeURIComponent(w.name)}`;
}

/** Workloads in scope, with `-l` applied (fails early on RBAC or an unreachable apiserver). */
export async function listWorkloads(
  c: Ctx,
  scope: Scope,
  selector: string | undefined,
): Promise<WorkloadView[]> {
  const q = selector === undefined ? "" : `?${new URLSearchParams({ labelSelector: selector }).toString()}`;
  const out: WorkloadView[] = [];
  for (const kind of WORKLOAD_KINDS) {
    const items = (await list(c, nsPath("/apis/apps/v1", scope, PLURAL[kind]) + q, PLURAL[kind])) ?? [];
    out.push(...items.map((it) => parseWorkload(kind, it)));
  }
  return out;
}

/** A bare pod, or a pod's owning workload: `vigil recommend pod/NAME` is refused with the reason. */
export async function podOwner(c: Ctx, namespace: string, name: string): Promise<PodView> {
  const res = await req(
    c,
    "GET",
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`,
  );
  const pod = expectOk(res, "get", `pod ${namespace}/${name}`);
  const rsName = arr(obj(obj(pod)["metadata"])["ownerReferences"])
    .map(obj)
    .find((r) => r["controller"] === true && r["kind"] === "ReplicaSet")?.["name"];
  const owners = new Map<string, string>();
  if (typeof rsName === "string") {
    const r = await req(
      c,
      "GET",
      `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/replicasets/${encodeURIComponent(rsName)}`,
    );
    if (r.status === 200) {
      const d = arr(obj(obj(r.body)["metadata"])["ownerReferences"])
        .map(obj)
        .find((x) => x["controller"] === true && x["kind"] === "Deployment")?.["name"];
      if (typeof d === "string") owners.set(`${namespace}/${rsName}`, d);
    }
  }
  return parsePod(pod, owners);
}

/** A ResourceQuota's hard and used amounts (`requests.*` and the bare `cpu`/`memory` keys alike). */
export function parseQuota(q0: unknown): QuotaView {
  const q = obj(q0);
  const md = obj(q["metadata"]);
  const st = obj(q["status"]);
  const amounts = (m: Obj): rs.QuotaAmounts => ({
    requestsCpu: quantity(m["requests.cpu"] ?? m["cpu"]),
    requestsMemory: quantity(m["requests.memory"] ?? m["memory"]),
    limitsCpu: quantity(m["limits.cpu"]),
    limitsMemory: quantity(m["limits.memory"]),
  });
  return {
    namespace: str(md["namespace"]) ?? "",
    name: str(md["name"]) ?? "",
    hard: amounts(obj(st["hard"] ?? obj(q["spec"])["hard"])),
    used: amounts(obj(st["used"])),
  };
}

/** A node's name and allocatable CPU and memory. */
export function parseNode(n0: unknown): NodeView {
  const n = obj(n0);
  const a = obj(obj(n["status"])["allocatable"]);
  return {
    name: str(obj(n["metadata"])["name"]) ?? "",
    allocatable: { cpu: quantity(a["cpu"]) ?? 0, mem: quantity(a["memory"]) ?? 0 },
  };
}

/** What right-sizing reads of a HealingPolicy; undefined when its spec does not validate. */
export function parsePolicy(o: unknown): PolicyView | undefined {
  const x = obj(o);
  const md = obj(x["metadata"]);
  const spec = HealingPolicySpec.safeParse(x["spec"] ?? {});
  if (!spec.success) return undefined;
  return {
    namespace: str(md["namespace"]) ?? "",
    name: str(md["name"]) ?? "",
    mode: spec.data.mode,
    raiseMemoryMode: spec.data.actions?.raiseMemory,
    suspend: spec.data.suspend,
    selector: spec.data.selector,
  };
}

export interface CollectOptions extends SampleOptions {
  readonly selector: string | undefined;
  /** Per-container history from Prometheus instead of sampling metrics.k8s.io. */
  readonly prometheus?: { readonly url: string; readonly historySeconds: number } | undefined;
  readonly warn: (msg: string) => void;
}

/** Reads everything the plan needs. */
export async function collect(c: Ctx, scope: Scope, o: CollectOptions): Promise<LiveInput> {
  const workloads = await listWorkloads(c, scope, o.selector);
  let samples: ContainerSample[] = [];
  let histories: Record<string, rs.UsageSample[]> | undefined;
  let source: string;
  if (o.prometheus === undefined) {
    await checkMetricsApi(c);
    samples = await sampleUsage(c, scope, o);
    source = `${o.sampleSeconds}s of metrics.k8s.io samples`;
  } else {
    histories = await prometheusHistories(o.prometheus, workloads, o.now(), c.signal);
    source = `${o.prometheus.historySeconds / 3600}h of Prometheus history`;
  }
  const rsItems = (await list(c, nsPath("/apis/apps/v1", scope, "replicasets"), "replicasets")) ?? [];
  const rsOwner = new Map<string, string>();
  for (const it of rsItems) {
    const md = obj(obj(it)["metadata"]);
    const d = arr(md["ownerReferences"])
      .map(obj)
      .find((r) => r["controller"] === true && r["kind"] === "Deployment");
    const dn = str(d?.["name"]);
    if (dn !== undefined) rsOwner.set(`${str(md["namespace"]) ?? ""}/${str(md["name"]) ?? ""}`, dn);
  }
  const pods = ((await list(c, nsPath("/api/v1", scope, "pods"), "pods")) ?? []).map((p) =>
    parsePod(p, rsOwner),
  );
  const quotas: QuotaView[] = (
    (await list(c, nsPath("/api/v1", scope, "resourcequotas"), "resourcequotas")) ?? []
  ).map(parseQuota);
  let nodes: NodeView[] | undefined;
  let clusterPods: PodView[] | undefined;
  try {
    nodes = ((await list(c, "/api/v1/nodes", "nodes")) ?? []).map(parseNode);
    clusterPods = scope.all
      ? pods
      : ((await list(c, "/api/v1/pods", "pods")) ?? []).map((p) => parsePod(p, rsOwner));
  } catch (err) {
    if (!(err instanceof KubeError && (err.reason === "Forbidden" || err.reason === "Unauthorized")))
      throw err;
    o.warn("node overcommitment skipped: listing nodes and all pods is forbidden");
    nodes = undefined;
    clusterPods = undefined;
  }
  let policies: PolicyView[] = [];
  try {
    const items = await list(
      c,
      nsPath("/apis/vigil.dev/v1alpha1", scope, "healingpolicies"),
      "healingpolicies",
      true,
    );
    policies = (items ?? []).flatMap((p) => parsePolicy(p) ?? []);
  } catch (err) {
    if (!(err instanceof KubeError && err.reason === "Forbidden")) throw err;
    o.warn("HealingPolicies not readable (forbidden): only --apply can apply");
  }
  return {
    now: o.now(),
    source,
    workloads,
    pods,
    samples,
    histories,
    quotas,
    nodes,
    clusterPods,
    policies,
  };
}

const POD_SUFFIX: Readonly<Record<WorkloadKind, string>> = {
  Deployment: "[a-z0-9]+-[a-z0-9]+",
  StatefulSet: "[0-9]+",
  DaemonSet: "[a-z0-9]+",
};

const promQuote = (s: string) => s.replaceAll("\\", "\\\\").replaceAll('"', '\\"');
const promRegex = (s: string) => s.replaceAll(".", "\\\\.");

/** Per container: the busiest pod's CPU (rate) and memory working set at each step, from Prometheus. */
async function prometheusHistories(
  p: { readonly url: string; readonly historySeconds: number },
  workloads: readonly WorkloadView[],
  now: number,
  signal: AbortSignal,
): Promise<Record<string, rs.UsageSample[]>> {
  const step = Math.max(60, Math.ceil(p.historySeconds / 10_000));
  const out: Record<string, rs.UsageSample[]> = {};
  for (const w of workloads)
    for (const c of w.containers) {
      const sel = `namespace="${promQuote(w.namespace)}",pod=~"${promRegex(w.name)}-${POD_SUFFIX[w.kind]}",container="${promQuote(c.name)}"`;
      const range = { start: now - p.historySeconds, end: now, stepSeconds: step };
      const cpu = await metrics.queryRange(
        p.url,
        {
          query: `max(rate(container_cpu_usage_seconds_total{${sel}}[${Math.max(2 * step, 300)}s]))`,
          ...range,
        },
        signal,
      );
      const mem = await metrics.queryRange(
        p.url,
        { query: `max(max_over_time(container_memory_working_set_bytes{${sel}}[${step}s]))`, ...range },
        signal,
      );
      const memAt = new Map(mem.map((s) => [s.t, s.v]));
      out[`${workloadKey(w)}/${c.name}`] = cpu.flatMap((s) => {
        const m = memAt.get(s.t);
        return m === undefined ? [] : [{ t: s.t, cpu: s.v, mem: m }];
      });
    }
  return out;
}

/** Sends one workload's patch exactly as planned (strategic merge, field manager vigil). */
export async function sendPatch(c: Ctx, w: WorkloadPlan, dryRun: boolean): Promise<void> {
  if (w.patchBytes === undefined) return;
  const q = new URLSearchParams({ fieldManager: FIELD_MANAGER });
  if (dryRun) q.set("dryRun", "All");
  const res = await req(
    c,
    "PATCH",
    `${workloadPath(w)}?${q.toString()}`,
    w.patchBytes,
    "application/strategic-merge-patch+json",
  );
  expectOk(res, dryRun ? "patch (server dry run)" : "patch", `${w.kind} ${w.namespace}/${w.name}`);
}
