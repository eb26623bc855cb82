/**
 * The findings port and a minimal built-in source. `src/health` (the rule-based analyzers) is the
 * intended source: when it lands, the CLI wires `FindingsSource` to `health.analyze` over a snapshot and
 * this module's `basicFindings` becomes the fallback. Until then, `basicFindings` reads raw pod, node,
 * deployment and event state: the common failures (crash loops, OOM kills, image pulls, missing config,
 * failing probes, unschedulable or evicted pods, NotReady nodes, stalled rollouts). Pure.
 */
import type { CoreV1Event, V1Deployment, V1Node, V1Pod } from "@kubernetes/client-node";
import { eventTime } from "./views.js";

/** The health analyzers' scale. */
export type Severity = "critical" | "high" | "medium" | "low";

/** What the assistant and the MCP server show of a finding: plain, JSON-serialisable. */
export interface FindingView {
  readonly severity: Severity;
  /** The object the finding is about. */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Short machine-style reason: CrashLoopBackOff, OOMKilled, ImagePullBackOff, … */
  readonly reason: string;
  readonly message: string;
  /** Facts that support it: statuses, exit codes, event messages. */
  readonly evidence: readonly string[];
  /** What a human would do next. */
  readonly suggestion: string;
  /** The workload owning the object, when known (`Deployment/api`). */
  readonly owner?: string;
}

export interface FindingsScope {
  /** Undefined: all namespaces. */
  readonly namespace?: string | undefined;
}

/** The port: `src/health` via a snapshot, a recorded scenario, or `basicFindings` over raw state. */
export type FindingsSource = (scope: FindingsScope, signal: AbortSignal) => Promise<readonly FindingView[]>;

export interface RawState {
  readonly pods: readonly V1Pod[];
  readonly events: readonly CoreV1Event[];
  readonly nodes: readonly V1Node[];
  readonly deployments: readonly V1Deployment[];
}

const SUGGEST: Readonly<Record<string, string>> = {
  CrashLoopBackOff:
    "read the previous container's logs (get_pod_logs previous=true) for the fatal error and the exit code; fix the command, config or dependency, then roll out",
  OOMKilled: "raise the container's memory limit above its peak usage (or fix the leak), then roll out",
  ImagePullBackOff:
    "fix the image name or tag (or the registry credentials), or roll back to the last good image",
  ErrImagePull:
    "fix the image name or tag (or the registry credentials), or roll back to the last good image",
  InvalidImageName: "fix the image reference in the pod template",
  CreateContainerConfigError:
    "create the missing ConfigMap/Secret (or key) the pod refers to, or mark the reference optional",
  Unhealthy:
    "check the probe's path, port and timing against what the app serves; add a startupProbe for slow starts",
  Unschedulable: "free capacity, relax the nodeSelector/affinity/tolerations, or lower the requests",
  Evicted:
    "find the node pressure that evicted it (memory/disk); set requests and limits so the pod is not first to go",
  NodeNotReady:
    "check the node's kubelet and runtime; its pods are evicted after their not-ready toleration (300 s)",
  ProgressDeadlineExceeded:
    "the rollout is stuck: inspect the new ReplicaSet's pods; roll back if the new version is broken",
  Error: "read the container's logs for the error and its exit code",
};

function suggestion(reason: string): string {
  return SUGGEST[reason] ?? "describe the object and read its events for the cause";
}

function ownerOf(p: V1Pod): string | undefined {
  const o =
    p.metadata?.ownerReferences?.find((r) => r.controller === true) ?? p.metadata?.ownerReferences?.[0];
  if (o === undefined) return undefined;
  if (o.kind === "ReplicaSet") {
    // ReplicaSets of a Deployment are named <deployment>-<pod-template-hash>.
    const hash = p.metadata?.labels?.["pod-template-hash"];
    if (hash !== undefined && o.name.endsWith(`-${hash}`))
      return `Deployment/${o.name.slice(0, -hash.length - 1)}`;
  }
  return `${o.kind}/${o.name}`;
}

function latestEvents(events: readonly CoreV1Event[], ns: string, name: string, max: number): CoreV1Event[] {
  return events
    .filter(
      (e) => e.involvedObject.name === name && (e.involvedObject.namespace ?? e.metadata.namespace) === ns,
    )
    .sort((a, b) => eventTime(b) - eventTime(a))
    .slice(0, max);
}

