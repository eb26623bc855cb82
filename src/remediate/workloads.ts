/**
 * Remediations that change a workload's pod template: rollback to the last healthy revision, a higher memory
 * limit after OOMKilled, a startupProbe for a slow starter, and a restart for a crash loop that restarts have
 * cured before. Each is one JSON patch guarded by `test` operations (generation, container name, old value),
 * so a workload someone changed meanwhile is never overwritten; the restart is the strategic merge patch
 * `kubectl rollout restart` sends.
 */
import type { Finding } from "../health/index.js";
import { refKey, type ObjectRef } from "../model/index.js";
import {
  ageSeconds,
  getPath,
  podReady,
  podsOf,
  ref,
  workloadOf,
  type Container,
  type Meta,
  type Workload,
} from "./cluster.js";
import { dependencyDown } from "./dependency.js";
import {
  ANNOTATION_ACTION,
  ANNOTATION_REASON,
  ANNOTATION_UNDONE,
  annotateOps,
  jsonPatch,
  ptr,
  strategicPatch,
  toJson,
} from "./patch.js";
import { blocked, type Built, type Ctx, type Proposal } from "./proposal.js";
import { MI, formatMemory, parseQuantity } from "./quantity.js";
import type { Json, JsonPatchOp } from "./types.js";

const REVISION = "deployment.kubernetes.io/revision";
const TEMPLATE_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);
const DAY = 86_400;

/** Does the live object have an annotations map? Exact with the raw object, a good guess from the slim one. */
function hasAnnotations(ctx: Ctx, target: ObjectRef, meta: Meta): boolean {
  const raw = ctx.raw?.(target);
  if (raw !== undefined) {
    const a = getPath(raw, ["metadata", "annotations"]);
    return typeof a === "object" && a !== null;
  }
  return Object.keys(meta.annotations).length > 0;
}

function generationTest(w: Workload, delta = 0): JsonPatchOp[] {
  const g = w.meta.generation;
  return g === undefined ? [] : [{ op: "test", path: "/metadata/generation", value: g + delta }];
}

/** Guards of an undo: our change is still the last one (generation + 1, our action id on the object). */
function undoGuards(w: Workload, id: string): JsonPatchOp[] {
  return [
    ...generationTest(w, 1),
    { op: "test", path: `/metadata/annotations/${ptr(ANNOTATION_ACTION)}`, value: id },
  ];
}

function undoneOps(id: string): JsonPatchOp[] {
  return [{ op: "add", path: `/metadata/annotations/${ptr(ANNOTATION_UNDONE)}`, value: id }];
}

function gen(w: Workload): string {
  return `g${w.meta.generation ?? 0}`;
}

function base(f: Finding, kind: Proposal["kind"], w: Workload | undefined, target: ObjectRef) {
  return { finding: f, kind, target, scope: target, labels: w?.meta.labels ?? {} };
}

function watched(w: Workload) {
  return [{ ref: w.ref, desired: w.desired, availableBefore: w.available }];
}

/** What every template change is verified by: its finding gone and the workload available again. */
function templateVerify(f: Finding, w: Workload, target: ObjectRef): Built["verify"] {
  return { findingGone: f.id, workloads: watched(w), pods: [], terminatingIsEnough: false, watch: [target] };
}

/**
 * A JSON-patch change of a workload's pod template: guarded by the generation it was planned on, annotated
 * with the action, undone (when `backward` is given) only while it is still the last change.
 */
function templateChange(
  ctx: Ctx,
  f: Finding,
  w: Workload,
  target: ObjectRef,
  o: {
    readonly message: string;
    readonly forward: readonly JsonPatchOp[];
    readonly backward: readonly JsonPatchOp[] | undefined;
    readonly signature?: string;
  },
): Built {
  const ann = hasAnnotations(ctx, target, w.meta);
  const { backward } = o;
  return {
    type: "built",
    generation: gen(w),
    message: o.message,
    disruptive: true,
    ...(o.signature !== undefined ? { signature: o.signature } : {}),
    patches: (id) => [
      jsonPatch(target, [
        ...generationTest(w),
        ...o.forward,
        ...annotateOps(ann, { [ANNOTATION_ACTION]: id, [ANNOTATION_REASON]: o.message }),
      ]),
    ],
    undo:
      backward === undefined
        ? undefined
        : (id) => [jsonPatch(target, [...undoGuards(w, id), ...backward, ...undoneOps(id)])],
    verify: templateVerify(f, w, target),
  };
}

