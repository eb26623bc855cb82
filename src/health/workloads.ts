/**
 * Workload analyzers: Deployment (unavailable, ProgressDeadlineExceeded, stuck or paused rollouts and the bad
 * rollout signature), ReplicaSet, StatefulSet (0/N included), DaemonSet, Job and CronJob.
 */
import type { ObjectRef } from "../model/index.js";
import type { Ctx } from "./context.js";
import type { Draft } from "./draft.js";
import { DOCS, type Evidence, type Severity, type TemplateChange } from "./finding.js";
import type { PodIssue } from "./pods.js";
import type { Condition, CronJob, Deployment, Meta, PodTemplate, ReplicaSet } from "./snapshot.js";
import { ageSeconds, humanDuration, refOf } from "./util.js";

const REVISION = "deployment.kubernetes.io/revision";
/** Pod failures that mean nothing once the pod's ReplicaSet is scaled to 0 (unlike StuckTerminating). */
const RETIRING_CODES: ReadonlySet<string> = new Set([
  "ImagePullFailure",
  "CrashLoopBackOff",
  "CreateContainerConfigError",
  "ContainerFailed",
  "InitContainerFailing",
  "ReadinessProbeFailing",
  "LivenessProbeFailing",
  "SlowStart",
  "PodPending",
]);
const IGNORED_LABELS = new Set(["pod-template-hash", "controller-revision-hash"]);

function cond(conds: readonly Condition[], type: string): Condition | undefined {
  return conds.find((c) => c.type === type);
}

function condEvidence(object: ObjectRef, c: Condition): Evidence {
  return {
    object,
    source: "condition",
    message: `${c.type}=${c.status}${c.reason !== undefined ? ` ${c.reason}` : ""}${c.message !== undefined ? `: ${c.message}` : ""}`,
    at: c.lastTransitionTime ?? c.lastUpdateTime,
  };
}

function manualFix(target: ObjectRef, summary: string) {
  return { summary, action: { kind: "manual" as const, target, params: {} } };
}

/** Flattens the parts of a pod template that define behaviour into path → JSON value. */
function flattenTemplate(t: PodTemplate): Map<string, string> {
  const out = new Map<string, string>();
  const put = (path: string, v: unknown) => {
    if (v === undefined) return;
    if (Array.isArray(v) && v.length === 0) return;
    if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0) return;
    out.set(path, typeof v === "string" ? v : JSON.stringify(v));
  };
  for (const [k, v] of Object.entries(t.metadata.labels)) if (!IGNORED_LABELS.has(k)) put(`labels[${k}]`, v);
  for (const [k, v] of Object.entries(t.metadata.annotations)) put(`annotations[${k}]`, v);
  const s = t.spec;
  put("serviceAccountName", s.serviceAccountName);
  put("nodeSelector", s.nodeSelector);
  put("volumes", s.volumes);
  for (const [group, list] of [
    ["containers", s.containers],
    ["initContainers", s.initContainers],
  ] as const) {
    for (const c of list) {
      const p = `${group}[${c.name}]`;
      put(`${p}.image`, c.image);
      put(`${p}.command`, c.command);
      put(`${p}.args`, c.args);
      for (const e of c.env) put(`${p}.env[${e.name}]`, e.value ?? e.valueFrom);
      put(`${p}.envFrom`, c.envFrom);
      put(`${p}.resources.requests`, c.resources.requests);
      put(`${p}.resources.limits`, c.resources.limits);
      put(`${p}.livenessProbe`, c.livenessProbe);
      put(`${p}.readinessProbe`, c.readinessProbe);
      put(`${p}.startupProbe`, c.startupProbe);
      put(`${p}.securityContext`, c.securityContext);
    }
  }
  return out;
}

/** What changed from one pod template to another, path by path (sorted, bounded). */
export function diffTemplates(before: PodTemplate, after: PodTemplate, max = 20): TemplateChange[] {
  const a = flattenTemplate(before);
  const b = flattenTemplate(after);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: TemplateChange[] = [];
  for (const p of paths) {
    if (a.get(p) !== b.get(p)) out.push({ path: p, before: a.get(p), after: b.get(p) });
    if (out.length >= max) break;
  }
  return out;
}

