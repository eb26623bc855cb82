/**
 * The health score: 100 means no finding. Each finding multiplies its namespace's score by (1 − weight)
 * (critical 0.30, high 0.15, medium 0.05, low 0.01), and low findings together take at most 10 points, so
 * hygiene cannot drown a real outage. The cluster score is the mean over namespaces with objects, times the
 * factor of cluster-scoped findings (nodes, webhooks, volumes). Every point lost is named in `reasons`.
 */
import type { Finding, Severity } from "./finding.js";
import type { Snapshot } from "./snapshot.js";

export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = {
  critical: 0.3,
  high: 0.15,
  medium: 0.05,
  low: 0.01,
};
const LOW_CAP = 0.1;

export interface ScoreReason {
  readonly findingId: string;
  readonly severity: Severity;
  /** Points this finding took, rounded to 0.1. */
  readonly points: number;
}

export interface NamespaceScore {
  /** "" for cluster-scoped objects. */
  readonly namespace: string;
  readonly score: number;
  readonly counts: Readonly<Record<Severity, number>>;
  readonly reasons: readonly ScoreReason[];
}

export interface HealthScore {
  readonly score: number;
  readonly namespaces: readonly NamespaceScore[];
  /** One line per driver of the cluster score. */
  readonly reasons: readonly string[];
}

function factor(findings: readonly Finding[]): { factor: number; reasons: ScoreReason[] } {
  let f = 1;
  let lowLost = 0;
  const reasons: ScoreReason[] = [];
  for (const x of findings) {
    const w = SEVERITY_WEIGHT[x.severity];
    let lost: number;
    if (x.severity === "low") {
      const take = Math.min(w, LOW_CAP - lowLost);
      lowLost += take;
      lost = f * take;
      f -= lost;
    } else {
      lost = f * w;
      f -= lost;
    }
    if (lost > 0)
      reasons.push({ findingId: x.id, severity: x.severity, points: Math.round(lost * 1000) / 10 });
  }
  return { factor: f, reasons };
}

function counts(findings: readonly Finding[]): Record<Severity, number> {
  const c: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of findings) c[f.severity]++;
  return c;
}

/** Namespaces that hold any object in the snapshot. */
function namespacesOf(snap: Snapshot): Set<string> {
  const out = new Set<string>();
  for (const list of [
    snap.pods,
    snap.deployments,
    snap.statefulSets,
    snap.daemonSets,
    snap.jobs,
    snap.cronJobs,
    snap.services,
  ]) {
    for (const o of list) out.add(o.metadata.namespace);
  }
  return out;
}

export function healthScore(findings: readonly Finding[], snap: Snapshot): HealthScore {
  const byNs = new Map<string, Finding[]>();
  for (const ns of namespacesOf(snap))
    if (snap.namespaces === undefined || snap.namespaces.includes(ns)) byNs.set(ns, []);
  for (const f of findings) {
    const list = byNs.get(f.object.namespace);
    if (list === undefined) byNs.set(f.object.namespace, [f]);
    else list.push(f);
  }
  const namespaces: NamespaceScore[] = [...byNs.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, fs]) => {
      const r = factor(fs);
      return { namespace, score: Math.round(r.factor * 100), counts: counts(fs), reasons: r.reasons };
    });
  const scoped = namespaces.filter((n) => n.namespace !== "");
  const mean = scoped.length === 0 ? 1 : scoped.reduce((s, n) => s + n.score, 0) / scoped.length / 100;
  const cluster = namespaces.find((n) => n.namespace === "");
  const clusterFactor = cluster === undefined ? 1 : cluster.score / 100;
  const reasons: string[] = [];
  if (cluster !== undefined && cluster.reasons.length > 0) {
    reasons.push(
      `cluster-scoped findings take ${Math.round((1 - clusterFactor) * 100)} points: ${cluster.reasons
        .slice(0, 3)
        .map((r) => r.findingId)
        .join(", ")}${cluster.reasons.length > 3 ? ", …" : ""}`,
    );
  }
  for (const n of [...scoped]
    .sort((a, b) => a.score - b.score)
    .filter((n) => n.score < 100)
    .slice(0, 5)) {
    const top = [...n.reasons].sort((a, b) => b.points - a.points)[0];
    reasons.push(
      `namespace ${n.namespace} scores ${n.score} (${n.counts.critical} critical, ${n.counts.high} high, ${n.counts.medium} medium, ${n.counts.low} low)${top !== undefined ? `; largest: ${top.findingId} (−${top.points})` : ""}`,
    );
  }
  return { score: Math.round(mean * clusterFactor * 100), namespaces, reasons };
}