/** Finds a container in the template: its JSON pointer and spec. */
function containerAt(w: Workload, name: string): { path: string; c: Container } | undefined {
  const spec = w.template.spec;
  const i = spec.containers.findIndex((c) => c.name === name);
  const c = spec.containers[i];
  if (c !== undefined) return { path: `/spec/template/spec/containers/${i}`, c };
  const j = spec.initContainers.findIndex((x) => x.name === name);
  const ic = spec.initContainers[j];
  return ic === undefined ? undefined : { path: `/spec/template/spec/initContainers/${j}`, c: ic };
}

// ---------------------------------------------------------------------------------------------- rollback

export function rollback(ctx: Ctx, f: Finding): Proposal | undefined {
  if (f.code !== "BadRollout" || f.fix.action.kind !== "rollback") return undefined;
  const target = f.object;
  const w = workloadOf(ctx.snap, target);
  if (w === undefined) return undefined;
  const p = base(f, "rollback", w, target);
  const toRevision = f.fix.action.params.toRevision;
  if (w.paused)
    return blocked(p, "paused", `Deployment ${target.name} is paused; resume it before a rollback`);
  const rs = ctx.snap.replicaSets.find(
    (r) =>
      r.metadata.namespace === target.namespace &&
      r.metadata.ownerReferences.some((o) => o.kind === "Deployment" && o.name === target.name) &&
      r.metadata.annotations[REVISION] === String(toRevision),
  );
  if (rs === undefined)
    return blocked(p, "noSafeAction", `the ReplicaSet of revision ${toRevision} no longer exists`);
  const rsRef = ref("ReplicaSet", target.namespace, rs.metadata.name);
  const tpl = toJson(getPath(ctx.raw?.(rsRef), ["spec", "template"]));
  if (typeof tpl !== "object" || tpl === null || Array.isArray(tpl))
    return blocked(
      p,
      "needsFullObject",
      `the full pod template of ReplicaSet ${rs.metadata.name} is needed (the slim snapshot drops fields)`,
    );
  const restored = withoutHashLabel(tpl as { readonly [k: string]: Json });
  const change = f.changes?.[0];
  const message =
    `roll back to revision ${toRevision} (ReplicaSet ${rs.metadata.name}), the last healthy one` +
    (change === undefined
      ? ""
      : `; undoes ${change.path}: ${change.before ?? "(none)"} → ${change.after ?? "(none)"}`);
  const current = toJson(getPath(ctx.raw?.(target), ["spec", "template"]));
  return {
    ...p,
    result: templateChange(ctx, f, w, target, {
      message,
      forward: [{ op: "replace", path: "/spec/template", value: restored }],
      backward:
        current === undefined ? undefined : [{ op: "replace", path: "/spec/template", value: current }],
    }),
  };
}

/** `kubectl rollout undo` drops the ReplicaSet's pod-template-hash label before copying its template. */
function withoutHashLabel(tpl: { readonly [k: string]: Json }): Json {
  const meta = tpl["metadata"];
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) return tpl;
  const m = meta as { readonly [k: string]: Json };
  const labels = m["labels"];
  if (typeof labels !== "object" || labels === null || Array.isArray(labels)) return tpl;
  const rest = Object.fromEntries(
    Object.entries(labels as { readonly [k: string]: Json }).filter(([k]) => k !== "pod-template-hash"),
  );
  return { ...tpl, metadata: { ...m, labels: rest } };
}

// ------------------------------------------------------------------------------------------ raise memory

function oomContainer(ctx: Ctx, f: Finding): string | undefined {
  if (f.fix.action.kind === "setResources") return f.fix.action.params.container;
  for (const p of podsOf(ctx.snap, f.object))
    for (const cs of p.status.containerStatuses)
      if ((cs.lastState.terminated ?? cs.state.terminated)?.reason === "OOMKilled") return cs.name;
  return undefined;
}

