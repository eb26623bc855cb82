/**
 * Correlation: signals in time order become incidents. A signal joins the open incident of its subject (the
 * top of its owner chain: Pod → ReplicaSet → Deployment) or, when its pod runs on a node with an open node
 * problem, the node's incident; a node problem takes over the workload incidents on that node that began
 * shortly before it. Normal events and Vigil's actions only join incidents; before one opens they are kept as
 * context (a rollout shortly before a crash loop explains it). An incident resolves when nothing in it fires
 * any more and no warning came for a while. Pure: `now` and the owner lookup are passed in.
 */
import type { ObjectRef } from "../model/index.js";
import type { IncidentConfig } from "./config.js";
import type {
  ActionTaken,
  CauseEvidence,
  Impact,
  Incident,
  RootCause,
  TimelineEntry,
  TimelineKind,
} from "./incident.js";
import type { Signal, SeverityName } from "./signal.js";
import { SEVERITIES } from "./signal.js";

/** Resolves an owner chain one step; the informer cache, a recorded snapshot or a test map provides it. */
export type OwnerLookup = (ref: ObjectRef) => ObjectRef | undefined;

/** An owner lookup over recorded edges. */
export function ownerMap(edges: readonly { object: ObjectRef; owner: ObjectRef }[]): OwnerLookup {
  const m = new Map<string, ObjectRef>();
  for (const e of edges) m.set(key(e.object), e.owner);
  return (ref) => m.get(key(ref));
}

function key(r: ObjectRef): string {
  return `${r.kind}/${r.namespace}/${r.name}`;
}

function nodeRef(name: string): ObjectRef {
  return { apiVersion: "v1", kind: "Node", namespace: "", name };
}

const ms = (iso: string): number => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
};
const isoOf = (t: number): string => new Date(t).toISOString();

/** Finding codes that describe a consequence, not a cause: they rank below the cause they come with. */
const SYMPTOMS = new Set([
  "UnavailableReplicas",
  "NoEndpoints",
  "RestartStorm",
  "ProgressDeadlineExceeded",
  "RolloutStuck",
  "PodPending",
  "ContainerFailed",
  "NoEndpoints",
  "NoReadyEndpoints",
  "EndpointsNotReady",
]);
/** Warning reasons that name a cause (a probe, a pull, a config, a crash, scheduling), not only a state. */
const CAUSE_REASONS = new Set([
  "Unhealthy",
  "Failed",
  "BackOff",
  "OOMKilling",
  "FailedScheduling",
  "FailedMount",
  "FailedAttachVolume",
  "FailedCreatePodSandBox",
  "Evicted",
  "FailedCreate",
]);
/** Normal events worth a timeline line: rollouts and node lifecycle. The rest only count. */
export const NOTABLE_NORMAL: ReadonlySet<string> = new Set([
  "ScalingReplicaSet",
  "NodeNotReady",
  "NodeReady",
  "TaintManagerEviction",
  "Killing",
  "Preempted",
  "Rebooted",
]);
const NODE_PROBLEM_CODES = new Set([
  "NodeNotReady",
  "NodeUnreachable",
  "MemoryPressure",
  "DiskPressure",
  "PIDPressure",
  "NetworkUnavailable",
]);

function sevRank(s: SeverityName): number {
  return 3 - SEVERITIES.indexOf(s);
}
function maxSev(a: SeverityName, b: SeverityName): SeverityName {
  return sevRank(a) >= sevRank(b) ? a : b;
}

/** Maps an Alertmanager `severity` label to Vigil's scale. */
export function alertSeverity(label: string | undefined): SeverityName {
  switch ((label ?? "").toLowerCase()) {
    case "critical":
    case "page":
    case "emergency":
      return "critical";
    case "high":
    case "error":
    case "major":
      return "high";
    case "warning":
    case "warn":
    case "medium":
      return "medium";
    default:
      return "low";
  }
}

interface Subject {
  /** The grouping key: the top owner, or `Node//name`. */
  readonly key: string;
  readonly ref: ObjectRef;
  /** The pod (or object) the signal is directly about. */
  readonly leaf: ObjectRef | undefined;
}

function topOwner(ref: ObjectRef, owners: OwnerLookup): ObjectRef {
  let cur = ref;
  for (let i = 0; i < 8; i++) {
    const up = owners(cur);
    if (up === undefined) break;
    cur = { ...up, namespace: up.namespace === "" ? cur.namespace : up.namespace };
  }
  return cur;
}

