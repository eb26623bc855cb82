/**
 * Findings from `src/health`: lists the kinds the analyzers read through the ClusterReader, slims them
 * with `health.ingest`, runs `health.analyze` and maps each Finding to the assistant's FindingView.
 * Kinds that cannot be listed (RBAC, API not served) or are not fetched are passed as skipped, so their
 * analyzers stay quiet instead of reporting absences.
 */
import * as health from "../health/index.js";
import { refKey } from "../model/index.js";
import type { FindingView, FindingsSource } from "./findings.js";
import type { ClusterReader } from "./tools.js";
import { resolveKind } from "./views.js";

/** Snapshot kind → the kubectl name the tools resolve. */
const FETCHED: Partial<Record<health.KindKey, string>> = {
  pods: "pod",
  deployments: "deployment",
  replicaSets: "replicaset",
  statefulSets: "statefulset",
  daemonSets: "daemonset",
  jobs: "job",
  cronJobs: "cronjob",
  services: "service",
  ingresses: "ingress",
  persistentVolumeClaims: "pvc",
  persistentVolumes: "pv",
  storageClasses: "storageclass",
  nodes: "node",
  horizontalPodAutoscalers: "hpa",
  podDisruptionBudgets: "pdb",
  networkPolicies: "networkpolicy",
  configMaps: "configmap",
  secrets: "secret",
  resourceQuotas: "quota",
  events: "event",
};

const ref = (r: { kind: string; namespace: string; name: string }) =>
  `${r.kind}/${r.namespace !== "" ? `${r.namespace}/` : ""}${r.name}`;

export function toFindingView(f: health.Finding): FindingView {
  const owner = f.ownerChain.length > 1 ? f.ownerChain.at(-1) : undefined;
  return {
    severity: f.severity,
    kind: f.object.kind,
    namespace: f.object.namespace,
    name: f.object.name,
    reason: f.code,
    message: f.reason,
    evidence: f.evidence.map(
      (e) =>
        `${ref(e.object)}: ${e.message}${e.count !== undefined && e.count > 1 ? ` (x${e.count})` : ""}${e.at !== undefined ? ` at ${e.at}` : ""}`,
    ),
    suggestion: f.fix.summary,
    ...(owner !== undefined && ref(owner) !== ref(f.object) ? { owner: `${owner.kind}/${owner.name}` } : {}),
  };
}

/** What the analyzers (and the remediation planner) read: the slim snapshot, and the full objects by ref. */
export interface ClusterSnapshot {
  readonly snapshot: health.Snapshot;
  /** Every listed object as the API served it, by `refKey` (the planner needs full pod templates). */
  readonly objects: ReadonlyMap<string, unknown>;
}

/** Lists the kinds the analyzers read through the port and ingests them. */
export async function readSnapshot(
  r: ClusterReader,
  namespace: string | undefined,
  signal: AbortSignal,
): Promise<ClusterSnapshot> {
  const raw: Partial<Record<health.KindKey, readonly unknown[]>> = {};
  const skipped: health.SkippedKind[] = [];
  const objects = new Map<string, unknown>();
  await Promise.all(
    health.KIND_KEYS.map(async (key) => {
      const name = FETCHED[key];
      const kind = name !== undefined ? resolveKind(name) : undefined;
      if (kind === undefined) {
        skipped.push({ kind: key, reason: "not fetched by the assistant" });
        return;
      }
      try {
        const res = await r.list(
          { kind, namespace: kind.namespaced ? namespace : undefined, limit: 5000 },
          signal,
        );
        raw[key] = res.items.map((o) => {
          const full = JSON.parse(JSON.stringify({ ...o, apiVersion: kind.apiVersion, kind: kind.kind })) as {
            metadata?: { name?: string; namespace?: string };
          };
          objects.set(
            refKey({
              apiVersion: kind.apiVersion,
              kind: kind.kind,
              namespace: full.metadata?.namespace ?? "",
              name: full.metadata?.name ?? "",
            }),
            full,
          );
          return full;
        });
      } catch {
        skipped.push({ kind: key, reason: "could not be listed" });
      }
    }),
  );
  const { snapshot } = health.ingest(raw, {
    namespaces: namespace !== undefined ? [namespace] : undefined,
    skipped,
  });
  return { snapshot, objects };
}

/** The findings source backed by the health analyzers. `now` is the clock port. */
export function healthFindings(
  r: ClusterReader,
  now: () => Date,
  cfg: health.HealthConfig = health.defaultHealthConfig,
): FindingsSource {
  return async (scope, signal) => {
    const { snapshot } = await readSnapshot(r, scope.namespace, signal);
    return health.analyze(now(), snapshot, cfg).map(toFindingView);
  };
}