function limitRangeMax(ctx: Ctx, ns: string): { max: number | undefined; ratio: number | undefined } {
  let max: number | undefined;
  let ratio: number | undefined;
  for (const lr of ctx.limitRanges) {
    if (lr.metadata.namespace !== ns) continue;
    for (const l of lr.spec.limits) {
      if (l.type !== "Container" && l.type !== "Pod") continue;
      const m = parseQuantity(l.max["memory"]);
      if (m !== undefined) max = max === undefined ? m : Math.min(max, m);
      const r = parseQuantity(l.maxLimitRequestRatio["memory"]);
      if (r !== undefined && l.type === "Container") ratio = ratio === undefined ? r : Math.min(ratio, r);
    }
  }
  return { max, ratio };
}

/** The largest new value `resource` may take so that `replicas` pods plus one surge pod fit the quotas. */
function quotaCap(ctx: Ctx, ns: string, names: readonly string[], old: number, replicas: number): number {
  let cap = Infinity;
  for (const q of ctx.snap.resourceQuotas) {
    if (q.metadata.namespace !== ns) continue;
    for (const n of names) {
      const hard = parseQuantity(q.status.hard[n]);
      if (hard === undefined) continue;
      const free = hard - (parseQuantity(q.status.used[n] ?? "0") ?? 0);
      // (new - old) * replicas + new <= free
      cap = Math.min(cap, (free + old * replicas) / (replicas + 1));
    }
  }
  return cap;
}