function ownedBy(meta: Meta, kind: string, owner: Meta): boolean {
  return meta.ownerReferences.some(
    (o) =>
      o.kind === kind && (o.uid !== "" && owner.uid !== "" ? o.uid === owner.uid : o.name === owner.name),
  );
}

function revisionOf(rs: ReplicaSet): number {
  const n = Number(rs.metadata.annotations[REVISION]);
  return Number.isFinite(n) ? n : 0;
}

function podOwner(i: PodIssue): string | undefined {
  return (
    i.pod.metadata.ownerReferences.find((o) => o.controller === true) ?? i.pod.metadata.ownerReferences[0]
  )?.name;
}

function describeChange(c: TemplateChange): string {
  return `${c.path}: ${c.before ?? "(none)"} → ${c.after ?? "(none)"}`;
}

/**
 * The bad rollout signature: the newest ReplicaSet's pods fail while the previous revision still has Ready
 * pods and none of its pods fail. Returns the drafts and the pod issues they absorb.
 */
export function badRollouts(
  ctx: Ctx,
  issues: readonly PodIssue[],
): { drafts: Draft[]; absorbed: Set<PodIssue> } {
  const drafts: Draft[] = [];
  const absorbed = new Set<PodIssue>();
  if (!ctx.has("replicaSets")) return { drafts, absorbed };
  for (const d of ctx.snap.deployments) {
    if (!ctx.inScope(d.metadata.namespace)) continue;
    const rss = ctx.snap.replicaSets
      .filter(
        (rs) =>
          rs.metadata.namespace === d.metadata.namespace && ownedBy(rs.metadata, "Deployment", d.metadata),
      )
      .sort((a, b) => revisionOf(b) - revisionOf(a));
    const [newRs, ...older] = rss;
    if (newRs === undefined) continue;
    // A revision the Deployment has scaled to 0 is on its way out (a rollback or a finished rollout): the
    // start-up failures of its last pods are history, not a new problem.
    for (const rs of older) {
      if ((rs.spec.replicas ?? 1) !== 0) continue;
      for (const i of issues)
        if (
          RETIRING_CODES.has(i.code) &&
          i.pod.metadata.namespace === d.metadata.namespace &&
          podOwner(i) === rs.metadata.name
        )
          absorbed.add(i);
    }
    const running = older.find((rs) => (rs.status.readyReplicas ?? 0) > 0);
    const recreated = running === undefined ? recreatedHealthy(ctx, d, older[0]) : undefined;
    const prev = running ?? recreated?.rs;
    if (prev === undefined) continue;
    const ns = d.metadata.namespace;
    const mine = issues.filter((i) => i.failing && i.pod.metadata.namespace === ns);
    const failingNew = mine.filter((i) => podOwner(i) === newRs.metadata.name);
    const failingOld = mine.filter((i) => podOwner(i) === prev.metadata.name);
    if (failingNew.length === 0 || failingOld.length > 0) continue;
    for (const i of failingNew) absorbed.add(i);
    const object = refOf("Deployment", d.metadata);
    const newRev = revisionOf(newRs);
    const oldRev = revisionOf(prev);
    const changes = diffTemplates(prev.spec.template, newRs.spec.template);
    const first = failingNew[0];
    const codes = [...new Set(failingNew.map((i) => i.code))].join(", ");
    const changed =
      changes.length === 0 ? "no template change found" : `changed ${changes.map(describeChange).join("; ")}`;
    const available = d.status.availableReplicas ?? 0;
    drafts.push({
      analyzer: "Deployment",
      code: "BadRollout",
      severity: available === 0 ? "critical" : "high",
      object,
      ownerChain:
        first === undefined ? [object] : ctx.chain(refOf("Pod", first.pod.metadata), first.pod.metadata),
      reason:
        recreated === undefined
          ? `Deployment ${d.metadata.name}: revision ${newRev} fails (${codes}: ${first?.detail ?? ""}) while revision ${oldRev} is healthy (${prev.status.readyReplicas ?? 0} ready); ${changed}`
          : `Deployment ${d.metadata.name}: revision ${newRev} fails (${codes}: ${first?.detail ?? ""}); revision ${oldRev} was available until the Recreate rollout scaled it down; ${changed}`,
      evidence: [
        recreated?.evidence ?? {
          object: refOf("ReplicaSet", prev.metadata),
          source: "status",
          message: `revision ${oldRev} (ReplicaSet ${prev.metadata.name}): ${prev.status.readyReplicas ?? 0}/${prev.spec.replicas ?? 0} ready`,
          at: prev.metadata.creationTimestamp,
        },
        {
          object: refOf("ReplicaSet", newRs.metadata),
          source: "status",
          message: `revision ${newRev} (ReplicaSet ${newRs.metadata.name}): ${newRs.status.readyReplicas ?? 0}/${newRs.spec.replicas ?? 0} ready`,
          at: newRs.metadata.creationTimestamp,
        },
        ...changes.map((c): Evidence => ({
          object: refOf("ReplicaSet", newRs.metadata),
          source: "spec",
          message: describeChange(c),
        })),
        ...failingNew.flatMap((i) => i.evidence),
      ],
      fix: {
        summary: `roll back to revision ${oldRev}: kubectl rollout undo deployment/${d.metadata.name} -n ${ns} --to-revision=${oldRev}`,
        action: { kind: "rollback", target: object, params: { toRevision: oldRev } },
      },
      docs: DOCS.rollback,
      changes,
    });
  }
  return { drafts, absorbed };
}

