/**
 * Node remediations: cordon a node NotReady past the grace and evict its pods through the Eviction API
 * (PodDisruptionBudgets respected, DaemonSet and mirror pods left, kube-system only when opted in); force-delete
 * pods stuck Terminating on a dead node; uncordon a node Vigil cordoned once it has been Ready for a while.
 * All of them stop when too many nodes are NotReady at once (a partition, not node failures).
 */
import type { Finding, Snapshot } from "../health/index.js";
import type { ObjectRef } from "../model/index.js";
import {
  ageSeconds,
  controllerKind,
  getPath,
  live,
  nodeReady,
  plusSeconds,
  podReady,
  ref,
  rootOf,
  selects,
  workloadOf,
  type Node,
  type Pod,
} from "./cluster.js";
import { fnv1a64 } from "./ids.js";
import {
  ANNOTATION_CORDONED,
  ANNOTATION_REASON,
  annotateOps,
  deletePatch,
  evictionPatch,
  jsonPatch,
  ptr,
} from "./patch.js";
import { SYSTEM_NAMESPACES, namesNamespace } from "./policy.js";
import { blocked, type Block, type Ctx, type Proposal } from "./proposal.js";
import type { WatchedWorkload } from "./types.js";

const NODE_CODES = new Set(["NodeNotReady", "NodeUnreachable"]);
const MIRROR = "kubernetes.io/config.mirror";

/** NotReady nodes and how many the policy tolerates: `max(1, floor(n * pct / 100))`, 0 when pct is 0. */
/** How long node actions stay blocked after a storm was seen: a partition heals node by node. */
export const STORM_MEMORY_SECONDS = 600;

export function stormState(
  snap: Snapshot,
  pct: number,
): { notReady: number; total: number; allowed: number } {
  const total = snap.nodes.length;
  const notReady = snap.nodes.filter((n) => nodeReady(n)?.status !== "True").length;
  const allowed = pct === 0 ? 0 : Math.max(1, Math.floor((total * pct) / 100));
  return { notReady, total, allowed };
}

/**
 * A storm now (more NotReady nodes than allowed), or one remembered: `stormUntil` is set by the executor
 * after a storm escalation, so the last node still down while a partition heals is not evacuated.
 */
export function stormActive(
  s: { readonly notReady: number; readonly allowed: number },
  now: Date,
  stormUntil: string | undefined,
): { readonly now: boolean; readonly remembered: boolean } {
  const current = s.notReady > s.allowed;
  const remembered = !current && stormUntil !== undefined && now.getTime() < Date.parse(stormUntil);
  return { now: current, remembered };
}

function nodeOf(ctx: Ctx, name: string): Node | undefined {
  return ctx.snap.nodes.find((n) => n.metadata.name === name);
}

function nodeAnnotated(ctx: Ctx, n: Node): boolean {
  const raw = ctx.raw?.(ref("Node", "", n.metadata.name));
  if (raw !== undefined) {
    const a = getPath(raw, ["metadata", "annotations"]);
    return typeof a === "object" && a !== null;
  }
  return Object.keys(n.metadata.annotations).length > 0;
}

function podRef(p: Pod): ObjectRef {
  return ref("Pod", p.metadata.namespace, p.metadata.name);
}

function protectedNs(ctx: Ctx, ns: string): boolean {
  return SYSTEM_NAMESPACES.includes(ns) && !namesNamespace(ctx.policy, ns);
}

/** When the node has been NotReady long enough: undefined if it is past the grace, else the retry time. */
function graceLeft(ctx: Ctx, n: Node): { since: string | undefined; retryAt: string | undefined } {
  const since = nodeReady(n)?.lastTransitionTime;
  const age = ageSeconds(ctx.now, since);
  const grace = ctx.policy.nodeNotReadyGraceSeconds;
  if (age === undefined) return { since, retryAt: plusSeconds(ctx.now, grace) };
  return { since, retryAt: age >= grace ? undefined : plusSeconds(ctx.now, grace - age) };
}

