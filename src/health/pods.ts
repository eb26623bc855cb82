/**
 * The Pod analyzer: every waiting and terminated reason a kubelet reports, restart storms, OOMKilled with the
 * limit and the observed usage, probe failures from Unhealthy events, Pending with the scheduler's reason,
 * Evicted, stuck Terminating and init containers. Issues are found per pod, then grouped: one finding per
 * root workload and reason, with one piece of evidence per pod.
 */
import type { ObjectRef } from "../model/index.js";
import type { Ctx } from "./context.js";
import type { Draft } from "./draft.js";
import { maxSeverity } from "./draft.js";
import { DOCS, type AnalyzerName, type Evidence, type Fix, type Severity } from "./finding.js";
import type { Container, ContainerStatus, Pod, Probe } from "./snapshot.js";
import { ageSeconds, formatBytes, humanDuration, ms, parseQuantity, plural, ref, refOf } from "./util.js";

/** One problem of one pod, before grouping. */
export interface PodIssue {
  readonly analyzer: AnalyzerName;
  readonly code: string;
  readonly severity: Severity;
  readonly pod: Pod;
  /** A one-line description for this pod (the group's reason uses the first pod's). */
  readonly detail: string;
  readonly evidence: readonly Evidence[];
  readonly docs: string;
  readonly fix: (root: ObjectRef) => Fix;
  /** Does this issue make the pod unavailable (counts towards "the workload is down")? */
  readonly failing: boolean;
}

const PULL_REASONS = new Set(["ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull", "ImageInspectError"]);
const CREATE_REASONS = new Set([
  "CreateContainerError",
  "RunContainerError",
  "PreStartHookError",
  "PreCreateHookError",
  "PostStartHookError",
  "InvalidImageName",
  "CreateContainerConfigError",
]);

function manual(target: ObjectRef, summary: string): Fix {
  return { summary, action: { kind: "manual", target, params: {} } };
}

/** The liveness budget: how long a container may take before liveness kills it. */
export function probeBudget(p: Probe): number {
  return (p.initialDelaySeconds ?? 0) + (p.failureThreshold ?? 3) * (p.periodSeconds ?? 10);
}

function stateEvidence(pod: Pod, cs: ContainerStatus): Evidence[] {
  const object = refOf("Pod", pod.metadata);
  const out: Evidence[] = [];
  const w = cs.state.waiting;
  if (w !== undefined) {
    out.push({
      object,
      source: "containerState",
      message: `container ${cs.name} waiting: ${w.reason ?? "?"}${w.message !== undefined ? ` (${w.message})` : ""}; restarts ${cs.restartCount}`,
      at: cs.lastState.terminated?.finishedAt ?? pod.status.startTime,
    });
  }
  const t = cs.state.terminated ?? cs.lastState.terminated;
  if (t !== undefined) {
    out.push({
      object,
      source: "containerState",
      message: `container ${cs.name} ${cs.state.terminated !== undefined ? "terminated" : "last terminated"}: ${t.reason ?? "?"}, exit code ${t.exitCode}${t.message !== undefined ? ` (${t.message})` : ""}`,
      at: t.finishedAt,
    });
  }
  return out;
}

function containerSpec(pod: Pod, name: string): Container | undefined {
  return (
    pod.spec.containers.find((c) => c.name === name) ?? pod.spec.initContainers.find((c) => c.name === name)
  );
}

function condition(pod: Pod, type: string) {
  return pod.status.conditions.find((c) => c.type === type);
}

function unhealthyEvents(ctx: Ctx, pod: Pod, probe: "Liveness" | "Readiness" | "Startup") {
  return ctx
    .eventsFor("Pod", pod.metadata.namespace, pod.metadata.name)
    .filter((e) => e.reason === "Unhealthy" && e.message.startsWith(`${probe} probe`) && ctx.recentEvent(e));
}