/**
 * With the Recreate strategy no pod of the previous revision survives a rollout, so its health has to be read
 * from the record the rollout left: the deployment controller's "Scaled down replica set X from N to 0" event,
 * and the Deployment's Available condition, which was still True when that scale-down began (it turned False
 * at or after the event). A Deployment that was already unavailable before the rollout gives no healthy
 * revision to return to.
 */
function recreatedHealthy(
  ctx: Ctx,
  d: Deployment,
  prev: ReplicaSet | undefined,
): { rs: ReplicaSet; evidence: Evidence } | undefined {
  if (prev === undefined || d.spec.strategy?.type !== "Recreate") return undefined;
  const available = cond(d.status.conditions, "Available");
  if (available?.lastTransitionTime === undefined) return undefined;
  const prefix = `Scaled down replica set ${prev.metadata.name} from `;
  const scaledDown = ctx
    .eventsFor("Deployment", d.metadata.namespace, d.metadata.name)
    .filter((e) => e.reason === "ScalingReplicaSet" && e.message.startsWith(prefix))
    .map((e) => ({ e, m: /^(\d+) to 0\b/.exec(e.message.slice(prefix.length)) }))
    .filter((x) => x.m !== null && Number(x.m[1]) > 0 && x.e.last !== undefined)
    .sort((a, b) => Date.parse(b.e.last ?? "") - Date.parse(a.e.last ?? ""))[0];
  if (scaledDown === undefined) return undefined;
  const at = scaledDown.e.last ?? "";
  const wasAvailable =
    available.status === "True" || Date.parse(available.lastTransitionTime) >= Date.parse(at);
  if (!wasAvailable) return undefined;
  return {
    rs: prev,
    evidence: {
      object: refOf("Deployment", d.metadata),
      source: "event",
      message: `revision ${revisionOf(prev)} (ReplicaSet ${prev.metadata.name}) was available until the Recreate rollout: ${scaledDown.e.message}`,
      at,
    },
  };
}

function unavailableSeverity(ready: number, desired: number): Severity {
  return ready === 0 ? "critical" : ready < desired / 2 ? "high" : "medium";
}