export function raiseMemory(ctx: Ctx, f: Finding): Proposal | undefined {
  if (f.code !== "OOMKilled") return undefined;
  const target = f.object;
  const w = TEMPLATE_KINDS.has(target.kind) ? workloadOf(ctx.snap, target) : undefined;
  const p = base(f, "raiseMemory", w, target);
  if (w === undefined)
    return blocked(p, "noSafeAction", `${target.kind} ${target.name} has no pod template Vigil can change`);
  const name = oomContainer(ctx, f);
  const at = name === undefined ? undefined : containerAt(w, name);
  if (name === undefined || at === undefined)
    return blocked(p, "noSafeAction", "the OOMKilled container is not in the workload's template");
  const limitStr = at.c.resources.limits["memory"];
  const limit = parseQuantity(limitStr);
  if (limitStr === undefined || limit === undefined)
    return blocked(p, "noSafeAction", `container ${name} has no memory limit: the node ran out of memory`);
  const signature = `${refKey(target)}/${name}`;
  const prior = ctx.history.find(
    (h) =>
      h.kind === "raiseMemory" &&
      h.mode === "Auto" &&
      h.signature === signature &&
      h.outcome !== "pending" &&
      h.outcome !== "failed" &&
      (ageSeconds(ctx.now, h.at) ?? Infinity) < DAY,
  );
  if (prior !== undefined) {
    const message = `container ${name} is OOMKilled again within 24 h of Vigil raising its limit (${prior.id}): likely a leak`;
    return blocked(p, "noSafeAction", message, {
      escalation: { reason: "repeatedOom", target, findingIds: [f.id], message },
    });
  }
  const peak = podsOf(ctx.snap, target)
    .flatMap((pod) =>
      ctx.snap.podMetrics
        .filter((m) => m.namespace === pod.metadata.namespace && m.name === pod.metadata.name)
        .map((m) => parseQuantity(m.containers.find((c) => c.name === name)?.usage["memory"]) ?? 0),
    )
    .reduce((a, b) => Math.max(a, b), 0);
  const observed = Math.max(limit, peak);
  const want = Math.max(observed * (1 + ctx.policy.memoryHeadroomPercent / 100), observed + 100 * MI);
  const reqStr = at.c.resources.requests["memory"];
  const req = parseQuantity(reqStr);
  // A request equal to the limit (or none: pods default it to the limit) moves with the limit.
  const tied = req === undefined || req >= limit;
  const lr = limitRangeMax(ctx, target.namespace);
  const caps: { guardrail: "policyCap" | "limitRange" | "quota"; value: number; what: string }[] = [
    {
      guardrail: "policyCap",
      value: parseQuantity(ctx.policy.maxMemoryLimit) ?? Infinity,
      what: `maxMemoryLimit ${ctx.policy.maxMemoryLimit}`,
    },
    { guardrail: "limitRange", value: lr.max ?? Infinity, what: "the namespace's LimitRange max" },
    {
      guardrail: "quota",
      value: Math.min(
        quotaCap(ctx, target.namespace, ["limits.memory"], limit, w.desired),
        tied
          ? quotaCap(ctx, target.namespace, ["requests.memory", "memory"], req ?? limit, w.desired)
          : Infinity,
      ),
      what: "the namespace's ResourceQuota",
    },
  ];
  let newLimit = Math.ceil(want / MI) * MI;
  let bound: (typeof caps)[number] | undefined;
  for (const c of caps) {
    const v = Math.floor(c.value / MI) * MI;
    if (v < newLimit) {
      newLimit = v;
      bound = c;
    }
  }
  if (newLimit <= limit && bound !== undefined)
    return blocked(p, bound.guardrail, `container ${name} is at ${limitStr}; ${bound.what} allows no more`);
  let newReq: number = tied ? newLimit : req;
  if (lr.ratio !== undefined && newLimit / newReq > lr.ratio)
    newReq = Math.ceil(newLimit / lr.ratio / MI) * MI;
  if (!tied && newReq !== req) {
    const cap = quotaCap(ctx, target.namespace, ["requests.memory", "memory"], req, w.desired);
    if (newReq > cap)
      return blocked(
        p,
        "quota",
        `the request of container ${name} must rise and the ResourceQuota has no room`,
      );
  }
  const newLimitStr = formatMemory(newLimit);
  const newReqStr = formatMemory(newReq);
  const changeReq = reqStr !== undefined && newReq !== req;
  const res = `${at.path}/resources`;
  const message =
    `raise the memory limit of container ${name} from ${limitStr} to ${newLimitStr}` +
    (changeReq ? ` and its request from ${reqStr} to ${newReqStr}` : "") +
    (peak > 0 ? ` (observed peak ${formatMemory(peak)}` : " (at the limit when killed") +
    `, +${ctx.policy.memoryHeadroomPercent}% headroom, at least +100Mi)` +
    (bound === undefined ? "" : `, capped by ${bound.what}`);
  return {
    ...p,
    result: templateChange(ctx, f, w, target, {
      message,
      signature,
      forward: [
        { op: "test", path: `${at.path}/name`, value: name },
        { op: "test", path: `${res}/limits/memory`, value: limitStr },
        { op: "replace", path: `${res}/limits/memory`, value: newLimitStr },
        ...(changeReq
          ? ([
              { op: "test", path: `${res}/requests/memory`, value: reqStr },
              { op: "replace", path: `${res}/requests/memory`, value: newReqStr },
            ] as const)
          : []),
      ],
      backward: [
        { op: "test", path: `${res}/limits/memory`, value: newLimitStr },
        { op: "replace", path: `${res}/limits/memory`, value: limitStr },
        ...(changeReq
          ? ([
              { op: "test", path: `${res}/requests/memory`, value: newReqStr },
              { op: "replace", path: `${res}/requests/memory`, value: reqStr },
            ] as const)
          : []),
      ],
    }),
  };
}

// ---------------------------------------------------------------------------------------- startup probe

/** Seconds the container took to become Ready in pods that made it, and the longest run that was killed. */
function startTimes(
  ctx: Ctx,
  target: ObjectRef,
  name: string,
): { ready: number | undefined; killedAfter: number } {
  let ready: number | undefined;
  let killedAfter = 0;
  for (const pod of podsOf(ctx.snap, target)) {
    const cs = pod.status.containerStatuses.find((c) => c.name === name);
    if (cs === undefined) continue;
    const started = cs.state.running?.startedAt;
    const readyAt = pod.status.conditions.find(
      (c) => c.type === "Ready" && c.status === "True",
    )?.lastTransitionTime;
    if (podReady(pod) && started !== undefined && readyAt !== undefined) {
      const s = (Date.parse(readyAt) - Date.parse(started)) / 1000;
      if (Number.isFinite(s) && s >= 0) ready = Math.max(ready ?? 0, s);
    }
    const t = cs.lastState.terminated;
    if (t?.startedAt !== undefined && t.finishedAt !== undefined) {
      const run = (Date.parse(t.finishedAt) - Date.parse(t.startedAt)) / 1000;
      if (Number.isFinite(run)) killedAfter = Math.max(killedAfter, run);
    }
  }
  return { ready, killedAfter };
}