function oomIssue(ctx: Ctx, pod: Pod, cs: ContainerStatus): PodIssue {
  const spec = containerSpec(pod, cs.name);
  const limitStr = spec?.resources.limits["memory"];
  const limit = parseQuantity(limitStr);
  const usage = ctx.snap.podMetrics
    .filter((m) => m.namespace === pod.metadata.namespace && m.name === pod.metadata.name)
    .map((m) => ({
      at: m.timestamp,
      v: parseQuantity(m.containers.find((c) => c.name === cs.name)?.usage["memory"]),
    }))
    .filter((x): x is { at: string | undefined; v: number } => x.v !== undefined);
  const peak = usage.reduce<{ at: string | undefined; v: number } | undefined>(
    (a, b) => (a === undefined || b.v > a.v ? b : a),
    undefined,
  );
  const suggested =
    limit === undefined
      ? undefined
      : Math.ceil(Math.max(limit * 2, (peak?.v ?? 0) * 1.5) / 2 ** 20) * 2 ** 20;
  const object = refOf("Pod", pod.metadata);
  const evidence: Evidence[] = [
    ...stateEvidence(pod, cs),
    {
      object,
      source: "metric",
      message:
        peak === undefined
          ? `memory limit ${limitStr ?? "none"}; usage not observed (the container is killed between scrapes)`
          : `memory limit ${limitStr ?? "none"}; observed peak ${formatBytes(peak.v)}`,
      at: peak?.at,
    },
  ];
  return {
    analyzer: "Pod",
    code: "OOMKilled",
    severity: "high",
    pod,
    detail: `container ${cs.name} OOMKilled ${plural(cs.restartCount, "time")} at memory limit ${limitStr ?? "(none: node memory)"}${peak !== undefined ? `, observed peak ${formatBytes(peak.v)}` : ""}`,
    evidence,
    docs: DOCS.oom,
    failing: true,
    fix: (root) =>
      suggested === undefined
        ? manual(
            root,
            `container ${cs.name} is killed for memory without a limit: set requests/limits and check node memory`,
          )
        : {
            summary: `raise the memory limit of container ${cs.name} from ${limitStr ?? "?"} to ${formatBytes(suggested)} (or find the leak)`,
            action: {
              kind: "setResources",
              target: root,
              params: { container: cs.name, limits: { memory: formatBytes(suggested) } },
            },
          },
  };
}

function crashIssue(ctx: Ctx, pod: Pod, cs: ContainerStatus): PodIssue {
  const spec = containerSpec(pod, cs.name);
  const last = cs.lastState.terminated ?? cs.state.terminated;
  if (last?.reason === "OOMKilled") return oomIssue(ctx, pod, cs);
  const liveness = unhealthyEvents(ctx, pod, "Liveness");
  const startupEv = unhealthyEvents(ctx, pod, "Startup");
  const probeEvents = [...liveness, ...startupEv];
  if (probeEvents.length > 0 && (last === undefined || last.exitCode === 137 || last.exitCode === 143)) {
    const refused = probeEvents.every((e) => /connection refused|connect: /.test(e.message));
    const probe = spec?.livenessProbe;
    const budget = probe === undefined ? undefined : probeBudget(probe);
    const evidence = [...stateEvidence(pod, cs), ...probeEvents.map((e) => ctx.eventEvidence(e))];
    if (refused && spec?.startupProbe === undefined && probe !== undefined && budget !== undefined) {
      const period = probe.periodSeconds ?? 10;
      const failureThreshold = Math.ceil(Math.max(60, budget * 5) / period);
      return {
        analyzer: "Pod",
        code: "SlowStart",
        severity: "high",
        pod,
        detail: `container ${cs.name} is killed by its liveness probe before it starts listening (liveness budget ${budget}s, no startupProbe)`,
        evidence,
        docs: DOCS.probes,
        failing: true,
        fix: (root) => ({
          summary: `add a startupProbe to container ${cs.name} with a budget of ${failureThreshold * period}s (failureThreshold ${failureThreshold} × periodSeconds ${period})`,
          action: {
            kind: "addStartupProbe",
            target: root,
            params: { container: cs.name, periodSeconds: period, failureThreshold },
          },
        }),
      };
    }
    return {
      analyzer: "Pod",
      code: "LivenessProbeFailing",
      severity: "high",
      pod,
      detail: `container ${cs.name} restarted ${plural(cs.restartCount, "time")} by a failing liveness probe: ${probeEvents.at(-1)?.message ?? ""}`,
      evidence,
      docs: DOCS.probes,
      failing: true,
      fix: (root) =>
        manual(
          root,
          `check why the liveness endpoint of container ${cs.name} fails, or fix the probe's path/port`,
        ),
    };
  }
  const why =
    last === undefined
      ? "crashes on start"
      : `exits with code ${last.exitCode}${last.reason !== undefined ? ` (${last.reason})` : ""}`;
  return {
    analyzer: "Pod",
    code: "CrashLoopBackOff",
    severity: "high",
    pod,
    detail: `container ${cs.name} ${why}, restarted ${plural(cs.restartCount, "time")}`,
    evidence: [
      ...stateEvidence(pod, cs),
      ...ctx
        .eventsFor("Pod", pod.metadata.namespace, pod.metadata.name)
        .filter((e) => e.reason === "BackOff" && e.type === "Warning")
        .map((e) => ctx.eventEvidence(e)),
    ],
    docs: DOCS.crashLoop,
    failing: true,
    fix: (root) =>
      manual(
        root,
        `read the previous logs (kubectl logs --previous -c ${cs.name}) and fix the crash; roll back if a change caused it`,
      ),
  };
}