function deploymentDrafts(ctx: Ctx, d: Deployment): Draft[] {
  const out: Draft[] = [];
  const object = refOf("Deployment", d.metadata);
  const desired = d.spec.replicas ?? 1;
  const available = d.status.availableReplicas ?? 0;
  const progressing = cond(d.status.conditions, "Progressing");
  const availableCond = cond(d.status.conditions, "Available");
  if (progressing?.status === "False" && progressing.reason === "ProgressDeadlineExceeded") {
    out.push({
      analyzer: "Deployment",
      code: "ProgressDeadlineExceeded",
      severity: available === 0 && desired > 0 ? "critical" : "high",
      object,
      ownerChain: [object],
      reason: `Deployment ${d.metadata.name}: rollout exceeded its progress deadline (${d.spec.progressDeadlineSeconds ?? 600}s); ${available}/${desired} available`,
      evidence: [condEvidence(object, progressing)],
      fix: manualFix(
        object,
        "find why the new pods do not become available (see the pod findings), then fix or roll back",
      ),
      docs: DOCS.progressDeadline,
      symptom: true,
    });
  }
  if (d.spec.paused === true && (d.status.updatedReplicas ?? 0) < desired) {
    out.push({
      analyzer: "Deployment",
      code: "RolloutPaused",
      severity: "low",
      object,
      ownerChain: [object],
      reason: `Deployment ${d.metadata.name}: rollout paused with ${d.status.updatedReplicas ?? 0}/${desired} pods updated`,
      evidence: [{ object, source: "spec", message: "spec.paused=true" }],
      fix: {
        summary: `resume it: kubectl rollout resume deployment/${d.metadata.name}`,
        action: { kind: "resumeRollout", target: object, params: {} },
      },
      docs: DOCS.deployment,
    });
  } else if (
    progressing?.status === "True" &&
    (d.status.updatedReplicas ?? 0) < desired &&
    (ageSeconds(ctx.now, progressing.lastUpdateTime) ?? 0) >= ctx.cfg.stuckRolloutSeconds
  ) {
    out.push({
      analyzer: "Deployment",
      code: "RolloutStuck",
      severity: "high",
      object,
      ownerChain: [object],
      reason: `Deployment ${d.metadata.name}: rollout has not progressed for ${humanDuration(ageSeconds(ctx.now, progressing.lastUpdateTime) ?? 0)} (${d.status.updatedReplicas ?? 0}/${desired} updated)`,
      evidence: [condEvidence(object, progressing)],
      fix: manualFix(object, "check the new ReplicaSet's pods and events"),
      docs: DOCS.deployment,
      symptom: true,
    });
  }
  if (desired > 0 && available < desired) {
    const since =
      availableCond?.status === "False" ? availableCond.lastTransitionTime : progressing?.lastUpdateTime;
    const age = ageSeconds(ctx.now, since ?? d.metadata.creationTimestamp) ?? 0;
    out.push({
      analyzer: "Deployment",
      code: "UnavailableReplicas",
      severity: unavailableSeverity(available, desired),
      object,
      ownerChain: [object],
      reason: `Deployment ${d.metadata.name}: ${available}/${desired} replicas available for ${humanDuration(age)}`,
      evidence: [
        {
          object,
          source: "status",
          message: `${available}/${desired} available, ${d.status.readyReplicas ?? 0} ready, ${d.status.updatedReplicas ?? 0} updated`,
        },
        ...(availableCond !== undefined ? [condEvidence(object, availableCond)] : []),
      ],
      fix: manualFix(object, "describe the Deployment's pods and read their events"),
      docs: DOCS.deployment,
      symptom: true,
      ...(age < ctx.cfg.unavailableSeconds ? { quiet: true } : {}),
    });
  }
  return out;
}

function replicaSetDrafts(ctx: Ctx, rs: ReplicaSet): Draft[] {
  const failure = cond(rs.status.conditions, "ReplicaFailure");
  if (failure?.status !== "True") return [];
  const self = refOf("ReplicaSet", rs.metadata);
  const chain = ctx.chain(self, rs.metadata);
  const root = chain.at(-1) ?? self;
  return [
    {
      analyzer: "ReplicaSet",
      code: failure.reason ?? "ReplicaFailure",
      severity: "high",
      object: root,
      ownerChain: chain,
      reason: `${root.kind} ${root.name}: pods cannot be created: ${failure.message ?? failure.reason ?? ""}`,
      evidence: [
        condEvidence(self, failure),
        ...ctx
          .eventsFor("ReplicaSet", rs.metadata.namespace, rs.metadata.name)
          .filter((e) => e.reason === "FailedCreate")
          .map((e) => ctx.eventEvidence(e)),
      ],
      fix: manualFix(
        root,
        "the pods are rejected at creation (quota, admission, service account): fix what the message names",
      ),
      docs: DOCS.replicaSet,
    },
  ];
}