function startupEvents(ctx: Ctx, target: ObjectRef): boolean {
  const pods = new Set(podsOf(ctx.snap, target).map((p) => p.metadata.name));
  return ctx.snap.events.some(
    (e) =>
      e.involved.kind === "Pod" &&
      e.involved.namespace === target.namespace &&
      pods.has(e.involved.name) &&
      e.reason === "Unhealthy" &&
      e.message.startsWith("Startup probe") &&
      /connection refused|connect: /.test(e.message),
  );
}

export function startupProbe(ctx: Ctx, f: Finding): Proposal | undefined {
  const extend = f.code === "LivenessProbeFailing";
  if (f.code !== "SlowStart" && !extend) return undefined;
  const target = f.object;
  const w = TEMPLATE_KINDS.has(target.kind) ? workloadOf(ctx.snap, target) : undefined;
  if (extend && (w === undefined || !startupEvents(ctx, target))) return undefined;
  const p = base(f, "addStartupProbe", w, target);
  if (w === undefined)
    return blocked(p, "noSafeAction", `${target.kind} ${target.name} has no pod template Vigil can change`);
  const name =
    f.fix.action.kind === "addStartupProbe"
      ? f.fix.action.params.container
      : w.template.spec.containers.filter((c) => c.startupProbe !== undefined).map((c) => c.name)[0];
  const at = name === undefined ? undefined : containerAt(w, name);
  if (name === undefined || at === undefined || at.c.livenessProbe === undefined)
    return blocked(p, "noSafeAction", "no container with a liveness probe to derive a startupProbe from");
  const live = at.c.livenessProbe;
  const period = live.periodSeconds ?? 10;
  const delay = live.initialDelaySeconds ?? 0;
  const livenessBudget = delay + (live.failureThreshold ?? 3) * period;
  const seen = startTimes(ctx, target, name);
  const old = at.c.startupProbe;
  const oldPeriod = old?.periodSeconds ?? 10;
  const oldThreshold = old?.failureThreshold ?? 3;
  const oldBudget = old === undefined ? 0 : (old.initialDelaySeconds ?? 0) + oldThreshold * oldPeriod;
  let budget =
    seen.ready !== undefined
      ? Math.ceil(seen.ready * 1.5) + period
      : Math.max(60, Math.ceil(Math.max(seen.killedAfter, livenessBudget) * 4));
  if (old !== undefined) budget = Math.max(budget, oldBudget * 2);
  const cap = ctx.policy.maxStartupProbeSeconds;
  if (budget > cap) budget = cap;
  if (budget <= oldBudget)
    return blocked(
      p,
      "policyCap",
      `container ${name} already has a ${oldBudget}s startup budget (maxStartupProbeSeconds ${cap})`,
    );
  const probePeriod = old === undefined ? period : oldPeriod;
  const probeDelay = old === undefined ? delay : (old.initialDelaySeconds ?? 0);
  const threshold = Math.max(1, Math.ceil((budget - probeDelay) / probePeriod));
  const total = probeDelay + threshold * probePeriod;
  const basis =
    seen.ready !== undefined
      ? `observed start ${Math.round(seen.ready)}s x1.5`
      : `no start observed; killed after ${Math.round(Math.max(seen.killedAfter, livenessBudget))}s, x4, at least 60s`;
  const message =
    old === undefined
      ? `add a startupProbe to container ${name} (the liveness check, ${total}s budget: failureThreshold ${threshold} x periodSeconds ${probePeriod}; ${basis})`
      : `extend the startupProbe of container ${name} from ${oldBudget}s to ${total}s (failureThreshold ${oldThreshold} → ${threshold}; ${basis})`;
  const sp = `${at.path}/startupProbe`;
  const forward: JsonPatchOp[] =
    old === undefined
      ? [
          { op: "copy", from: `${at.path}/livenessProbe`, path: sp },
          { op: "add", path: `${sp}/periodSeconds`, value: probePeriod },
          { op: "add", path: `${sp}/failureThreshold`, value: threshold },
        ]
      : [
          ...(old.failureThreshold === undefined
            ? []
            : ([{ op: "test", path: `${sp}/failureThreshold`, value: old.failureThreshold }] as const)),
          { op: "add", path: `${sp}/failureThreshold`, value: threshold },
        ];
  const backward: JsonPatchOp[] =
    old === undefined
      ? [
          { op: "test", path: `${sp}/failureThreshold`, value: threshold },
          { op: "remove", path: sp },
        ]
      : [
          { op: "test", path: `${sp}/failureThreshold`, value: threshold },
          old.failureThreshold === undefined
            ? { op: "remove", path: `${sp}/failureThreshold` }
            : { op: "replace", path: `${sp}/failureThreshold`, value: old.failureThreshold },
        ];
  return {
    ...p,
    result: templateChange(ctx, f, w, target, {
      message,
      forward: [{ op: "test", path: `${at.path}/name`, value: name }, ...forward],
      backward,
    }),
  };
}