/** A missing ConfigMap/Secret (or key) in a kubelet message; the ConfigReference analyzer owns these. */
const MISSING_REF =
  /^(configmap|secret) "([^"]+)" not found$|^couldn't find key (\S+) in (ConfigMap|Secret) ([^/]+)\/(\S+)$/;

function configErrorIssue(ctx: Ctx, pod: Pod, cs: ContainerStatus, message: string): PodIssue {
  const m = MISSING_REF.exec(message);
  const kind = (m?.[1] ?? m?.[4] ?? "").toLowerCase() === "secret" ? "Secret" : "ConfigMap";
  const name = m?.[2] ?? m?.[6];
  const key = m?.[3];
  const evidence = [
    ...stateEvidence(pod, cs),
    ...ctx
      .eventsFor("Pod", pod.metadata.namespace, pod.metadata.name)
      .filter((e) => e.reason === "Failed" && e.type === "Warning")
      .map((e) => ctx.eventEvidence(e)),
  ];
  if (name === undefined) {
    return {
      analyzer: "Pod",
      code: "CreateContainerConfigError",
      severity: "high",
      pod,
      detail: `container ${cs.name} cannot be configured: ${message}`,
      evidence,
      docs: DOCS.podLifecycle,
      failing: true,
      fix: (root) => manual(root, `fix the configuration of container ${cs.name}: ${message}`),
    };
  }
  const missing = ref(kind, pod.metadata.namespace, name);
  return {
    analyzer: "ConfigReference",
    code: kind === "Secret" ? "MissingSecret" : "MissingConfigMap",
    severity: "high",
    pod,
    detail:
      key === undefined
        ? `container ${cs.name} refers to ${kind} ${name}, which does not exist`
        : `container ${cs.name} refers to key ${key} of ${kind} ${name}, which does not exist`,
    evidence,
    docs: kind === "Secret" ? DOCS.secrets : DOCS.configMaps,
    failing: true,
    fix: () =>
      key === undefined
        ? {
            summary: `create ${kind} ${pod.metadata.namespace}/${name} (or mark the reference optional)`,
            action: { kind: "createObject", target: missing, params: { keys: [] } },
          }
        : manual(missing, `add key ${key} to ${kind} ${pod.metadata.namespace}/${name}`),
  };
}