function statefulSetDrafts(ctx: Ctx, s: (typeof ctx.snap.statefulSets)[number]): Draft[] {
  const out: Draft[] = [];
  const object = refOf("StatefulSet", s.metadata);
  const ns = s.metadata.namespace;
  const desired = s.spec.replicas ?? 1;
  const ready = s.status.readyReplicas ?? 0;
  if (s.spec.serviceName !== undefined && s.spec.serviceName !== "" && ctx.has("services")) {
    const svc = ctx.snap.services.find(
      (x) => x.metadata.namespace === ns && x.metadata.name === s.spec.serviceName,
    );
    if (svc === undefined) {
      out.push({
        analyzer: "StatefulSet",
        code: "MissingHeadlessService",
        severity: "medium",
        object,
        ownerChain: [object],
        reason: `StatefulSet ${s.metadata.name}: its governing Service ${s.spec.serviceName} does not exist (pods get no stable DNS names)`,
        evidence: [{ object, source: "spec", message: `spec.serviceName=${s.spec.serviceName}` }],
        fix: manualFix(
          object,
          `create a headless Service ${s.spec.serviceName} (clusterIP: None) selecting the StatefulSet's pods`,
        ),
        docs: DOCS.statefulSet,
        standalone: true,
      });
    }
  }
  if (ctx.has("storageClasses")) {
    for (const t of s.spec.volumeClaimTemplates) {
      const sc = t.spec.storageClassName;
      if (sc !== undefined && sc !== "" && !ctx.snap.storageClasses.some((x) => x.metadata.name === sc)) {
        out.push({
          analyzer: "StatefulSet",
          code: "MissingStorageClass",
          severity: "high",
          object,
          ownerChain: [object],
          reason: `StatefulSet ${s.metadata.name}: volumeClaimTemplate ${t.metadata.name} asks for StorageClass ${sc}, which does not exist`,
          evidence: [
            {
              object,
              source: "spec",
              message: `volumeClaimTemplates[${t.metadata.name}].storageClassName=${sc}`,
            },
          ],
          fix: manualFix(object, `create StorageClass ${sc} or use an existing one`),
          docs: DOCS.storageClass,
        });
      }
    }
  }
  if (desired > 0 && ready < desired) {
    const age = ageSeconds(ctx.now, s.metadata.creationTimestamp) ?? 0;
    const events = ctx
      .eventsFor("StatefulSet", ns, s.metadata.name)
      .filter((e) => e.type === "Warning")
      .map((e) => ctx.eventEvidence(e));
    out.push({
      analyzer: "StatefulSet",
      code: "UnavailableReplicas",
      severity: unavailableSeverity(ready, desired),
      object,
      ownerChain: [object],
      reason: `StatefulSet ${s.metadata.name}: ${ready}/${desired} replicas ready${(s.status.replicas ?? 0) === 0 ? " (no pods exist)" : ""}`,
      evidence: [
        { object, source: "status", message: `${ready}/${desired} ready, ${s.status.replicas ?? 0} created` },
        ...events,
      ],
      fix: manualFix(object, "read the StatefulSet's events and its first pod that is not Ready"),
      docs: DOCS.statefulSet,
      symptom: true,
      ...(age < ctx.cfg.unavailableSeconds ? { quiet: true } : {}),
    });
  }
  return out;
}

function daemonSetDrafts(ctx: Ctx, ds: (typeof ctx.snap.daemonSets)[number]): Draft[] {
  const out: Draft[] = [];
  const object = refOf("DaemonSet", ds.metadata);
  const desired = ds.status.desiredNumberScheduled ?? 0;
  const ready = ds.status.numberReady ?? 0;
  if (desired > 0 && ready < desired) {
    const age = ageSeconds(ctx.now, ds.metadata.creationTimestamp) ?? 0;
    out.push({
      analyzer: "DaemonSet",
      code: "UnavailableReplicas",
      severity: unavailableSeverity(ready, desired),
      object,
      ownerChain: [object],
      reason: `DaemonSet ${ds.metadata.name}: ${ready}/${desired} pods ready`,
      evidence: [
        {
          object,
          source: "status",
          message: `${ready}/${desired} ready, ${ds.status.numberUnavailable ?? 0} unavailable`,
        },
      ],
      fix: manualFix(object, "read the events of the DaemonSet's pods that are not Ready"),
      docs: DOCS.daemonSet,
      symptom: true,
      ...(age < ctx.cfg.unavailableSeconds ? { quiet: true } : {}),
    });
  }
  if ((ds.status.numberMisscheduled ?? 0) > 0) {
    out.push({
      analyzer: "DaemonSet",
      code: "Misscheduled",
      severity: "low",
      object,
      ownerChain: [object],
      reason: `DaemonSet ${ds.metadata.name}: ${ds.status.numberMisscheduled ?? 0} pods run on nodes they should not`,
      evidence: [
        { object, source: "status", message: `numberMisscheduled=${ds.status.numberMisscheduled ?? 0}` },
      ],
      fix: manualFix(object, "check node labels and the DaemonSet's nodeSelector/affinity"),
      docs: DOCS.daemonSet,
    });
  }
  return out;
}

