/**
 * Pod-level remediations: delete Evicted/Failed pods their controller has already replaced, and, for pods
 * Pending for lack of capacity, say which resource is short, by how much, and what scale-up would fit them
 * (a recommendation: no write).
 */
import type { Finding } from "../health/index.js";
import {
  controllerKind,
  live,
  nodeReady,
  podRequest,
  podsOf,
  ref,
  workloadOf,
  type Node,
  type Pod,
} from "./cluster.js";
import { fnv1a64 } from "./ids.js";
import { deletePatch } from "./patch.js";
import { blocked, type Ctx, type Proposal } from "./proposal.js";
import { formatResource, parseQuantity } from "./quantity.js";
import type { CapacityRecommendation } from "./types.js";

const REPLACED_BY = new Set(["ReplicaSet", "StatefulSet", "DaemonSet"]);

function labelsOf(ctx: Ctx, f: Finding, pods: readonly Pod[]): Readonly<Record<string, string>> {
  return workloadOf(ctx.snap, f.object)?.meta.labels ?? pods[0]?.metadata.labels ?? {};
}

export function cleanupPods(ctx: Ctx, f: Finding): Proposal | undefined {
  if (f.code !== "Evicted") return undefined;
  const target = f.object;
  const failed = podsOf(ctx.snap, target).filter(
    (p) => p.status.phase === "Failed" && p.metadata.deletionTimestamp === undefined,
  );
  const p = {
    finding: f,
    kind: "cleanupPods" as const,
    target,
    scope: target,
    labels: labelsOf(ctx, f, failed),
  };
  const mine = failed.filter((x) => REPLACED_BY.has(controllerKind(x) ?? ""));
  if (mine.length === 0)
    return failed.length === 0
      ? undefined
      : blocked(
          p,
          "unmanagedPod",
          "the failed pods have no ReplicaSet/StatefulSet/DaemonSet that replaced them; kept for inspection",
        );
  const message = `delete ${mine.length} Failed pod${mine.length === 1 ? "" : "s"} of ${target.kind} ${target.name} (${mine
    .map((x) => x.status.reason ?? "Failed")
    .filter((r, i, a) => a.indexOf(r) === i)
    .join(", ")}); the controller has replaced them`;
  return {
    ...p,
    result: {
      type: "built",
      generation: `pods=${fnv1a64(mine.map((x) => x.metadata.uid || x.metadata.name).join(","))}`,
      message,
      disruptive: false,
      patches: () =>
        mine.map((x) =>
          deletePatch(ref("Pod", x.metadata.namespace, x.metadata.name), x.metadata.uid, false),
        ),
      verify: {
        workloads: [],
        pods: mine.map((x) => ({
          namespace: x.metadata.namespace,
          name: x.metadata.name,
          uid: x.metadata.uid,
        })),
        terminatingIsEnough: false,
        watch: [target],
      },
    },
  };
}

function allocatable(n: Node, resource: string): number {
  return parseQuantity(n.status.allocatable[resource]) ?? 0;
}

function requestOf(p: Pod, resource: string): number {
  return resource === "pods" ? 1 : podRequest(p, resource);
}

function unschedulable(p: Pod): boolean {
  return (
    p.status.phase === "Pending" &&
    p.status.conditions.some(
      (c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable",
    )
  );
}

export function recommendCapacity(ctx: Ctx, f: Finding): Proposal | undefined {
  if (f.code !== "Unschedulable") return undefined;
  const pending = podsOf(ctx.snap, f.object).filter(unschedulable);
  const text = [f.reason, ...f.evidence.map((e) => e.message)].join("\n");
  const resource = /Insufficient ([A-Za-z0-9/_-]+(?:\.[A-Za-z0-9/_-]+)*)/.exec(text)?.[1];
  const first = pending[0];
  if (resource === undefined || first === undefined) return undefined;
  const target = f.object;
  const p = {
    finding: f,
    kind: "recommendCapacity" as const,
    target,
    scope: target,
    labels: labelsOf(ctx, f, pending),
  };
  const perPod = requestOf(first, resource);
  const nodes = ctx.snap.nodes
    .filter((n) => nodeReady(n)?.status === "True" && n.spec.unschedulable !== true)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const free = nodes.map((n) => {
    const used = ctx.snap.pods
      .filter((x) => x.spec.nodeName === n.metadata.name && live(x))
      .reduce((a, x) => a + requestOf(x, resource), 0);
    return Math.max(0, allocatable(n, resource) - used);
  });
  const largestFree = free.reduce((a, b) => Math.max(a, b), 0);
  const fits = perPod > 0 ? free.reduce((a, b) => a + Math.floor(b / perPod), 0) : pending.length;
  const unplaced = Math.max(0, pending.length - fits);
  const biggest = nodes.reduce<Node | undefined>(
    (a, n) => (a === undefined || allocatable(n, resource) > allocatable(a, resource) ? n : a),
    undefined,
  );
  const shape = biggest === undefined ? 0 : allocatable(biggest, resource);
  const perNode = perPod > 0 && shape >= perPod ? Math.floor(shape / perPod) : 0;
  const rec: CapacityRecommendation = {
    resource,
    perPod: formatResource(resource, perPod),
    largestFree: formatResource(resource, largestFree),
    pendingPods: pending.length,
    missing: formatResource(resource, unplaced * perPod),
    nodesNeeded: perNode > 0 ? Math.ceil(Math.max(unplaced, 1) / perNode) : undefined,
    nodeShape:
      biggest === undefined
        ? undefined
        : `like node ${biggest.metadata.name} (${Object.entries(biggest.status.allocatable)
            .filter(([k]) => k === "cpu" || k === "memory" || k === resource)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")})`,
  };
  const message =
    `${pending.length} pod${pending.length === 1 ? "" : "s"} of ${target.kind} ${target.name} cannot be scheduled: each needs ${rec.perPod} ${resource}, ` +
    `the most free on any node is ${rec.largestFree}; ${rec.missing} ${resource} missing` +
    (rec.nodesNeeded !== undefined
      ? `: add ${rec.nodesNeeded} node${rec.nodesNeeded === 1 ? "" : "s"} ${rec.nodeShape ?? ""}`.trimEnd()
      : `: no existing node shape fits one pod; a node with at least ${rec.perPod} ${resource} is needed`);
  return {
    ...p,
    result: {
      type: "built",
      generation: `pods=${fnv1a64(pending.map((x) => x.metadata.uid || x.metadata.name).join(","))}`,
      message,
      disruptive: false,
      recommendation: rec,
      patches: () => [],
      verify: { findingGone: f.id, workloads: [], pods: [], terminatingIsEnough: false, watch: [target] },
    },
  };
}