/** Remaining disruptions per PDB during this plan, and whether a pod may be evicted (the Eviction API's rules). */
function pdbGate(snap: Snapshot) {
  const left = new Map<string, number>();
  return (p: Pod): Block | undefined => {
    const pdbs = snap.podDisruptionBudgets.filter(
      (b) =>
        b.metadata.namespace === p.metadata.namespace &&
        b.spec.selector !== undefined &&
        selects(b.spec.selector, p.metadata.labels),
    );
    if (pdbs.length === 0) return undefined;
    const [b] = pdbs;
    if (pdbs.length > 1 || b === undefined)
      return {
        guardrail: "pdb",
        message: `pod ${p.metadata.name} is covered by more than one PodDisruptionBudget`,
      };
    const key = `${b.metadata.namespace}/${b.metadata.name}`;
    if (!podReady(p)) {
      // An unhealthy pod may go while the budget is healthy (unhealthyPodEvictionPolicy IfHealthyBudget).
      if ((b.status.currentHealthy ?? 0) >= (b.status.desiredHealthy ?? 0)) return undefined;
      return {
        guardrail: "pdb",
        message: `PodDisruptionBudget ${b.metadata.name} is not healthy; pod ${p.metadata.name} stays`,
      };
    }
    const n = left.get(key) ?? b.status.disruptionsAllowed ?? 0;
    if (n <= 0)
      return {
        guardrail: "pdb",
        message: `PodDisruptionBudget ${b.metadata.name} allows no more disruptions; pod ${p.metadata.name} stays`,
      };
    left.set(key, n - 1);
    return undefined;
  };
}

function watchedWorkloads(ctx: Ctx, pods: readonly Pod[]): WatchedWorkload[] {
  const out = new Map<string, WatchedWorkload>();
  for (const p of pods) {
    const root = rootOf(ctx.snap, p);
    const w = workloadOf(ctx.snap, root);
    if (w === undefined || w.ref.kind === "DaemonSet") continue;
    out.set(`${root.kind}/${root.namespace}/${root.name}`, {
      ref: root,
      desired: w.desired,
      availableBefore: w.available,
    });
  }
  return [...out.values()].sort((a, b) =>
    `${a.ref.namespace}/${a.ref.name}`.localeCompare(`${b.ref.namespace}/${b.ref.name}`),
  );
}

export function evacuateNode(
  ctx: Ctx,
  f: Finding,
  gate: (p: Pod) => Block | undefined,
): Proposal | undefined {
  if (!NODE_CODES.has(f.code)) return undefined;
  const n = nodeOf(ctx, f.object.name);
  if (n === undefined) return undefined;
  const target = ref("Node", "", n.metadata.name);
  const p = { finding: f, kind: "evacuateNode" as const, target, scope: target, labels: n.metadata.labels };
  if (ctx.storm) return blocked(p, "storm", "too many nodes are NotReady at once: no node actions");
  const { since, retryAt } = graceLeft(ctx, n);
  if (retryAt !== undefined)
    return blocked(
      p,
      "grace",
      `node ${n.metadata.name} NotReady since ${since ?? "?"}; nodeNotReadyGraceSeconds is ${ctx.policy.nodeNotReadyGraceSeconds}`,
      { retryAt },
    );
  const partial: (Block & { target: ObjectRef })[] = [];
  const evict: Pod[] = [];
  const onNode = ctx.snap.pods
    .filter((x) => x.spec.nodeName === n.metadata.name && live(x))
    .sort(
      (a, b) =>
        a.metadata.namespace.localeCompare(b.metadata.namespace) ||
        a.metadata.name.localeCompare(b.metadata.name),
    );
  for (const x of onNode) {
    const kind = controllerKind(x);
    if (kind === "DaemonSet" || x.metadata.annotations[MIRROR] !== undefined) continue;
    if (protectedNs(ctx, x.metadata.namespace)) {
      partial.push({
        target: podRef(x),
        guardrail: "systemNamespace",
        message: `pod ${x.metadata.namespace}/${x.metadata.name} is left alone (system namespace)`,
      });
      continue;
    }
    if (kind === undefined) {
      partial.push({
        target: podRef(x),
        guardrail: "unmanagedPod",
        message: `pod ${x.metadata.namespace}/${x.metadata.name} has no controller to recreate it; not evicted`,
      });
      continue;
    }
    const b = gate(x);
    if (b !== undefined) {
      partial.push({ target: podRef(x), ...b });
      continue;
    }
    evict.push(x);
  }
  const cordon = n.spec.unschedulable !== true;
  if (!cordon && evict.length === 0) {
    if (partial.length === 0) return undefined;
    const first = partial[0];
    return first === undefined ? undefined : blocked(p, first.guardrail, first.message);
  }
  const uids = evict.map((x) => x.metadata.uid || x.metadata.name);
  const message =
    `${cordon ? "cordon" : "(already cordoned)"} node ${n.metadata.name}, NotReady since ${since ?? "?"}, ` +
    `and evict ${evict.length} pod${evict.length === 1 ? "" : "s"} so they reschedule` +
    (partial.length > 0 ? `; ${partial.length} left (see skipped)` : "");
  const ann = nodeAnnotated(ctx, n);
  return {
    ...p,
    result: {
      type: "built",
      generation: `t=${since ?? "?"};pods=${fnv1a64(uids.join(","))}`,
      message,
      disruptive: true,
      patches: (id) => [
        ...(cordon
          ? [
              jsonPatch(target, [
                { op: "add", path: "/spec/unschedulable", value: true },
                ...annotateOps(ann, { [ANNOTATION_CORDONED]: id, [ANNOTATION_REASON]: message }),
              ]),
            ]
          : []),
        ...evict.map((x) => evictionPatch(podRef(x), x.metadata.uid)),
      ],
      verify: {
        node: { name: n.metadata.name, want: "drained" },
        workloads: watchedWorkloads(ctx, evict),
        pods: evict.map((x) => ({
          namespace: x.metadata.namespace,
          name: x.metadata.name,
          uid: x.metadata.uid,
        })),
        terminatingIsEnough: true,
        watch: [target],
      },
      partial,
    },
  };
}