function jobDrafts(ctx: Ctx, j: (typeof ctx.snap.jobs)[number]): Draft[] {
  const failed = cond(j.status.conditions, "Failed");
  if (failed?.status !== "True") return [];
  const self = refOf("Job", j.metadata);
  const chain = ctx.chain(self, j.metadata);
  const root = chain.at(-1) ?? self;
  return [
    {
      analyzer: "Job",
      code: failed.reason ?? "JobFailed",
      severity: "high",
      object: root,
      ownerChain: chain,
      reason: `${root.kind} ${root.name}: Job ${j.metadata.name} failed (${failed.reason ?? "Failed"}${failed.message !== undefined ? `: ${failed.message}` : ""}); ${j.status.failed ?? 0} failed pods`,
      evidence: [condEvidence(self, failed)],
      fix: manualFix(root, "read the logs of the Job's failed pods and fix the cause; then re-run the Job"),
      docs: DOCS.job,
      symptom: true,
    },
  ];
}

function cronJobDrafts(c: CronJob): Draft[] {
  const object = refOf("CronJob", c.metadata);
  const out: Draft[] = [];
  const fields = c.spec.schedule.trim().split(/\s+/);
  if (
    !c.spec.schedule.startsWith("@") &&
    fields.length !== 5 &&
    !(fields.length === 6 && fields[0]?.startsWith("CRON_TZ="))
  ) {
    out.push({
      analyzer: "CronJob",
      code: "InvalidSchedule",
      severity: "high",
      object,
      ownerChain: [object],
      reason: `CronJob ${c.metadata.name}: schedule "${c.spec.schedule}" is not a 5-field cron expression`,
      evidence: [{ object, source: "spec", message: `spec.schedule=${c.spec.schedule}` }],
      fix: manualFix(object, "use a standard 5-field cron schedule"),
      docs: DOCS.cronJob,
    });
  }
  if (c.spec.suspend === true) {
    out.push({
      analyzer: "CronJob",
      code: "Suspended",
      severity: "low",
      object,
      ownerChain: [object],
      reason: `CronJob ${c.metadata.name} is suspended${c.status.lastScheduleTime !== undefined ? ` (last run ${c.status.lastScheduleTime})` : ""}`,
      evidence: [{ object, source: "spec", message: "spec.suspend=true", at: c.status.lastScheduleTime }],
      fix: manualFix(object, "resume it if the suspension is not deliberate (spec.suspend=false)"),
      docs: DOCS.cronJob,
    });
  }
  return out;
}

export function workloadDrafts(ctx: Ctx): Draft[] {
  const out: Draft[] = [];
  const s = ctx.snap;
  for (const d of s.deployments) if (ctx.inScope(d.metadata.namespace)) out.push(...deploymentDrafts(ctx, d));
  for (const r of s.replicaSets) if (ctx.inScope(r.metadata.namespace)) out.push(...replicaSetDrafts(ctx, r));
  for (const x of s.statefulSets)
    if (ctx.inScope(x.metadata.namespace)) out.push(...statefulSetDrafts(ctx, x));
  for (const x of s.daemonSets) if (ctx.inScope(x.metadata.namespace)) out.push(...daemonSetDrafts(ctx, x));
  for (const x of s.jobs) if (ctx.inScope(x.metadata.namespace)) out.push(...jobDrafts(ctx, x));
  for (const x of s.cronJobs) if (ctx.inScope(x.metadata.namespace)) out.push(...cronJobDrafts(x));
  return out;
}
