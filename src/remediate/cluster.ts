/** Reading the slim snapshot: owners, workloads, readiness, selectors, requests. */
import type { Snapshot } from "../health/index.js";
import { objectRef, type ObjectRef } from "../model/index.js";
import { parseQuantity } from "./quantity.js";

export type Pod = Snapshot["pods"][number];
export type Node = Snapshot["nodes"][number];
export type Meta = Pod["metadata"];
export type PodTemplate = Snapshot["deployments"][number]["spec"]["template"];
export type Container = PodTemplate["spec"]["containers"][number];

export const ref = objectRef;

export function sameRef(a: ObjectRef, b: ObjectRef): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

/** A label selector; an empty one matches everything. */
export { selectorMatches as selects } from "../model/index.js";

function controllerOf(meta: Meta) {
  return meta.ownerReferences.find((o) => o.controller === true) ?? meta.ownerReferences[0];
}

/** The top of a pod's owner chain: Pod → ReplicaSet → Deployment, StatefulSet, DaemonSet, Job → CronJob. */
export function rootOf(snap: Snapshot, pod: Pod): ObjectRef {
  const ns = pod.metadata.namespace;
  const o = controllerOf(pod.metadata);
  if (o === undefined) return ref("Pod", ns, pod.metadata.name);
  const parentKind = o.kind === "ReplicaSet" ? "Deployment" : o.kind === "Job" ? "CronJob" : undefined;
  const list = o.kind === "ReplicaSet" ? snap.replicaSets : o.kind === "Job" ? snap.jobs : [];
  const mid = list.find((x) => x.metadata.namespace === ns && x.metadata.name === o.name);
  const up = mid === undefined ? undefined : controllerOf(mid.metadata);
  if (up !== undefined && up.kind === parentKind) return ref(up.kind, ns, up.name);
  return ref(o.kind, ns, o.name);
}

export function controllerKind(pod: Pod): string | undefined {
  return controllerOf(pod.metadata)?.kind;
}

export function podReady(p: Pod): boolean {
  return p.status.conditions.some((c) => c.type === "Ready" && c.status === "True");
}

export function live(p: Pod): boolean {
  return (
    p.metadata.deletionTimestamp === undefined &&
    p.status.phase !== "Succeeded" &&
    p.status.phase !== "Failed"
  );
}

export function podsOf(snap: Snapshot, root: ObjectRef): Pod[] {
  return snap.pods
    .filter((p) => p.metadata.namespace === root.namespace && sameRef(rootOf(snap, p), root))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** A Deployment, StatefulSet or DaemonSet, read the same way. */
export interface Workload {
  readonly ref: ObjectRef;
  readonly meta: Meta;
  readonly template: PodTemplate;
  readonly desired: number;
  readonly available: number;
  /**
   * The rollout is complete in `kubectl rollout status`'s sense: every pod runs the current template and every
   * updated pod is available. Pods of a fresh template that are still starting do not count as a finished
   * rollout, so a lower availability during that window is not read as harm.
   */
  readonly settled: boolean;
  readonly paused: boolean;
}

export function workloadOf(snap: Snapshot, r: ObjectRef): Workload | undefined {
  const match = (m: Meta) => m.namespace === r.namespace && m.name === r.name;
  if (r.kind === "Deployment") {
    const d = snap.deployments.find((x) => match(x.metadata));
    if (d === undefined) return undefined;
    const desired = d.spec.replicas ?? 1;
    return {
      ref: r,
      meta: d.metadata,
      template: d.spec.template,
      desired,
      available: d.status.availableReplicas ?? 0,
      settled:
        (d.status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
        (d.status.updatedReplicas ?? 0) >= desired &&
        (d.status.replicas ?? 0) <= desired &&
        (d.status.availableReplicas ?? 0) >= (d.status.updatedReplicas ?? 0),
      paused: d.spec.paused === true,
    };
  }
  if (r.kind === "StatefulSet") {
    const s = snap.statefulSets.find((x) => match(x.metadata));
    if (s === undefined) return undefined;
    return {
      ref: r,
      meta: s.metadata,
      template: s.spec.template,
      desired: s.spec.replicas ?? 1,
      available: s.status.availableReplicas ?? s.status.readyReplicas ?? 0,
      settled:
        s.status.currentRevision === s.status.updateRevision &&
        (s.status.availableReplicas ?? s.status.readyReplicas ?? 0) >= (s.spec.replicas ?? 1),
      paused: false,
    };
  }
  if (r.kind === "DaemonSet") {
    const s = snap.daemonSets.find((x) => match(x.metadata));
    if (s === undefined) return undefined;
    const desired = s.status.desiredNumberScheduled ?? 0;
    return {
      ref: r,
      meta: s.metadata,
      template: s.spec.template,
      desired,
      available: s.status.numberReady ?? 0,
      settled: (s.status.updatedNumberScheduled ?? 0) >= desired && (s.status.numberReady ?? 0) >= desired,
      paused: false,
    };
  }
  return undefined;
}

export function nodeReady(n: Node) {
  return n.status.conditions.find((c) => c.type === "Ready");
}

/** Seconds from an RFC 3339 time to now; undefined when unknown. */
export function ageSeconds(now: Date, iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : (now.getTime() - t) / 1000;
}

export function plusSeconds(now: Date, s: number): string {
  return new Date(now.getTime() + Math.ceil(s) * 1000).toISOString();
}

/** A pod's effective request for one resource: the sum over containers, or the largest init container. */
export function podRequest(p: Pod, resource: string): number {
  const sum = p.spec.containers.reduce((a, c) => a + (parseQuantity(c.resources.requests[resource]) ?? 0), 0);
  const init = p.spec.initContainers.reduce(
    (a, c) => Math.max(a, parseQuantity(c.resources.requests[resource]) ?? 0),
    0,
  );
  return Math.max(sum, init);
}

/** `get(obj, ["spec", "template"])` on an unknown JSON value. */
export function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const k of path) {
    if (typeof cur !== "object" || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
