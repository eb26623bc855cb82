/** Builds the requests the executor sends: API paths, JSON pointers and one constructor per patch type. */
import { invariant, type ObjectRef } from "../model/index.js";
import type { Json, JsonPatchOp, Patch } from "./types.js";

const PLURALS: Readonly<Record<string, string>> = {
  Pod: "pods",
  Node: "nodes",
  Deployment: "deployments",
  StatefulSet: "statefulsets",
  DaemonSet: "daemonsets",
  ReplicaSet: "replicasets",
};

/** `/api/v1/namespaces/ns/pods/name`, `/apis/apps/v1/namespaces/ns/deployments/name`, `/api/v1/nodes/name`. */
export function apiPath(ref: ObjectRef): string {
  const plural = PLURALS[ref.kind];
  invariant(plural !== undefined, "apiPath: a kind the planner never patches");
  const root = ref.apiVersion.includes("/") ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const ns = ref.namespace === "" ? "" : `/namespaces/${ref.namespace}`;
  return `${root}${ns}/${plural}/${ref.name}`;
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function ptr(segment: string): string {
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}

export function jsonPatch(target: ObjectRef, body: readonly JsonPatchOp[]): Patch {
  return {
    type: "json",
    method: "PATCH",
    contentType: "application/json-patch+json",
    target,
    path: apiPath(target),
    body,
  };
}

export function strategicPatch(target: ObjectRef, body: Json): Patch {
  return {
    type: "strategic",
    method: "PATCH",
    contentType: "application/strategic-merge-patch+json",
    target,
    path: apiPath(target),
    body,
  };
}

/** An Eviction for a pod, with a uid precondition (when the uid is known) so a replacement of the same name is never evicted. */
export function evictionPatch(pod: ObjectRef, uid: string): Patch {
  return {
    type: "eviction",
    method: "POST",
    contentType: "application/json",
    target: pod,
    path: `${apiPath(pod)}/eviction`,
    body: {
      apiVersion: "policy/v1",
      kind: "Eviction",
      metadata: { name: pod.name, namespace: pod.namespace },
      ...(uid === "" ? {} : { deleteOptions: { preconditions: { uid } } }),
    },
  };
}

/** A DELETE with a uid precondition; `force` sets gracePeriodSeconds 0 (`kubectl delete --force --grace-period=0`). */
export function deletePatch(pod: ObjectRef, uid: string, force: boolean): Patch {
  return {
    type: "delete",
    method: "DELETE",
    contentType: "application/json",
    target: pod,
    path: apiPath(pod),
    body: {
      apiVersion: "v1",
      kind: "DeleteOptions",
      ...(force ? { gracePeriodSeconds: 0 } : {}),
      ...(uid === "" ? {} : { preconditions: { uid } }),
    },
  };
}

export const ANNOTATION_ACTION = "vigil.dev/action";
export const ANNOTATION_REASON = "vigil.dev/reason";
export const ANNOTATION_UNDONE = "vigil.dev/undone";
/** On a node Vigil cordoned: the action id. Vigil only uncordons nodes that carry it. */
export const ANNOTATION_CORDONED = "vigil.dev/cordoned";

/**
 * Operations that set annotations. `add` on a missing `/metadata/annotations` member fails, so when the object
 * has no annotations map the whole map is added instead.
 */
export function annotateOps(hasAnnotations: boolean, ann: Readonly<Record<string, string>>): JsonPatchOp[] {
  if (!hasAnnotations) return [{ op: "add", path: "/metadata/annotations", value: { ...ann } }];
  return Object.entries(ann).map(([k, v]) => ({
    op: "add",
    path: `/metadata/annotations/${ptr(k)}`,
    value: v,
  }));
}

/** A deep copy of a plain JSON value; undefined when it holds anything else (functions, Dates, cycles). */
export function toJson(v: unknown, depth = 0): Json | undefined {
  if (depth > 64) return undefined;
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (const x of v as unknown[]) {
      const j = toJson(x, depth + 1);
      if (j === undefined) return undefined;
      out.push(j);
    }
    return out;
  }
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      const j = toJson(x, depth + 1);
      if (j === undefined) return undefined;
      out[k] = j;
    }
    return out;
  }
  return undefined;
}