function podFindings(p: V1Pod, events: readonly CoreV1Event[], owner: string | undefined): FindingView[] {
  const ns = p.metadata?.namespace ?? "";
  const name = p.metadata?.name ?? "";
  const evs = latestEvents(events, ns, name, 20);
  const warn = evs.filter((e) => e.type === "Warning");
  const evidenceFrom = (re: RegExp) =>
    warn
      .filter((e) => re.test(e.reason ?? ""))
      .slice(0, 2)
      .map((e) => `event ${e.reason ?? ""}: ${e.message ?? ""} (x${e.count ?? 1})`);
  const base = { kind: "Pod", namespace: ns, name, ...(owner !== undefined ? { owner } : {}) };
  const out: FindingView[] = [];
  if (p.status?.phase === "Failed" && p.status.reason === "Evicted") {
    out.push({
      ...base,
      severity: "medium",
      reason: "Evicted",
      message: p.status.message ?? "pod was evicted",
      evidence: evidenceFrom(/Evict/),
      suggestion: suggestion("Evicted"),
    });
    return out;
  }
  for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
    const waiting = cs.state?.waiting;
    const last = cs.lastState?.terminated;
    if (
      waiting?.reason !== undefined &&
      waiting.reason !== "ContainerCreating" &&
      waiting.reason !== "PodInitializing"
    ) {
      const lastReason = last?.reason;
      const reason =
        waiting.reason === "CrashLoopBackOff" && lastReason === "OOMKilled" ? "OOMKilled" : waiting.reason;
      const evidence = [
        `container ${cs.name}: waiting ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ""}`,
        `restarts: ${cs.restartCount}`,
      ];
      if (last !== undefined)
        evidence.push(`last terminated: reason ${last.reason ?? "?"}, exit code ${last.exitCode}`);
      evidence.push(...evidenceFrom(/BackOff|Failed|Unhealthy|Killing|OOM/));
      out.push({
        ...base,
        severity: "critical",
        reason,
        message: `container ${cs.name} is in ${waiting.reason}${lastReason !== undefined ? ` (last exit: ${lastReason}, code ${last?.exitCode ?? "?"})` : ""}`,
        evidence,
        suggestion: suggestion(reason === "ErrImagePull" ? "ImagePullBackOff" : reason),
      });
    } else if (cs.state?.running !== undefined && !cs.ready && p.status?.phase === "Running") {
      const unhealthy = evidenceFrom(/Unhealthy/);
      if (unhealthy.length > 0 || cs.restartCount > 0) {
        out.push({
          ...base,
          severity: "medium",
          reason: "Unhealthy",
          message: `container ${cs.name} runs but is not ready`,
          evidence: [`restarts: ${cs.restartCount}`, ...unhealthy],
          suggestion: suggestion("Unhealthy"),
        });
      }
    }
  }
  if (out.length === 0 && p.status?.phase === "Pending") {
    const sched = p.status.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
    if (sched !== undefined) {
      out.push({
        ...base,
        severity: "critical",
        reason: "Unschedulable",
        message: sched.message ?? "pod cannot be scheduled",
        evidence: evidenceFrom(/FailedScheduling/),
        suggestion: suggestion("Unschedulable"),
      });
    }
  }
  return out;
}

/** Findings from raw state; sorted critical first, then namespace and name. */
export function basicFindings(state: RawState): FindingView[] {
  const out: FindingView[] = [];
  for (const p of state.pods) out.push(...podFindings(p, state.events, ownerOf(p)));
  for (const n of state.nodes) {
    const ready = n.status?.conditions?.find((c) => c.type === "Ready");
    if (ready !== undefined && ready.status !== "True") {
      out.push({
        severity: "critical",
        kind: "Node",
        namespace: "",
        name: n.metadata?.name ?? "",
        reason: "NodeNotReady",
        message: `node Ready=${ready.status} (${ready.reason ?? "no reason"})`,
        evidence: [
          ready.message ?? "",
          ...(n.spec?.taints ?? []).map((t) => `taint ${t.key}:${t.effect}`),
        ].filter((s) => s !== ""),
        suggestion: suggestion("NodeNotReady"),
      });
    }
  }
  for (const d of state.deployments) {
    const prog = d.status?.conditions?.find((c) => c.type === "Progressing");
    if (prog?.status === "False" && prog.reason === "ProgressDeadlineExceeded") {
      out.push({
        severity: "critical",
        kind: "Deployment",
        namespace: d.metadata?.namespace ?? "",
        name: d.metadata?.name ?? "",
        reason: "ProgressDeadlineExceeded",
        message: prog.message ?? "rollout stalled",
        evidence: [`ready ${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`],
        suggestion: suggestion("ProgressDeadlineExceeded"),
      });
    }
  }
  const rank: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
  return out.sort(
    (a, b) =>
      rank[a.severity] - rank[b.severity] ||
      a.namespace.localeCompare(b.namespace) ||
      a.name.localeCompare(b.name),
  );
}