function subjectOf(s: Signal, owners: OwnerLookup): Subject | undefined {
  let leaf: ObjectRef | undefined;
  switch (s.kind) {
    case "finding":
      // The finding's object already is the workload; its owner chain starts at the first affected pod.
      leaf = s.ownerChain[0] ?? s.object;
      return { key: key(topOwner(s.object, owners)), ref: topOwner(s.object, owners), leaf };
    case "action":
      leaf = s.target;
      break;
    case "alert":
      if (s.object === undefined) {
        const ref: ObjectRef = {
          apiVersion: "",
          kind: "Alert",
          namespace: s.labels["namespace"] ?? "",
          name: s.name,
        };
        return { key: key(ref), ref, leaf: undefined };
      }
      leaf = s.object;
      break;
    default:
      leaf = s.object;
  }
  const top = topOwner(leaf, owners);
  return { key: key(top), ref: top, leaf };
}

function nodeOf(s: Signal): string | undefined {
  if (s.kind === "action") return s.target.kind === "Node" ? s.target.name : undefined;
  if (s.kind === "alert") return s.node ?? (s.object?.kind === "Node" ? s.object.name : undefined);
  if (s.object.kind === "Node") return s.object.name;
  return s.node;
}

/** A problem on a node itself (not on a pod that happens to run there). */
function nodeProblem(s: Signal): string | undefined {
  if (s.kind === "finding")
    return s.object.kind === "Node" && s.state === "firing" && NODE_PROBLEM_CODES.has(s.code)
      ? s.object.name
      : undefined;
  if (s.kind === "event") {
    // The node-lifecycle controller reports NodeNotReady on the Node (Normal) and on each of its pods.
    if (s.reason === "NodeNotReady") return s.object.kind === "Node" ? s.object.name : s.node;
    if (s.object.kind === "Node" && s.type === "Warning") return s.object.name;
    return undefined;
  }
  if (s.kind === "alert")
    return s.status === "firing" && s.object?.kind === "Node" ? s.object.name : undefined;
  return undefined;
}

function isProblem(s: Signal, cfg: IncidentConfig): boolean {
  switch (s.kind) {
    case "event":
      return s.type === "Warning" || s.reason === "NodeNotReady";
    case "finding":
      return s.state === "firing";
    case "anomaly":
      return s.score >= cfg.anomalyThreshold;
    case "log":
      return s.summary !== "";
    case "alert":
      return s.status === "firing";
    case "action":
      return false;
  }
}

/** The key of a stateful signal (one that fires and resolves). */
function statefulKey(s: Signal): string | undefined {
  if (s.kind === "finding") return `finding:${s.id}`;
  if (s.kind === "alert") return `alert:${s.fingerprint}`;
  return undefined;
}

interface Cluster {
  readonly seq: number;
  primary: Subject;
  node: string | undefined;
  readonly signals: Signal[];
  readonly context: Signal[];
  readonly keys: Set<string>;
  readonly firing: Map<string, number>;
  stateful: boolean;
  startedAt: number;
  lastProblemAt: number;
  lastWarningAt: number;
  lastResolvedAt: number;
  lastAt: number;
  closedAt: number | undefined;
  absorbedInto: Cluster | undefined;
}

function root(c: Cluster): Cluster {
  let cur = c;
  while (cur.absorbedInto !== undefined) cur = cur.absorbedInto;
  return cur;
}

/** The moment an open cluster counts as resolved at `t`, or undefined while it is not. */
function resolvedBy(c: Cluster, t: number, cfg: IncidentConfig): number | undefined {
  if (c.firing.size > 0) return undefined;
  if (c.stateful) {
    const since = Math.max(c.lastResolvedAt, c.lastWarningAt);
    return t - since > cfg.settleSeconds * 1000 ? Math.max(c.lastResolvedAt, c.lastWarningAt) : undefined;
  }
  return t - c.lastProblemAt > cfg.quietSeconds * 1000 ? c.lastProblemAt : undefined;
}