function waitingIssue(ctx: Ctx, pod: Pod, cs: ContainerStatus, init: boolean): PodIssue | undefined {
  const w = cs.state.waiting;
  const reason = w?.reason;
  if (reason === undefined) return undefined;
  const msg = w?.message ?? "";
  if (reason === "CrashLoopBackOff") return crashIssue(ctx, pod, cs);
  if (reason === "CreateContainerConfigError") return configErrorIssue(ctx, pod, cs, msg);
  if (PULL_REASONS.has(reason)) {
    const spec = containerSpec(pod, cs.name);
    const image = spec?.image ?? cs.image;
    const events = ctx
      .eventsFor("Pod", pod.metadata.namespace, pod.metadata.name)
      .filter((e) => e.type === "Warning" && e.reason === "Failed" && /pull/i.test(e.message));
    return {
      analyzer: "Pod",
      code: "ImagePullFailure",
      severity: "high",
      pod,
      detail: `image ${image} of container ${cs.name} cannot be pulled (${reason})`,
      evidence: [...stateEvidence(pod, cs), ...events.map((e) => ctx.eventEvidence(e))],
      docs: DOCS.images,
      failing: true,
      fix: (root) =>
        manual(root, `fix the image reference ${image} (name, tag, registry access or imagePullSecrets)`),
    };
  }
  if (CREATE_REASONS.has(reason)) {
    return {
      analyzer: "Pod",
      code: reason,
      severity: "high",
      pod,
      detail: `container ${cs.name} ${init ? "(init) " : ""}cannot start: ${reason}${msg !== "" ? `: ${msg}` : ""}`,
      evidence: stateEvidence(pod, cs),
      docs: reason === "InvalidImageName" ? DOCS.images : DOCS.podLifecycle,
      failing: true,
      fix: (root) => manual(root, `fix container ${cs.name}: ${msg !== "" ? msg : reason}`),
    };
  }
  if (reason === "ContainerCreating" || reason === "PodInitializing") {
    const events = ctx
      .eventsFor("Pod", pod.metadata.namespace, pod.metadata.name)
      .filter(
        (e) => e.type === "Warning" && (e.reason === "FailedMount" || e.reason === "FailedCreatePodSandBox"),
      );
    const last = events.at(-1);
    if (last === undefined) return undefined;
    return {
      analyzer: "Pod",
      code: last.reason,
      severity: "high",
      pod,
      detail: `pod stuck in ${reason}: ${last.message}`,
      evidence: [...stateEvidence(pod, cs), ...events.map((e) => ctx.eventEvidence(e))],
      docs: DOCS.podLifecycle,
      failing: true,
      fix: (root) => manual(root, last.message),
    };
  }
  return undefined;
}

function initIssues(ctx: Ctx, pod: Pod): PodIssue[] {
  const out: PodIssue[] = [];
  for (const cs of pod.status.initContainerStatuses) {
    const t = cs.state.terminated;
    const waiting = cs.state.waiting?.reason;
    const failed = t !== undefined && t.exitCode !== 0;
    const crashing = waiting === "CrashLoopBackOff";
    if (!failed && !crashing) {
      const other = waiting === undefined ? undefined : waitingIssue(ctx, pod, cs, true);
      if (other !== undefined) out.push(other);
      continue;
    }
    const last = cs.lastState.terminated ?? t;
    out.push({
      analyzer: "Pod",
      code: "InitContainerFailing",
      severity: "high",
      pod,
      detail: `init container ${cs.name} fails${last !== undefined ? ` with exit code ${last.exitCode}${last.reason !== undefined ? ` (${last.reason})` : ""}` : ""}, so the pod never starts`,
      evidence: stateEvidence(pod, cs),
      docs: DOCS.initContainers,
      failing: true,
      fix: (root) =>
        manual(root, `read the logs of init container ${cs.name} (kubectl logs -c ${cs.name}) and fix it`),
    });
  }
  return out;
}

