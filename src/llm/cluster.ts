/**
 * The cluster edge of the tools: a ClusterReader over `@kubernetes/client-node`, a findings source over
 * raw state (until `src/health` is wired), a learner that feeds Secret values to the Redactor, and the
 * executor for approved proposals (server-side apply with Vigil's field manager, dry-run first).
 */
import {
  CoreV1Api,
  KubernetesObjectApi,
  type CoreV1Event,
  type KubeConfig,
  type KubernetesObject,
  type V1Deployment,
  type V1Node,
  type V1Pod,
  type V1Secret,
} from "@kubernetes/client-node";
import { applyObjects, toKubeError } from "../kube/index.js";
import { basicFindings, type FindingsSource } from "./findings.js";
import { secretValues, type Redactor } from "./redact.js";
import type { ClusterReader, Proposal } from "./tools.js";
import { resolveKind, type KindInfo } from "./views.js";
import type { WriteExecutor } from "./agent.js";

function what(kind: KindInfo, ns: string | undefined, name?: string): string {
  return `${kind.kind}${ns !== undefined ? ` ${ns}/` : " "}${name ?? "*"}`;
}

export function kubeReader(kc: KubeConfig): ClusterReader {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(CoreV1Api);
  return {
    async list(q) {
      try {
        const res = await objects.list(
          q.kind.apiVersion,
          q.kind.kind,
          q.namespace,
          undefined,
          undefined,
          undefined,
          q.fieldSelector,
          q.labelSelector,
          q.limit,
        );
        return { items: res.items, more: (res.metadata?._continue ?? "") !== "" };
      } catch (err) {
        throw toKubeError(err, "list", what(q.kind, q.namespace));
      }
    },
    async get(q) {
      try {
        return await objects.read({
          apiVersion: q.kind.apiVersion,
          kind: q.kind.kind,
          metadata: { name: q.name, ...(q.namespace !== undefined ? { namespace: q.namespace } : {}) },
        });
      } catch (err) {
        throw toKubeError(err, "get", what(q.kind, q.namespace, q.name));
      }
    },
    async logs(q) {
      try {
        return await core.readNamespacedPodLog({
          name: q.pod,
          namespace: q.namespace,
          tailLines: q.tailLines,
          limitBytes: q.limitBytes,
          previous: q.previous,
          ...(q.container !== undefined ? { container: q.container } : {}),
          ...(q.sinceSeconds !== undefined ? { sinceSeconds: q.sinceSeconds } : {}),
        });
      } catch (err) {
        throw toKubeError(err, "logs", `pod ${q.namespace}/${q.pod}`);
      }
    },
    async metrics(q) {
      const kind: KindInfo = {
        apiVersion: "metrics.k8s.io/v1beta1",
        kind: q.kind === "pods" ? "PodMetrics" : "NodeMetrics",
        namespaced: q.kind === "pods",
      };
      try {
        const res = await objects.list(
          kind.apiVersion,
          kind.kind,
          q.namespace,
          undefined,
          undefined,
          undefined,
          undefined,
          q.labelSelector,
          500,
        );
        return res.items;
      } catch (err) {
        throw toKubeError(err, "list", what(kind, q.namespace));
      }
    },
  };
}

async function listAll<T extends KubernetesObject>(
  r: ClusterReader,
  kind: string,
  ns: string | undefined,
  signal: AbortSignal,
): Promise<T[]> {
  const k = resolveKind(kind);
  if (k === undefined) return [];
  const res = await r.list({ kind: k, namespace: k.namespaced ? ns : undefined, limit: 2000 }, signal);
  return res.items as T[];
}

/** The built-in findings source: raw pods, events, nodes and deployments through `basicFindings`. */
export function rawStateFindings(r: ClusterReader): FindingsSource {
  return async (scope, signal) => {
    const [pods, events, nodes, deployments] = await Promise.all([
      listAll<V1Pod>(r, "pod", scope.namespace, signal),
      listAll<CoreV1Event>(r, "event", scope.namespace, signal),
      listAll<V1Node>(r, "node", undefined, signal),
      listAll<V1Deployment>(r, "deployment", scope.namespace, signal),
    ]);
    return basicFindings({ pods, events, nodes, deployments });
  };
}

/**
 * Teaches the Redactor the Secret values of a namespace (when RBAC allows reading them), so a password
 * that leaks into a log line or an env dump is masked even when no pattern would catch it.
 * Returns how many Secrets were read; a Forbidden answer is not an error (patterns still apply).
 */
export async function learnSecrets(
  r: ClusterReader,
  redactor: Redactor,
  ns: string | undefined,
  signal: AbortSignal,
): Promise<number> {
  const k = resolveKind("secret");
  if (k === undefined) return 0;
  try {
    const res = await r.list({ kind: k, namespace: ns, limit: 500 }, signal);
    for (const s of res.items as V1Secret[]) redactor.learn(secretValues(s));
    return res.items.length;
  } catch {
    return 0;
  }
}

function target(p: Proposal): KubernetesObject & { spec: Record<string, unknown> } {
  const kind = p.kind === "statefulset" ? "StatefulSet" : "Deployment";
  return { apiVersion: "apps/v1", kind, metadata: { name: p.name, namespace: p.namespace }, spec: {} };
}

/**
 * Applies an approved proposal with server-side apply (field manager `vigil`, no force), after a
 * dry run. The clock is passed in for the restart annotation.
 */
export function kubeExecutor(kc: KubeConfig, now: () => Date): WriteExecutor {
  return async (p) => {
    const obj = target(p);
    if (p.action === "scale") obj.spec = { replicas: p.replicas };
    else
      obj.spec = {
        template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": now().toISOString() } } },
      };
    await applyObjects(kc, [obj], { dryRun: true });
    await applyObjects(kc, [obj]);
    return p.action === "scale"
      ? `applied: ${obj.kind} ${p.namespace}/${p.name} scaled to ${p.replicas ?? "?"} replicas`
      : `applied: ${obj.kind} ${p.namespace}/${p.name} rollout restarted`;
  };
}