/** Pods terminating on a dead (NotReady past the grace, or deleted) node, grouped by node. */
export function forceDeletes(ctx: Ctx, f: Finding): Proposal[] {
  const names = new Set<string>();
  if (NODE_CODES.has(f.code)) names.add(f.object.name);
  if (f.code === "StuckTerminating") {
    const known = new Set(ctx.snap.nodes.map((n) => n.metadata.name));
    const nodesListed = !ctx.snap.skipped.some((s) => s.kind === "nodes");
    for (const x of ctx.snap.pods) {
      const node = x.spec.nodeName;
      if (x.metadata.deletionTimestamp === undefined || node === undefined) continue;
      if (rootOf(ctx.snap, x).name !== f.object.name || x.metadata.namespace !== f.object.namespace) continue;
      if (nodesListed && !known.has(node)) names.add(node);
    }
  }
  const out: Proposal[] = [];
  for (const name of [...names].sort()) {
    const n = nodeOf(ctx, name);
    if (n !== undefined && nodeReady(n)?.status === "True") continue;
    const target = ref("Node", "", name);
    const p = {
      finding: f,
      kind: "forceDeletePod" as const,
      target,
      scope: target,
      labels: n?.metadata.labels ?? {},
    };
    const stuck = ctx.snap.pods
      .filter((x) => x.spec.nodeName === name && x.metadata.deletionTimestamp !== undefined)
      .sort(
        (a, b) =>
          a.metadata.namespace.localeCompare(b.metadata.namespace) ||
          a.metadata.name.localeCompare(b.metadata.name),
      );
    if (stuck.length === 0) continue;
    if (ctx.storm) {
      out.push(blocked(p, "storm", "too many nodes are NotReady at once: pods on them may still run"));
      continue;
    }
    if (n !== undefined) {
      const { since, retryAt } = graceLeft(ctx, n);
      if (retryAt !== undefined) {
        out.push(
          blocked(p, "grace", `node ${name} NotReady since ${since ?? "?"}; not yet confirmed dead`, {
            retryAt,
          }),
        );
        continue;
      }
    }
    const partial: (Block & { target: ObjectRef })[] = [];
    const due: Pod[] = [];
    let nextAt: number | undefined;
    for (const x of stuck) {
      if (protectedNs(ctx, x.metadata.namespace)) {
        partial.push({
          target: podRef(x),
          guardrail: "systemNamespace",
          message: `pod ${x.metadata.namespace}/${x.metadata.name} is left alone (system namespace)`,
        });
        continue;
      }
      const deadline =
        Date.parse(x.metadata.deletionTimestamp ?? "") + ctx.policy.forceDeleteGraceSeconds * 1000;
      if (Number.isNaN(deadline)) continue;
      if (ctx.now.getTime() >= deadline) due.push(x);
      else nextAt = Math.min(nextAt ?? Infinity, deadline);
    }
    if (due.length === 0) {
      if (nextAt !== undefined)
        out.push(
          blocked(
            p,
            "grace",
            `pods on node ${name} are within their deletion grace plus forceDeleteGraceSeconds`,
            {
              retryAt: new Date(nextAt).toISOString(),
            },
          ),
        );
      else {
        const first = partial[0];
        if (first !== undefined) out.push(blocked(p, first.guardrail, first.message));
      }
      continue;
    }
    const message = `force-delete ${due.length} pod${due.length === 1 ? "" : "s"} stuck Terminating on node ${name}, which is ${n === undefined ? "gone" : "NotReady"}, so their controllers can replace them`;
    out.push({
      ...p,
      result: {
        type: "built",
        generation: `pods=${fnv1a64(due.map((x) => x.metadata.uid || x.metadata.name).join(","))}`,
        message,
        disruptive: false,
        patches: () => due.map((x) => deletePatch(podRef(x), x.metadata.uid, true)),
        verify: {
          workloads: watchedWorkloads(ctx, due),
          pods: due.map((x) => ({
            namespace: x.metadata.namespace,
            name: x.metadata.name,
            uid: x.metadata.uid,
          })),
          terminatingIsEnough: false,
          watch: [target],
        },
        partial,
      },
    });
  }
  return out;
}