/** Orders signals by time, then kind and content, so that equal inputs give equal incidents. */
function compareSignals(a: Signal, b: Signal): number {
  const d = ms(a.at) - ms(b.at);
  if (d !== 0) return d;
  const ka = JSON.stringify(a);
  const kb = JSON.stringify(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Sorts by time, then by content (computed once per signal), so that equal inputs give equal incidents. */
function sortSignals(list: readonly Signal[]): Signal[] {
  return list
    .map((s) => ({ s, t: ms(s.at), k: JSON.stringify(s) }))
    .sort((a, b) => a.t - b.t || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.s);
}

export function correlate(
  now: Date,
  signals: readonly Signal[],
  owners: OwnerLookup,
  cfg: IncidentConfig,
): readonly Incident[] {
  const t0 = now.getTime();
  const ignored = new Set(cfg.ignoreAnalyzers);
  const sorted = sortSignals(
    signals.filter((s) => ms(s.at) <= t0 && !(s.kind === "finding" && ignored.has(s.id.split("/")[0] ?? ""))),
  );
  const clusters: Cluster[] = [];
  const open = new Map<string, Cluster>();
  const context = new Map<string, Signal[]>();
  let seq = 0;

  function closeStale(t: number): void {
    for (const [k, c0] of open) {
      const c = root(c0);
      if (c.closedAt !== undefined) {
        open.delete(k);
        continue;
      }
      const r = resolvedBy(c, t, cfg);
      if (r !== undefined) {
        c.closedAt = r;
        open.delete(k);
      }
    }
  }

  function create(subject: Subject, node: string | undefined, t: number): Cluster {
    const c: Cluster = {
      seq: seq++,
      primary: subject,
      node,
      signals: [],
      context: [],
      keys: new Set([subject.key]),
      firing: new Map(),
      stateful: false,
      startedAt: t,
      lastProblemAt: t,
      lastWarningAt: t,
      lastResolvedAt: 0,
      lastAt: t,
      closedAt: undefined,
      absorbedInto: undefined,
    };
    const before = context.get(subject.key) ?? [];
    for (const x of before) if (t - ms(x.at) <= cfg.contextSeconds * 1000) c.context.push(x);
    context.delete(subject.key);
    clusters.push(c);
    open.set(subject.key, c);
    return c;
  }

  function absorb(into: Cluster, from: Cluster): void {
    if (from === into) return;
    from.absorbedInto = into;
    into.signals.push(...from.signals);
    into.context.push(...from.context);
    for (const k of from.keys) {
      into.keys.add(k);
      open.set(k, into);
    }
    for (const [k, v] of from.firing) into.firing.set(k, v);
    into.stateful ||= from.stateful;
    into.startedAt = Math.min(into.startedAt, from.startedAt);
    into.lastResolvedAt = Math.max(into.lastResolvedAt, from.lastResolvedAt);
    into.lastWarningAt = Math.max(into.lastWarningAt, from.lastWarningAt);
  }

  function add(c: Cluster, s: Signal, subject: Subject, t: number, problem: boolean): void {
    c.signals.push(s);
    c.keys.add(subject.key);
    open.set(subject.key, c);
    c.lastAt = Math.max(c.lastAt, t);
    if (problem) {
      c.lastProblemAt = Math.max(c.lastProblemAt, t);
      if (s.kind !== "finding" && s.kind !== "alert") c.lastWarningAt = Math.max(c.lastWarningAt, t);
    }
    const sk = statefulKey(s);
    if (sk !== undefined) {
      c.stateful = true;
      if (problem) c.firing.set(sk, t);
      else if (c.firing.delete(sk)) c.lastResolvedAt = Math.max(c.lastResolvedAt, t);
    }
  }

  for (const s of sorted) {
    const t = ms(s.at);
    closeStale(t);
    const subject = subjectOf(s, owners);
    if (subject === undefined) continue;
    const problem = isProblem(s, cfg);
    const downNode = problem ? nodeProblem(s) : undefined;
    const onNode = nodeOf(s);
    if (downNode !== undefined) {
      const nk = key(nodeRef(downNode));
      const existing = open.get(nk);
      const nc =
        existing !== undefined
          ? root(existing)
          : create({ key: nk, ref: nodeRef(downNode), leaf: undefined }, downNode, t);
      nc.node = downNode;
      // Take over workload incidents whose problems are all on this node and that began shortly before.
      for (const c0 of new Set([...open.values()].map(root))) {
        if (c0 === nc || c0.node !== undefined) continue;
        const nodes = new Set(c0.signals.filter((x) => isProblem(x, cfg)).map(nodeOf));
        if (nodes.size === 1 && nodes.has(downNode) && t - c0.startedAt <= cfg.nodeLeadSeconds * 1000)
          absorb(nc, c0);
      }
      add(nc, s, subject, t, true);
      continue;
    }
    const nodeCluster = onNode !== undefined ? open.get(key(nodeRef(onNode))) : undefined;
    let target = nodeCluster !== undefined && subject.ref.kind !== "Node" ? root(nodeCluster) : undefined;
    if (target === undefined) {
      const own = open.get(subject.key);
      target = own !== undefined ? root(own) : undefined;
    }
    if (target === undefined && subject.ref.kind === "Service") target = serviceAffinity(subject.ref);
    if (target === undefined) {
      if (!problem) {
        const list = context.get(subject.key) ?? [];
        list.push(s);
        if (list.length > cfg.maxContext) list.shift();
        context.set(subject.key, list);
        continue;
      }
      target = create(subject, undefined, t);
      // A Service's incident that opened first (no endpoints before the pods' warnings) joins its workload's.
      if (subject.ref.kind !== "Service" && subject.ref.kind !== "Node") {
        const svc = [...new Set([...open.values()].map(root))].filter(
          (c) => c.primary.ref.kind === "Service" && c.primary.ref.namespace === subject.ref.namespace,
        );
        const same =
          svc.find((c) => c.primary.ref.name === subject.ref.name) ?? (svc.length === 1 ? svc[0] : undefined);
        if (same !== undefined) {
          absorb(target, same);
          target.startedAt = Math.min(target.startedAt, same.startedAt);
        }
      }
    }
    add(target, s, subject, t, problem);
  }
  closeStale(t0);

  /** A Service's signals join its namespace's open incident with the same name, or the only one there. */
  function serviceAffinity(ref: ObjectRef): Cluster | undefined {
    const inNs = [...new Set([...open.values()].map(root))].filter(
      (c) => c.primary.ref.namespace === ref.namespace && c.node === undefined,
    );
    return inNs.find((c) => c.primary.ref.name === ref.name) ?? (inNs.length === 1 ? inNs[0] : undefined);
  }

  return clusters
    .filter((c) => c.absorbedInto === undefined)
    .map((c) => build(c, t0, cfg))
    .sort((a, b) => ms(a.startedAt) - ms(b.startedAt) || (a.id < b.id ? -1 : 1));
}

// ---------------------------------------------------------------------------------------------------------
// Building the incident: causes, impact, severity, timeline.

/** FNV-1a, 32 bits, as 8 hex digits. */
function fnv(s: string, seed: number): string {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** A stable incident id: the same subject and first-problem second give the same id on every replay. */
export function incidentId(subjectKey: string, startedAt: string): string {
  const k = `${subjectKey}@${startedAt.slice(0, 19)}`;
  return `inc-${(fnv(k, 0x811c9dc5) + fnv(k, 0x050c5d1f)).slice(0, 10)}`;
}

function refText(r: ObjectRef): string {
  return r.namespace === "" ? `${r.kind} ${r.name}` : `${r.kind} ${r.namespace}/${r.name}`;
}

function podKey(r: ObjectRef | undefined): string | undefined {
  return r?.kind === "Pod" ? `${r.namespace}/${r.name}` : undefined;
}

/** A new ReplicaSet scaled up on a Deployment that already had one: a rollout. */
interface Rollout {
  readonly at: number;
  readonly replicaSet: string;
  readonly message: string;
}

const SCALED_UP = /Scaled up replica set (\S+)/;

function rollouts(list: readonly Signal[]): Rollout[] {
  const seen = new Set<string>();
  const out: Rollout[] = [];
  for (const s of sortSignals(list)) {
    if (s.kind !== "event" || s.reason !== "ScalingReplicaSet") continue;
    const m = SCALED_UP.exec(s.message);
    const rs = m?.[1];
    if (rs === undefined) continue;
    if (seen.size > 0 && !seen.has(rs)) out.push({ at: ms(s.at), replicaSet: rs, message: s.message });
    seen.add(rs);
  }
  return out;
}

function evidenceOf(s: Signal): CauseEvidence {
  switch (s.kind) {
    case "event":
      return {
        at: s.at,
        source: "event",
        message: `${s.type} ${s.reason}: ${s.message}`.slice(0, 512),
        object: s.object,
      };
    case "finding":
      return {
        at: s.at,
        source: "finding",
        message: `${s.code}: ${s.reason}`.slice(0, 512),
        object: s.object,
      };
    case "anomaly":
      return {
        at: s.at,
        source: "anomaly",
        message: `${s.metric} anomaly score ${s.score.toFixed(2)}${s.value !== undefined ? ` (value ${String(s.value)})` : ""}`,
        object: s.object,
      };
    case "log":
      return { at: s.at, source: "log", message: s.summary.slice(0, 512), object: s.object };
    case "action":
      return {
        at: s.at,
        source: "action",
        message: `${s.action} ${refText(s.target)}: ${s.result}`,
        object: s.target,
      };
    case "alert":
      return {
        at: s.at,
        source: "alert",
        message:
          `${s.name} ${s.status}: ${s.annotations["summary"] ?? s.annotations["description"] ?? ""}`.slice(
            0,
            512,
          ),
        object: s.object,
      };
  }
}

function causes(c: Cluster, cfg: IncidentConfig): RootCause[] {
  const out: RootCause[] = [];
  const problems = c.signals.filter((s) => isProblem(s, { ...cfg }));
  const first = problems.reduce((m, s) => Math.min(m, ms(s.at)), Number.POSITIVE_INFINITY);
  const cap = (xs: readonly Signal[]) => xs.slice(0, cfg.maxEvidence).map(evidenceOf);

  // A node problem explains the pod failures on it.
  if (c.node !== undefined) {
    const nodeSignals = problems.filter((s) => nodeProblem(s) === c.node);
    const pods = new Set<string>();
    const workloads = new Set<string>();
    for (const s of c.signals) {
      const leaf = leafOf(s);
      const pk = s.kind === "finding" ? podKey(s.ownerChain[0]) : podKey(leaf);
      if (pk !== undefined) pods.add(pk);
      if (leaf !== undefined && leaf.kind !== "Node") {
        const top = s.kind === "finding" ? s.object : undefined;
        if (top !== undefined && top.kind !== "Pod") workloads.add(refText(top));
      }
    }
    for (const k of c.keys)
      if (!k.startsWith("Node/")) workloads.add(k.replace(/^(\w+)\/([^/]*)\/(.*)$/, "$1 $2/$3"));
    const finding = nodeSignals.findLast((s) => s.kind === "finding");
    const code = finding?.kind === "finding" ? finding.code : "NodeNotReady";
    const state =
      code === "NodeUnreachable"
        ? "stopped reporting (Ready=Unknown)"
        : code === "NodeNotReady"
          ? "is NotReady"
          : `has ${code}`;
    const list = [...workloads].sort();
    out.push({
      kind: "node",
      code,
      summary:
        `Node ${c.node} ${state}; ${String(pods.size)} pod(s) on it affected` +
        (list.length > 0 ? ` (${list.slice(0, 5).join(", ")}${list.length > 5 ? ", …" : ""})` : ""),
      confidence: 0.95,
      object: nodeRef(c.node),
      evidence: cap(nodeSignals),
    });
  }

  // A rollout shortly before the first problem explains what follows it.
  const ro = rollouts([...c.context, ...c.signals]).filter(
    (r) => r.at <= first && first - r.at <= cfg.contextSeconds * 1000,
  );
  const lastRo = ro.at(-1);
  if (lastRo !== undefined && c.primary.ref.kind === "Deployment") {
    const gap = Math.round((first - lastRo.at) / 1000);
    out.push({
      kind: "rollout",
      code: "Rollout",
      summary: `a rollout (new ReplicaSet ${lastRo.replicaSet}) began ${String(gap)} s before the first failure`,
      confidence: 0.85,
      object: c.primary.ref,
      evidence: [
        {
          at: isoOf(lastRo.at),
          source: "event",
          message: `Normal ScalingReplicaSet: ${lastRo.message}`,
          object: c.primary.ref,
        },
      ],
    });
  }

  // Findings, grouped by code and object; symptoms rank below causes.
  const byFinding = new Map<string, Signal[]>();
  for (const s of c.signals)
    if (s.kind === "finding" && s.state === "firing" && !NODE_PROBLEM_CODES.has(s.code)) {
      const k = `${s.code}|${key(s.object)}`;
      byFinding.set(k, [...(byFinding.get(k) ?? []), s]);
    }
  for (const list of byFinding.values()) {
    const last = list.at(-1);
    if (last?.kind !== "finding") continue;
    const base = 0.5 + 0.08 * sevRank(last.severity);
    out.push({
      kind: "finding",
      code: last.code,
      summary: last.reason,
      confidence: round2(SYMPTOMS.has(last.code) ? base - 0.3 : base),
      object: last.object,
      evidence: cap(list),
    });
  }

  const alerts = new Map<string, Signal[]>();
  for (const s of c.signals)
    if (s.kind === "alert" && s.status === "firing") alerts.set(s.name, [...(alerts.get(s.name) ?? []), s]);
  for (const [name, list] of alerts) {
    const last = list.at(-1);
    if (last?.kind !== "alert") continue;
    out.push({
      kind: "alert",
      code: name,
      summary: last.annotations["summary"] ?? last.annotations["description"] ?? `alert ${name} firing`,
      confidence: round2(0.45 + 0.05 * sevRank(alertSeverity(last.labels["severity"]))),
      object: last.object ?? c.primary.ref,
      evidence: cap(list),
    });
  }

  const logs = c.signals.filter((s) => s.kind === "log" && s.summary !== "");
  const lastLog = logs.at(-1);
  if (lastLog?.kind === "log")
    out.push({
      kind: "log",
      code: "LogSignature",
      summary: `logs: ${lastLog.summary}`,
      confidence: 0.45,
      object: lastLog.object,
      evidence: cap(logs),
    });

  const anomalies = new Map<string, Signal[]>();
  for (const s of c.signals)
    if (s.kind === "anomaly" && s.score >= cfg.anomalyThreshold)
      anomalies.set(s.metric, [...(anomalies.get(s.metric) ?? []), s]);
  for (const [metric, list] of anomalies) {
    const top = Math.max(...list.map((s) => (s.kind === "anomaly" ? s.score : 0)));
    out.push({
      kind: "anomaly",
      code: `${metric}Anomaly`,
      summary: `${metric} is anomalous (score ${top.toFixed(2)})`,
      confidence: round2(0.4 * top),
      object: list[0]?.kind === "anomaly" ? list[0].object : c.primary.ref,
      evidence: cap(list),
    });
  }

  // Warning events by reason: the weakest evidence, but often the only one.
  const byReason = new Map<string, Signal[]>();
  for (const s of c.signals)
    if (s.kind === "event" && s.type === "Warning")
      byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s]);
  for (const [reason, list] of byReason) {
    const first = list[0];
    if (first?.kind !== "event") continue;
    out.push({
      kind: "event",
      code: reason,
      summary: `${String(list.length)} ${reason} warning(s): ${first.message}`.slice(0, 300),
      confidence: round2((CAUSE_REASONS.has(reason) ? 0.45 : 0.3) + Math.min(0.1, list.length / 1000)),
      object: c.primary.ref,
      evidence: cap(list),
    });
  }

  return out
    .sort(
      (a, b) =>
        b.confidence - a.confidence || firstAt(a).localeCompare(firstAt(b)) || a.code.localeCompare(b.code),
    )
    .slice(0, cfg.maxCauses);
}

function firstAt(c: RootCause): string {
  return c.evidence[0]?.at ?? "";
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function leafOf(s: Signal): ObjectRef | undefined {
  if (s.kind === "action") return s.target;
  if (s.kind === "alert") return s.object;
  if (s.kind === "finding") return s.ownerChain[0] ?? s.object;
  return s.object;
}

function impactOf(c: Cluster): Impact {
  const pods = new Set<string>();
  const workloads = new Set<string>();
  const nodes = new Set<string>();
  const services = new Set<string>();
  let warnings = 0;
  for (const s of c.signals) {
    const leaf = leafOf(s);
    const pk = podKey(leaf);
    if (pk !== undefined) pods.add(pk);
    if (s.kind === "finding") {
      for (const r of s.ownerChain) {
        const k = podKey(r);
        if (k !== undefined) pods.add(k);
      }
      if (s.object.kind !== "Node" && s.object.kind !== "Pod") workloads.add(refText(s.object));
      if (s.code === "NoEndpoints" && s.state === "firing") services.add(refText(s.object));
    }
    if (s.kind === "event" && s.type === "Warning") warnings += 1;
    const n = nodeOf(s);
    if (n !== undefined && (isProblemLoose(s) || c.node === n)) nodes.add(n);
  }
  if (c.primary.ref.kind !== "Node" && c.primary.ref.kind !== "Pod" && c.primary.ref.kind !== "Alert")
    workloads.add(refText(c.primary.ref));
  return {
    pods: pods.size,
    workloads: [...workloads].sort(),
    nodes: [...nodes].sort(),
    servicesWithoutEndpoints: [...services].sort(),
    warningEvents: warnings,
  };
}

function isProblemLoose(s: Signal): boolean {
  return (s.kind === "event" && s.type === "Warning") || (s.kind === "finding" && s.state === "firing");
}

function severityOf(c: Cluster, impact: Impact, cfg: IncidentConfig): SeverityName {
  let sev: SeverityName = "low";
  let informed = false;
  for (const s of c.signals) {
    if (s.kind === "finding" && s.state === "firing") {
      sev = maxSev(sev, s.severity);
      informed = true;
    }
    if (s.kind === "alert" && s.status === "firing") {
      sev = maxSev(sev, alertSeverity(s.labels["severity"]));
      informed = true;
    }
    if (s.kind === "anomaly" && s.score >= cfg.anomalyThreshold && /error|5xx|fail/i.test(s.metric))
      sev = maxSev(sev, "high");
  }
  if (!informed && (impact.pods >= 2 || impact.warningEvents >= 10)) sev = maxSev(sev, "medium");
  // Impact: a node down under running pods, a Service with no endpoints (users see errors).
  if (c.node !== undefined && impact.pods > 0) sev = maxSev(sev, "high");
  if (impact.servicesWithoutEndpoints.length > 0) sev = maxSev(sev, "critical");
  return sev;
}

/** Masks what differs between occurrences of one message: pod names, uids, numbers. */
function normalise(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uid>")
    .replace(/[a-z0-9]+(?:-[a-z0-9]+)*-[a-z0-9]{6,10}-[a-z0-9]{5}(?![a-z0-9])/g, "<pod>")
    .replace(/\d+/g, "<n>");
}

interface Line {
  readonly at: number;
  readonly kind: TimelineKind;
  readonly key: string;
  readonly text: string;
  readonly object: string | undefined;
}

function lineOf(s: Signal, c: Cluster): Line {
  const t = ms(s.at);
  switch (s.kind) {
    case "event": {
      const obj = s.object.kind === "Pod" ? undefined : refText(s.object);
      const kind: TimelineKind = s.type === "Warning" ? "event" : "context";
      return {
        at: t,
        kind,
        key: `event|${s.type}|${s.reason}|${s.object.kind === "Pod" ? "pod" : key(s.object)}|${normalise(s.message)}`,
        text: `${s.type} ${s.reason}${obj !== undefined ? ` on ${obj}` : ""}: ${s.message}`,
        object: podKey(s.object),
      };
    }
    case "finding":
      return s.state === "firing"
        ? {
            at: t,
            kind: "finding",
            key: `finding|${s.id}|${s.severity}`,
            text: `${s.code} (${s.severity}) on ${refText(s.object)}: ${s.reason}`,
            object: undefined,
          }
        : {
            at: t,
            kind: "findingResolved",
            key: `resolved|${s.id}|${String(t)}`,
            text: `${s.code} on ${refText(s.object)} resolved`,
            object: undefined,
          };
    case "anomaly":
      return {
        at: t,
        kind: "anomaly",
        key: `anomaly|${key(s.object)}|${s.metric}`,
        text: `${s.metric} anomaly on ${refText(s.object)} (score ${s.score.toFixed(2)})`,
        object: undefined,
      };
    case "log":
      return {
        at: t,
        kind: "log",
        key: `log|${key(s.object)}|${s.summary}`,
        text: `logs of ${refText(s.object)}: ${s.summary}`,
        object: undefined,
      };
    case "action":
      return {
        at: t,
        kind: "action",
        key: `action|${String(t)}|${s.action}|${key(s.target)}`,
        text: `Vigil ${s.action} ${refText(s.target)}: ${s.result}${s.reason !== "" ? ` (${s.reason})` : ""}`,
        object: undefined,
      };
    case "alert":
      return s.status === "firing"
        ? {
            at: t,
            kind: "alert",
            key: `alert|${s.fingerprint}`,
            text: `alert ${s.name} firing${s.labels["severity"] !== undefined ? ` (${s.labels["severity"]})` : ""}: ${s.annotations["summary"] ?? s.annotations["description"] ?? refText(s.object ?? c.primary.ref)}`,
            object: undefined,
          }
        : {
            at: t,
            kind: "alertResolved",
            key: `alertResolved|${s.fingerprint}`,
            text: `alert ${s.name} resolved`,
            object: undefined,
          };
  }
}

function timelineOf(
  c: Cluster,
  resolvedAt: number | undefined,
  cfg: IncidentConfig,
): {
  entries: TimelineEntry[];
  omitted: number;
} {
  const groups = new Map<
    string,
    { first: Line; last: number; lastText: string; count: number; objects: Set<string> }
  >();
  const notable = (s: Signal) => s.kind !== "event" || s.type === "Warning" || NOTABLE_NORMAL.has(s.reason);
  const ctx = c.context.filter((s) => s.kind === "event" || s.kind === "action");
  for (const s of sortSignals([...ctx, ...c.signals].filter(notable))) {
    const l = lineOf(s, c);
    const g = groups.get(l.key);
    if (g === undefined)
      groups.set(l.key, {
        first: l,
        last: l.at,
        lastText: l.text,
        count: 1,
        objects: new Set(l.object !== undefined ? [l.object] : []),
      });
    else {
      if (l.at >= g.last) g.lastText = l.text;
      g.last = Math.max(g.last, l.at);
      g.count++;
      if (l.object !== undefined && g.objects.size < 1000) g.objects.add(l.object);
    }
  }
  const entries: TimelineEntry[] = [...groups.values()]
    .sort((a, b) => a.first.at - b.first.at || a.first.key.localeCompare(b.first.key))
    .map((g) => {
      const pods = g.objects.size;
      const who =
        pods > 1 ? ` [${String(pods)} pods]` : pods === 1 ? ` [pod ${[...g.objects][0] ?? ""}]` : "";
      return {
        at: isoOf(g.first.at),
        ...(g.count > 1 && g.last > g.first.at ? { until: isoOf(g.last) } : {}),
        kind: g.first.kind,
        // A finding's latest wording is the most informative ("restarted 5 times", "for 7m").
        text: `${g.first.kind === "finding" ? g.lastText : g.first.text}${g.count > 1 ? ` (×${String(g.count)})` : ""}${who}`.slice(
          0,
          1024,
        ),
        count: g.count,
      };
    });
  if (resolvedAt !== undefined)
    entries.push({ at: isoOf(resolvedAt), kind: "resolved", text: "incident resolved", count: 1 });
  if (entries.length <= cfg.maxTimeline) return { entries, omitted: 0 };
  const head = Math.ceil(cfg.maxTimeline / 2);
  const tail = cfg.maxTimeline - head;
  return {
    entries: [...entries.slice(0, head), ...entries.slice(entries.length - tail)],
    omitted: entries.length - cfg.maxTimeline,
  };
}

function build(c: Cluster, t0: number, cfg: IncidentConfig): Incident {
  const subject = c.node !== undefined ? nodeRef(c.node) : c.primary.ref;
  const subjectKey = key(subject);
  const startedAt = isoOf(c.startedAt);
  const resolvedAt = c.closedAt;
  const rc = causes(c, cfg);
  const impact = impactOf(c);
  const severity = severityOf(c, impact, cfg);
  const { entries, omitted } = timelineOf(c, resolvedAt, cfg);
  const actions: ActionTaken[] = c.signals
    .filter((s) => s.kind === "action")
    .map((s) => ({ at: s.at, action: s.action, target: s.target, result: s.result, reason: s.reason }));
  const top = rc[0];
  const best = c.signals
    .filter((s) => s.kind === "finding" && s.state === "firing" && s.fix !== undefined)
    .sort((a, b) => {
      if (a.kind !== "finding" || b.kind !== "finding") return 0;
      const sa = SYMPTOMS.has(a.code) ? 0 : 1;
      const sb = SYMPTOMS.has(b.code) ? 0 : 1;
      return sb - sa || sevRank(b.severity) - sevRank(a.severity) || compareSignals(a, b);
    })[0];
  const recommended =
    best?.kind === "finding" && best.fix !== undefined
      ? { summary: best.fix, action: best.action ?? "manual" }
      : top?.kind === "rollout"
        ? { summary: `roll ${refText(subject)} back to its previous revision`, action: "rollback" }
        : undefined;
  const fixedBy = resolvedAt !== undefined ? fixOf(c, actions, resolvedAt) : undefined;
  const lastSignalAt = isoOf(c.signals.reduce((m, s) => Math.max(m, ms(s.at)), c.startedAt));
  const cause = top?.code ?? "Unknown";
  const title = `${cause} on ${refText(subject)}`;
  const dur = Math.round(((resolvedAt ?? t0) - c.startedAt) / 1000);
  const summary =
    `${refText(subject)}: ${top?.summary ?? "warnings"}. ` +
    `${String(impact.pods)} pod(s), ${String(impact.warningEvents)} warning event(s); ` +
    (resolvedAt !== undefined
      ? `resolved after ${humanSeconds(dur)}${fixedBy !== undefined ? `; fixed by ${fixedBy}` : ""}.`
      : `open for ${humanSeconds(dur)}.`);
  const labels: Record<string, string> = {
    severity,
    kind: subject.kind,
    name: subject.name,
    cause,
  };
  if (subject.namespace !== "") labels["namespace"] = subject.namespace;
  else {
    const ns = c.signals.map((s) => leafOf(s)?.namespace ?? "").find((x) => x !== "");
    if (ns !== undefined) labels["namespace"] = ns;
  }
  if (c.node !== undefined) labels["node"] = c.node;
  for (const s of c.signals)
    if (s.kind === "alert") {
      labels["alertname"] ??= s.name;
      for (const [k, v] of Object.entries(s.labels)) if (!(k in labels)) labels[k] = v;
    }
  const count = (k: Signal["kind"]) => c.signals.filter((s) => s.kind === k).length;
  return {
    id: incidentId(key(c.primary.ref), startedAt),
    fingerprint: `${cause}@${subjectKey}`,
    title,
    summary,
    severity,
    status: resolvedAt !== undefined ? "resolved" : "open",
    subject,
    startedAt,
    lastSignalAt,
    ...(resolvedAt !== undefined ? { resolvedAt: isoOf(resolvedAt) } : {}),
    rootCauses: rc,
    impact,
    timeline: entries,
    timelineOmitted: omitted,
    actionsTaken: actions,
    ...(recommended !== undefined ? { recommended } : {}),
    ...(fixedBy !== undefined ? { fixedBy } : {}),
    labels,
    signals: {
      events: count("event"),
      warningEvents: impact.warningEvents,
      findings: count("finding"),
      anomalies: count("anomaly"),
      logs: count("log"),
      actions: count("action"),
      alerts: count("alert"),
    },
  };
}

/** The last succeeded Vigil action before resolution, else the last rollout after the problem began. */
function fixOf(c: Cluster, actions: readonly ActionTaken[], resolvedAt: number): string | undefined {
  const act = actions.filter((a) => a.result === "succeeded" && ms(a.at) <= resolvedAt).at(-1);
  if (act !== undefined) return `${act.action} of ${refText(act.target)} by Vigil`;
  const ro = rollouts([...c.context, ...c.signals]).filter((r) => r.at > c.startedAt && r.at <= resolvedAt);
  const last = ro.at(-1);
  if (last !== undefined) return `rollout of ReplicaSet ${last.replicaSet}`;
  const node = c.node;
  if (node !== undefined) return `node ${node} became Ready again`;
  return undefined;
}

export function humanSeconds(s: number): string {
  if (s < 60) return `${String(s)}s`;
  if (s < 3600) return `${String(Math.floor(s / 60))}m${s % 60 > 0 ? `${String(s % 60)}s` : ""}`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${String(h)}h${m > 0 ? `${String(m)}m` : ""}`;
}
