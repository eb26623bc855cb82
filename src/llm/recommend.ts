/**
 * Right-sizing recommendations for the assistant and the MCP server: the same plan `vigil recommend -o json`
 * computes (`planLive` from the live right-sizing edge), over the ClusterReader port, from one
 * metrics.k8s.io reading instead of a sampling window (a tool call must answer in seconds). Read-only:
 * nothing here sends a patch; the patch is shown so a person can apply it with `vigil recommend --apply`.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import * as rsz from "../cli/rightsize/index.js";
import type { ClusterReader } from "./tools.js";
import { resolveKind } from "./views.js";

export interface RecommendScope {
  /** Undefined: all namespaces. */
  readonly namespace: string | undefined;
  readonly labelSelector?: string | undefined;
}

async function listKind(
  r: ClusterReader,
  kind: string,
  namespace: string | undefined,
  signal: AbortSignal,
  labelSelector?: string,
): Promise<readonly KubernetesObject[]> {
  const k = resolveKind(kind);
  if (k === undefined) return [];
  const res = await r.list(
    { kind: k, namespace: k.namespaced ? namespace : undefined, labelSelector, limit: 2000 },
    signal,
  );
  return res.items;
}

/** Lists that may be forbidden or not served (nodes, HealingPolicies): undefined instead of an error. */
async function optional<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch {
    return undefined;
  }
}

interface UsageItem {
  metadata?: { name?: string; namespace?: string };
  containers?: { name: string; usage: Record<string, string> }[];
}

/** Everything `planLive` needs, read through the port; usage is one metrics.k8s.io reading. */
export async function liveInput(
  r: ClusterReader,
  scope: RecommendScope,
  now: () => Date,
  signal: AbortSignal,
): Promise<rsz.LiveInput> {
  const ns = scope.namespace;
  const t = Math.round(now().getTime() / 1000);
  const [deployments, statefulSets, daemonSets, replicaSets, podItems, quotaItems] = await Promise.all([
    listKind(r, "deployment", ns, signal, scope.labelSelector),
    listKind(r, "statefulset", ns, signal, scope.labelSelector),
    listKind(r, "daemonset", ns, signal, scope.labelSelector),
    listKind(r, "replicaset", ns, signal),
    listKind(r, "pod", ns, signal),
    optional(listKind(r, "resourcequota", ns, signal)),
  ]);
  const [metrics, nodeItems, allPods, policyItems] = await Promise.all([
    optional(r.metrics({ kind: "pods", namespace: ns }, signal)),
    optional(listKind(r, "node", undefined, signal)),
    ns === undefined ? Promise.resolve(undefined) : optional(listKind(r, "pod", undefined, signal)),
    optional(listKind(r, "healingpolicy", ns, signal)),
  ]);
  const workloads = [
    ...deployments.map((o) => rsz.parseWorkload("Deployment", o)),
    ...statefulSets.map((o) => rsz.parseWorkload("StatefulSet", o)),
    ...daemonSets.map((o) => rsz.parseWorkload("DaemonSet", o)),
  ];
  const rsOwner = new Map<string, string>();
  for (const it of replicaSets) {
    const d = (it.metadata?.ownerReferences ?? []).find(
      (o) => o.controller === true && o.kind === "Deployment",
    );
    if (d !== undefined) rsOwner.set(`${it.metadata?.namespace ?? ""}/${it.metadata?.name ?? ""}`, d.name);
  }
  const pods = podItems.map((p) => rsz.parsePod(p, rsOwner));
  const samples: rsz.ContainerSample[] = [];
  for (const m of (metrics ?? []) as UsageItem[]) {
    for (const c of m.containers ?? []) {
      const cpu = rsz.quantity(c.usage["cpu"]);
      const mem = rsz.quantity(c.usage["memory"]);
      if (cpu === undefined || mem === undefined) continue;
      samples.push({
        t,
        namespace: m.metadata?.namespace ?? "",
        pod: m.metadata?.name ?? "",
        container: c.name,
        cpu,
        mem,
      });
    }
  }
  const nodes = nodeItems?.map(rsz.parseNode);
  return {
    now: t,
    source:
      metrics === undefined
        ? "no usage: metrics.k8s.io not readable (only OOM kills move memory)"
        : "one metrics.k8s.io reading",
    workloads,
    pods,
    samples,
    quotas: (quotaItems ?? []).map(rsz.parseQuota),
    nodes,
    clusterPods:
      nodes === undefined
        ? undefined
        : ns === undefined
          ? pods
          : allPods?.map((p) => rsz.parsePod(p, rsOwner)),
    policies: (policyItems ?? []).flatMap((p) => rsz.parsePolicy(p) ?? []),
  };
}

/** The live right-sizing plan (what `vigil recommend -o json` prints, from a single reading). */
export async function liveRecommendations(
  r: ClusterReader,
  scope: RecommendScope,
  now: () => Date,
  signal: AbortSignal,
): Promise<rsz.LivePlan> {
  return rsz.planLive(await liveInput(r, scope, now, signal), rsz.PLAN_DEFAULTS);
}

const fin = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? undefined : x);

/** A model-sized row per workload: current → proposed per container, status, QoS, cost, the patch. */
export function recommendationView(w: rsz.WorkloadPlan): Record<string, unknown> {
  return {
    kind: w.kind,
    namespace: w.namespace,
    name: w.name,
    status: w.status,
    replicas: w.replicas,
    ...(w.reason !== "" ? { reason: w.reason } : {}),
    containers: w.containers.map((c) => ({
      name: c.name,
      cpuRequest: `${rsz.showCpu(c.current.requests.cpu)} → ${rsz.showCpu(c.proposed.requests.cpu)}`,
      memoryRequest: `${rsz.showMem(c.current.requests.mem)} → ${rsz.showMem(c.proposed.requests.mem)}`,
      limits: `${rsz.showCpu(c.proposed.limits.cpu)} / ${rsz.showMem(c.proposed.limits.mem)}`,
      peak: `${rsz.showCpu(c.peak.cpu)} / ${rsz.showMem(c.peak.mem)}`,
      samples: c.samples,
      oomKills: c.oomKills,
      changed: c.changed,
      ...(c.vigil !== undefined ? { confidence: Math.round(c.vigil.confidence * 100) / 100 } : {}),
      reasons: c.reasons.slice(0, 4),
      ...(c.probes.length > 0 ? { probes: c.probes.map((p) => p.advice) } : {}),
    })),
    qos: w.qos.changed ? `${w.qos.now} → ${w.qos.recommended}` : w.qos.now,
    monthlyCost: {
      current: fin(Math.round(w.monthly.current * 100) / 100),
      proposed: fin(Math.round(w.monthly.proposed * 100) / 100),
    },
    ...(w.patchBytes !== undefined
      ? {
          patch: w.patchBytes,
          apply: w.apply.allowed
            ? `a HealingPolicy allows it: ${w.apply.why}`
            : `not applied by the assistant; a person can run: vigil recommend ${w.kind.toLowerCase()}/${w.name} -n ${w.namespace} --dry-run (then --apply)`,
        }
      : {}),
  };
}