function pendingIssue(ctx: Ctx, pod: Pod): PodIssue | undefined {
  const sched = condition(pod, "PodScheduled");
  const object = refOf("Pod", pod.metadata);
  if (pod.spec.schedulingGates.length > 0 && sched?.reason === "SchedulingGated") {
    const gates = pod.spec.schedulingGates.map((g) => g.name).join(", ");
    return {
      analyzer: "Pod",
      code: "SchedulingGated",
      severity: "medium",
      pod,
      detail: `pod waits for scheduling gates ${gates}`,
      evidence: [
        {
          object,
          source: "condition",
          message: `PodScheduled=False SchedulingGated: gates ${gates}`,
          at: sched.lastTransitionTime,
        },
      ],
      docs: DOCS.schedulingGates,
      failing: true,
      fix: (root) => manual(root, `the controller that owns gate(s) ${gates} has not removed them: check it`),
    };
  }
  if (sched?.status === "False" && sched.reason === "Unschedulable") {
    const events = ctx
      .eventsFor("Pod", pod.metadata.namespace, pod.metadata.name)
      .filter((e) => e.reason === "FailedScheduling");
    const message = sched.message ?? events.at(-1)?.message ?? "no node fits";
    return {
      analyzer: "Pod",
      code: "Unschedulable",
      severity: "high",
      pod,
      detail: `pod cannot be scheduled: ${message}`,
      evidence: [
        {
          object,
          source: "condition",
          message: `PodScheduled=False Unschedulable: ${message}`,
          at: sched.lastTransitionTime,
        },
        ...events.map((e) => ctx.eventEvidence(e)),
      ],
      docs: DOCS.scheduling,
      failing: true,
      fix: (root) =>
        manual(
          root,
          /Insufficient/.test(message)
            ? "lower the pod's requests or add capacity (nodes)"
            : /node affinity|selector|taint/i.test(message)
              ? "fix the nodeSelector/affinity/tolerations so that some node matches, or label a node"
              : `make a node fit: ${message}`,
        ),
    };
  }
  return undefined;
}

