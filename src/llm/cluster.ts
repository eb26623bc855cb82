/**
 * The cluster edge of the tools: a ClusterReader over `@kubernetes/client-node`, a findings source over
 * raw state (until `src/health` is wired), a learner that feeds Secret values to the Redactor, and the
 * edge of the write path: the sender of the remediation planner's patches and the Incident journal.
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
import { createHash } from "node:crypto";
import type { IncidentStatus } from "../api/index.js";
import { expectOk, FIELD_MANAGER, rawRequest, toKubeError } from "../kube/index.js";
import type { ObjectRef } from "../model/index.js";
import * as remediate from "../remediate/index.js";
import { basicFindings, type FindingsSource } from "./findings.js";
import { secretValues, type Redactor } from "./redact.js";
import type { ActionJournal, PatchSender } from "./remediation.js";
import type { ClusterReader } from "./tools.js";
import { resolveKind, type KindInfo } from "./views.js";

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

/** Sends a planner patch verbatim (the healer's way): `fieldManager=vigil` on PATCH, `dryRun=All` for a dry run. */
export function kubeSender(kc: KubeConfig): PatchSender {
  return async (p, dryRun, signal) => {
    const q = new URLSearchParams();
    if (p.method === "PATCH") q.set("fieldManager", FIELD_MANAGER);
    if (dryRun) q.set("dryRun", "All");
    const qs = q.toString();
    const res = await rawRequest(kc, p.method, `${p.path}${qs !== "" ? `?${qs}` : ""}`, {
      body: JSON.stringify(p.body),
      contentType: p.contentType,
      timeoutMs: 20_000,
      signal,
    });
    if (p.type === "delete" && res.status === 404) return; // already gone: the goal is met
    expectOk(res, dryRun ? `${p.method} (dry run)` : p.method, p.path);
  };
}

const INCIDENTS = "/apis/vigil.dev/v1alpha1";
const PENDING_ANNOTATION = "vigil.dev/pending-actions";
const FINDING_LABEL = "vigil.dev/finding";
const short = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 12);

interface IncidentObj {
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec: { findingId: string };
  status?: IncidentStatus;
}

const apiRef = (r: ObjectRef) => ({
  apiVersion: r.apiVersion,
  kind: r.kind,
  name: r.name,
  ...(r.namespace !== "" ? { namespace: r.namespace } : {}),
});

/**
 * Journals approved actions in Incidents as the healer does (same names, labels, pending annotation and
 * status records), so `vigil incidents`, the operator's restore and the planner's history all see them.
 */