export function uncordonNode(ctx: Ctx, f: Finding): Proposal | undefined {
  if (f.code !== "NodeCordoned") return undefined;
  const n = nodeOf(ctx, f.object.name);
  if (n === undefined) return undefined;
  const target = ref("Node", "", n.metadata.name);
  const p = { finding: f, kind: "uncordonNode" as const, target, scope: target, labels: n.metadata.labels };
  const mark = n.metadata.annotations[ANNOTATION_CORDONED];
  if (mark === undefined)
    return blocked(
      p,
      "notVigilCordoned",
      `node ${n.metadata.name} was cordoned by someone else; Vigil leaves it`,
    );
  if (ctx.storm) return blocked(p, "storm", "too many nodes are NotReady at once: no node actions");
  const ready = nodeReady(n);
  if (ready?.status !== "True") return blocked(p, "grace", `node ${n.metadata.name} is not Ready yet`);
  const age = ageSeconds(ctx.now, ready.lastTransitionTime) ?? 0;
  const delay = ctx.policy.nodeHealthyDelaySeconds;
  if (age < delay)
    return blocked(
      p,
      "grace",
      `node ${n.metadata.name} Ready for ${Math.round(age)}s of nodeHealthyDelaySeconds ${delay}`,
      {
        retryAt: plusSeconds(ctx.now, delay - age),
      },
    );
  const message = `uncordon node ${n.metadata.name}: Ready again for ${Math.round(age)}s (Vigil cordoned it in ${mark})`;
  const markPath = `/metadata/annotations/${ptr(ANNOTATION_CORDONED)}`;
  return {
    ...p,
    result: {
      type: "built",
      generation: `t=${ready.lastTransitionTime ?? "?"}`,
      message,
      disruptive: false,
      patches: () => [
        jsonPatch(target, [
          { op: "test", path: markPath, value: mark },
          { op: "remove", path: "/spec/unschedulable" },
          { op: "remove", path: markPath },
        ]),
      ],
      undo: () => [
        jsonPatch(target, [
          { op: "add", path: "/spec/unschedulable", value: true },
          { op: "add", path: markPath, value: mark },
        ]),
      ],
      verify: {
        findingGone: f.id,
        node: { name: n.metadata.name, want: "schedulable" },
        workloads: [],
        pods: [],
        terminatingIsEnough: false,
        watch: [target],
      },
    },
  };
}

export { pdbGate };