/** All issues of one pod. */
export function podIssues(ctx: Ctx, pod: Pod): PodIssue[] {
  const object = refOf("Pod", pod.metadata);
  if (pod.metadata.deletionTimestamp !== undefined) {
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    const age = ageSeconds(ctx.now, pod.metadata.deletionTimestamp) ?? 0;
    if (age - grace < ctx.cfg.stuckTerminatingSeconds) return [];
    const node = pod.spec.nodeName;
    const nodeDown =
      node !== undefined &&
      ctx.snap.nodes
        .find((n) => n.metadata.name === node)
        ?.status.conditions.some((c) => c.type === "Ready" && c.status !== "True") === true;
    return [
      {
        analyzer: "Pod",
        code: "StuckTerminating",
        severity: "medium",
        pod,
        detail: `pod has been terminating for ${humanDuration(age)}${nodeDown ? ` on node ${node}, which is not Ready` : ""}`,
        evidence: [
          {
            object,
            source: "status",
            message: `deletionTimestamp ${pod.metadata.deletionTimestamp}, grace ${grace}s`,
            at: pod.metadata.deletionTimestamp,
          },
        ],
        docs: DOCS.termination,
        failing: false,
        fix: () =>
          nodeDown
            ? {
                summary: `the node ${node} is gone: force-delete the pod once the node is confirmed down`,
                action: { kind: "deletePod", target: object, params: { force: true } },
              }
            : manual(object, "check finalizers and the kubelet on the pod's node"),
      },
    ];
  }
  const phase = pod.status.phase;
  if (phase === "Succeeded") return [];
  if (phase === "Failed") {
    if (pod.status.reason === "Evicted") {
      return [
        {
          analyzer: "Pod",
          code: "Evicted",
          severity: "medium",
          pod,
          detail: `pod was evicted: ${pod.status.message ?? "node pressure"}`,
          evidence: [
            {
              object,
              source: "status",
              message: `phase Failed, reason Evicted: ${pod.status.message ?? ""}`,
              at: condition(pod, "DisruptionTarget")?.lastTransitionTime ?? pod.status.startTime,
            },
            ...ctx
              .eventsFor("Pod", pod.metadata.namespace, pod.metadata.name)
              .filter((e) => e.reason === "Evicted")
              .map((e) => ctx.eventEvidence(e)),
          ],
          docs: DOCS.eviction,
          failing: false,
          fix: () => ({
            summary:
              "set requests that match usage so the pod is not first in line; delete the evicted pod object",
            action: { kind: "deletePod", target: object, params: { force: false } },
          }),
        },
      ];
    }
    const failed = pod.status.containerStatuses.find((c) => (c.state.terminated?.exitCode ?? 0) !== 0);
    if (failed === undefined) return [];
    const t = failed.state.terminated;
    if (t?.reason === "OOMKilled") return [oomIssue(ctx, pod, failed)];
    return [
      {
        analyzer: "Pod",
        code: "ContainerFailed",
        severity: "high",
        pod,
        detail: `container ${failed.name} failed with exit code ${t?.exitCode ?? "?"}${t?.reason !== undefined ? ` (${t.reason})` : ""}`,
        evidence: stateEvidence(pod, failed),
        docs: DOCS.podLifecycle,
        failing: true,
        fix: (root) => manual(root, `read the logs of container ${failed.name} and fix the failure`),
      },
    ];
  }
  const out: PodIssue[] = [];
  if (phase === "Pending" || phase === undefined) {
    const p = pendingIssue(ctx, pod);
    if (p !== undefined) return [p];
  }
  out.push(...initIssues(ctx, pod));
  for (const cs of pod.status.containerStatuses) {
    const w = waitingIssue(ctx, pod, cs, false);
    if (w !== undefined) {
      out.push(w);
      continue;
    }
    const lastT = cs.lastState.terminated;
    if (cs.state.running !== undefined && lastT?.reason === "OOMKilled" && cs.restartCount > 0) {
      out.push(oomIssue(ctx, pod, cs));
      continue;
    }
    if (
      cs.state.running !== undefined &&
      cs.restartCount > 0 &&
      (lastT?.exitCode === 137 || lastT === undefined)
    ) {
      const liveness = unhealthyEvents(ctx, pod, "Liveness");
      if (liveness.length > 0 && !cs.ready) {
        out.push(crashIssue(ctx, pod, cs));
        continue;
      }
    }
    // Between two crashes a crash-looping container is briefly Running: still a crash loop, not a storm.
    if (cs.state.running !== undefined && !cs.ready && cs.restartCount >= 2 && lastT !== undefined) {
      const ran = (ms(lastT.finishedAt) ?? 0) - (ms(lastT.startedAt) ?? 0);
      const since = ageSeconds(ctx.now, lastT.finishedAt) ?? Infinity;
      if (lastT.exitCode !== 0 && ran < 60_000 && since <= 300) {
        out.push(crashIssue(ctx, pod, cs));
        continue;
      }
    }
    const age = ageSeconds(ctx.now, pod.status.startTime) ?? 0;
    const perHour = cs.restartCount / Math.max(age / 3600, 1 / 60);
    if (cs.restartCount >= ctx.cfg.restartStormMin && perHour >= ctx.cfg.restartStormPerHour) {
      out.push({
        analyzer: "Pod",
        code: "RestartStorm",
        severity: "medium",
        pod,
        detail: `container ${cs.name} restarted ${plural(cs.restartCount, "time")} in ${humanDuration(age)}`,
        evidence: stateEvidence(pod, cs),
        docs: DOCS.crashLoop,
        failing: false,
        fix: (root) =>
          manual(root, `read the previous logs of container ${cs.name} (kubectl logs --previous)`),
      });
      continue;
    }
    if (cs.state.running !== undefined && !cs.ready) {
      const readiness = unhealthyEvents(ctx, pod, "Readiness");
      if (readiness.length > 0) {
        out.push({
          analyzer: "Pod",
          code: "ReadinessProbeFailing",
          severity: "high",
          pod,
          detail: `container ${cs.name} runs but is not Ready: ${readiness.at(-1)?.message ?? ""}`,
          evidence: [
            {
              object,
              source: "condition",
              message: `Ready=False ${condition(pod, "Ready")?.reason ?? ""}`,
              at: condition(pod, "Ready")?.lastTransitionTime,
            },
            ...readiness.map((e) => ctx.eventEvidence(e)),
          ],
          docs: DOCS.probes,
          failing: true,
          fix: (root) =>
            manual(root, `check the readiness endpoint of container ${cs.name} and its dependencies`),
        });
      }
    }
  }
  if (out.length === 0 && phase === "Pending") {
    const age = ageSeconds(ctx.now, pod.metadata.creationTimestamp) ?? 0;
    if (age >= ctx.cfg.pendingSeconds) {
      out.push({
        analyzer: "Pod",
        code: "PodPending",
        severity: "medium",
        pod,
        detail: `pod Pending for ${humanDuration(age)}`,
        evidence: [
          {
            object,
            source: "status",
            message: `phase Pending since ${pod.metadata.creationTimestamp ?? "?"}`,
            at: pod.metadata.creationTimestamp,
          },
        ],
        docs: DOCS.podLifecycle,
        failing: true,
        fix: (root) => manual(root, "kubectl describe the pod and read its events"),
      });
    }
  }
  return out;
}