export function kubeJournal(kc: KubeConfig, namespace: string, now: () => Date): ActionJournal {
  const base = `${INCIDENTS}/namespaces/${encodeURIComponent(namespace)}/incidents`;
  const req = (method: string, path: string, signal: AbortSignal, body?: unknown, contentType?: string) =>
    rawRequest(kc, method, path, {
      timeoutMs: 20_000,
      signal,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(contentType !== undefined ? { contentType } : {}),
    });
  const read = async (name: string, signal: AbortSignal) =>
    expectOk(await req("GET", `${base}/${name}`, signal), "read", `incident ${name}`) as IncidentObj;
  /** Status updates retry on a conflict with a fresh copy. */
  const updateStatus = async (
    name: string,
    f: (st: IncidentStatus) => IncidentStatus,
    signal: AbortSignal,
  ) => {
    for (let attempt = 0; ; attempt++) {
      const inc = await read(name, signal);
      const res = await req("PUT", `${base}/${name}/status`, signal, {
        apiVersion: "vigil.dev/v1alpha1",
        kind: "Incident",
        ...inc,
        status: f(inc.status ?? {}),
      });
      if (res.status === 409 && attempt < 3) continue;
      expectOk(res, "update", `incident ${name} status`);
      return;
    }
  };
  const setPending = async (name: string, f: (a: unknown[]) => unknown[], signal: AbortSignal) => {
    const inc = await read(name, signal);
    let now: unknown[] = [];
    try {
      now = JSON.parse(inc.metadata.annotations?.[PENDING_ANNOTATION] ?? "[]") as unknown[];
    } catch {
      now = [];
    }
    const next = f(now);
    expectOk(
      await req(
        "PATCH",
        `${base}/${name}`,
        signal,
        {
          metadata: { annotations: { [PENDING_ANNOTATION]: next.length > 0 ? JSON.stringify(next) : null } },
        },
        "application/merge-patch+json",
      ),
      "annotate",
      `incident ${name}`,
    );
  };
  return {
    async acted(e, signal) {
      const f = e.finding;
      const listed = expectOk(
        await req(
          "GET",
          `${base}?labelSelector=${encodeURIComponent(`${FINDING_LABEL}=${short(f.id)}`)}`,
          signal,
        ),
        "list",
        "incidents",
      ) as { items?: IncidentObj[] };
      let name = listed.items?.find((i) => i.spec.findingId === f.id && i.status?.phase !== "Resolved")
        ?.metadata.name;
      if (name === undefined) {
        const at = Date.parse(e.at);
        name = `${f.object.name.slice(0, 30).replace(/[^a-z0-9-]/g, "-")}-${short(f.id)}-${Math.floor(at / 1000).toString(36)}`;
        expectOk(
          await req("POST", base, signal, {
            apiVersion: "vigil.dev/v1alpha1",
            kind: "Incident",
            metadata: { name, namespace, labels: { [FINDING_LABEL]: short(f.id) } },
            spec: {
              target: apiRef(f.object),
              findingId: f.id,
              reason: f.reason.slice(0, 1000),
              severity: f.severity,
            },
          }),
          "create",
          `incident ${name}`,
        );
        await updateStatus(
          name,
          () => ({
            phase: "Open",
            detectedAt: e.at,
            timeline: [{ time: e.at, kind: "Detected", message: `${f.code}: ${f.reason}`.slice(0, 4000) }],
            actions: [],
          }),
          signal,
        );
      }
      // Journal first: the pending annotation (what the operator resumes from), then the status record.
      await setPending(name, (a) => [...a, e.action], signal);
      const h = remediate.historyEntry(e.action, e.at, "pending");
      await updateStatus(
        name,
        (st) => ({
          ...st,
          phase: "Verifying",
          actions: [
            ...(st.actions ?? []),
            {
              id: h.id,
              kind: h.kind,
              findingId: h.findingId,
              target: apiRef(h.target),
              scope: apiRef(h.scope),
              mode: h.mode,
              at: h.at,
              outcome: h.outcome,
              ...(h.signature !== undefined ? { signature: h.signature } : {}),
            },
          ].slice(-50),
          timeline: [
            ...(st.timeline ?? []),
            {
              time: e.at,
              kind: "Acted" as const,
              action: e.action.kind,
              message: e.message.slice(0, 4000),
              patch: e.patch.slice(0, 32000),
            },
          ].slice(-200),
        }),
        signal,
      );
      return `${namespace}/${name}`;
    },
    async failed(incident, action, message, signal) {
      const name = incident.slice(incident.indexOf("/") + 1);
      await setPending(name, (a) => a.filter((x) => (x as { id?: string }).id !== action.id), signal);
      await updateStatus(
        name,
        (st) => ({
          ...st,
          phase: "Open",
          actions: (st.actions ?? []).map((a) =>
            a.id === action.id && a.outcome === "pending" ? { ...a, outcome: "failed" as const } : a,
          ),
          timeline: [
            ...(st.timeline ?? []),
            {
              time: now().toISOString(),
              kind: "Note" as const,
              action: action.kind,
              message: `request failed: ${message}`.slice(0, 4000),
            },
          ].slice(-200),
        }),
        signal,
      );
    },
  };
}