// ------------------------------------------------------------------------------------- crash loop restart

/** What a crash loop looks like, to match it against earlier restarts: container, exit code, reason. */
export function crashSignature(ctx: Ctx, f: Finding): string {
  for (const pod of podsOf(ctx.snap, f.object)) {
    for (const cs of pod.status.containerStatuses) {
      if (cs.state.waiting?.reason !== "CrashLoopBackOff") continue;
      const t = cs.lastState.terminated;
      return `${f.code}/${cs.name}/exit=${t?.exitCode ?? "?"}/${t?.reason ?? "?"}`;
    }
  }
  return `${f.code}/?`;
}

export function restart(ctx: Ctx, f: Finding): Proposal | undefined {
  if (f.code !== "CrashLoopBackOff") return undefined;
  const target = f.object;
  const w = TEMPLATE_KINDS.has(target.kind) ? workloadOf(ctx.snap, target) : undefined;
  const p = base(f, "restart", w, target);
  const dep = dependencyDown(ctx, f);
  if (dep !== undefined) {
    const message = `the crashes point at Service ${dep.service.namespace}/${dep.service.name}, which has no ready endpoints: fix the dependency, not ${target.kind} ${target.name}`;
    return blocked(p, "dependencyDown", message, {
      escalation: {
        reason: "dependencyDown",
        target: dep.service,
        findingIds: [f.id],
        message: `Service ${dep.service.namespace}/${dep.service.name} has no ready endpoints and its clients crash (${dep.evidence})`,
      },
    });
  }
  if (w === undefined)
    return blocked(
      p,
      "noSafeAction",
      `${target.kind} ${target.name} has no controller that would restart it`,
    );
  const signature = crashSignature(ctx, f);
  const helped = ctx.history.some(
    (h) =>
      h.kind === "restart" &&
      h.mode === "Auto" &&
      h.outcome === "verified" &&
      h.signature === signature &&
      refKey(h.scope) === refKey(target),
  );
  if (!helped) {
    const message = `no restart has cured this crash (${signature}) before: restarting would only repeat it`;
    return blocked(p, "noSafeAction", message, {
      escalation: {
        reason: "restartNeverHelped",
        target,
        findingIds: [f.id],
        message: `${target.kind} ${target.name}: ${message}`,
      },
    });
  }
  const message = `restart ${target.kind} ${target.name}: restarts cured this crash (${signature}) before`;
  const at = ctx.now.toISOString();
  return {
    ...p,
    result: {
      type: "built",
      generation: gen(w),
      message,
      disruptive: true,
      signature,
      patches: (id) => [
        strategicPatch(target, {
          metadata: { annotations: { [ANNOTATION_ACTION]: id, [ANNOTATION_REASON]: message } },
          spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": at } } } },
        }),
      ],
      verify: templateVerify(f, w, target),
    },
  };
}