function podsOfRoot(ctx: Ctx, root: ObjectRef): Pod[] {
  return ctx
    .podsIn(root.namespace)
    .filter((p) => p.status.phase !== "Succeeded" && p.metadata.deletionTimestamp === undefined)
    .filter((p) => {
      const top = ctx.chain(refOf("Pod", p.metadata), p.metadata).at(-1);
      return top?.kind === root.kind && top.name === root.name;
    });
}

/** Groups pod issues: one draft per root object and code; critical when the root has no Ready pod left. */
export function groupPodIssues(ctx: Ctx, issues: readonly PodIssue[]): Draft[] {
  const groups = new Map<string, { root: ObjectRef; chain: readonly ObjectRef[]; issues: PodIssue[] }>();
  for (const i of issues) {
    const chain = ctx.chain(refOf("Pod", i.pod.metadata), i.pod.metadata);
    const root = chain.at(-1);
    if (root === undefined) continue;
    const key = `${i.analyzer}\u0000${i.code}\u0000${root.kind}\u0000${root.name}\u0000${root.namespace}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { root, chain, issues: [i] });
    else g.issues.push(i);
  }
  const out: Draft[] = [];
  for (const { root, chain, issues: is } of groups.values()) {
    const first = is[0];
    if (first === undefined) continue;
    const pods = new Set(is.map((i) => i.pod.metadata.name));
    let severity = is.reduce<Severity>((s, i) => maxSeverity(s, i.severity), "low");
    const siblings =
      root.kind === "Pod" ? [is[0]?.pod].filter((p) => p !== undefined) : podsOfRoot(ctx, root);
    const anyReady = siblings.some((p) =>
      p.status.conditions.some((c) => c.type === "Ready" && c.status === "True"),
    );
    // The workload is down: something fails and no pod of it is Ready.
    if (is.some((i) => i.failing) && !anyReady && severity === "high") severity = "critical";
    const where = root.kind === "Pod" ? `Pod ${root.name}` : `${root.kind} ${root.name}`;
    const share = root.kind === "Pod" ? "" : ` (${pods.size}/${Math.max(siblings.length, pods.size)} pods)`;
    out.push({
      analyzer: first.analyzer,
      code: first.code,
      severity,
      object: root,
      ownerChain: chain,
      reason: `${where}${share}: ${first.detail}`,
      evidence: is.flatMap((i) => i.evidence),
      fix: first.fix(root),
      docs: first.docs,
    });
  }
  return out;
}
